import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeFinding } from '../core/acknowledgements';

/**
 * Denies every principal of another account, while AWS services acting for this
 * account (SNS delivering to a queue, CloudWatch alarms publishing) stay allowed
 * by the statements that name them.
 */
export function denyOtherAccounts(scope: IConstruct, actions: string[], resource: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyOtherAccounts',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources: [resource],
    conditions: {
      StringNotEquals: { 'aws:PrincipalAccount': Stack.of(scope).account },
      Bool: { 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}

/**
 * Denies every request not sent over TLS: the statement aws-cdk-lib writes for
 * `enforceSSL: true`, which SecureQueue and SecureTopic use, so a resource a
 * mixin hardens carries the same one (SNS writes its principal as `*`: `StarPrincipal`).
 */
export function tlsOnly(actions: string[], resource: string, sid?: string, principal: iam.IPrincipal = new iam.AnyPrincipal()): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions,
    conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    effect: iam.Effect.DENY,
    resources: [resource],
    principals: [principal],
  });
}

/** How a terminal dead-letter queue is built. */
export interface TerminalDeadLetterQueueOptions {
  readonly key: kms.IKey;
  readonly fifo?: boolean;
  /** Which queues may use it as their dead-letter queue. */
  readonly redriveAllowPolicy: sqs.RedriveAllowPolicy;
  /** Whose dead-letter queue it is, for the acknowledgement's reason. */
  readonly of: string;
}

/**
 * A dead-letter queue at the end of the line: encrypted, TLS-only, closed to other
 * accounts, 14 days' retention, and the Serverless redrive finding acknowledged (a
 * redrive policy on it would need yet another queue; Control Tower CT.SQS.PR.1
 * accepts it as a dead-letter queue through its RedriveAllowPolicy).
 */
export function terminalDeadLetterQueue(scope: Construct, id: string, options: TerminalDeadLetterQueueOptions): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    fifo: options.fifo,
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: options.key,
    enforceSSL: true,
    redriveAllowPolicy: options.redriveAllowPolicy,
  });
  queue.addToResourcePolicy(denyOtherAccounts(queue, ['sqs:*'], queue.queueArn));
  acknowledgeFinding(queue, 'Serverless-SQSRedrivePolicy',
    `terminal dead-letter queue of ${options.of}: a redrive policy on it would need yet another queue; `
    + `Control Tower CT.SQS.PR.1 accepts it as a dead-letter queue through its ${options.redriveAllowPolicy.redrivePermission} RedriveAllowPolicy`);
  return queue;
}

/**
 * The one dead-letter queue of a topic's subscriptions, for SecureTopic and
 * TopicHardening alike. AwsSolutions-SQS3 does not read subscriptions' redrive
 * policies, so its finding is acknowledged with that reason.
 */
export function subscriptionDeadLetterQueue(scope: Construct, id: string, key: kms.IKey, fifo: boolean): sqs.Queue {
  const queue = terminalDeadLetterQueue(scope, id, {
    key,
    fifo: fifo || undefined,
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    of: 'the topic\'s subscriptions',
  });
  acknowledgeFinding(queue, 'AwsSolutions-SQS3',
    'it is the dead-letter queue of the topic\'s subscriptions (the RedrivePolicy of each AWS::SNS::Subscription), which AwsSolutions-SQS3 does not look for');
  return queue;
}
