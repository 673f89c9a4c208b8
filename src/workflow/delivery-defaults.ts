import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { SecureQueue } from '../messaging/secure-queue';

/** Default retries of a failed delivery by a rule or schedule, shared by SecureRuleTarget and RuleHardening. */
export const RETRY_ATTEMPTS = 3;
/** Default age after which an undelivered event goes to the dead-letter queue. */
export const MAX_EVENT_AGE = Duration.hours(1);
const DEAD_LETTER_QUEUE_ID = 'DeadLetterQueue';

/** The dead-letter queue given, else the SecureQueue of `scope` (a rule or schedule), created once and shared by its targets. */
export function deadLetterQueueOf(scope: IConstruct, options: { readonly deadLetterQueue?: sqs.IQueue }): sqs.IQueue {
  if (options.deadLetterQueue) return options.deadLetterQueue;
  const existing = scope.node.tryFindChild(DEAD_LETTER_QUEUE_ID) as sqs.IQueue | undefined;
  return existing ?? new SecureQueue(scope as Construct, DEAD_LETTER_QUEUE_ID);
}

/**
 * EventBridge writes to a rule's dead-letter queue as itself (the queue policy
 * names the rule), so an encrypted queue's key must admit it. The condition names
 * the account only: naming the rule would make key, queue and rule a cycle.
 */
export function admitEventBridge(queue: sqs.IQueue): void {
  queue.encryptionMasterKey?.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEventBridgeDeadLettersForThisAccount',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(queue).account } },
  }));
}
