import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { denyOtherAccounts, terminalDeadLetterQueue } from './policies';
import { QUEUE_DEFAULTS } from './queue-defaults';
import { scopeServiceAllows } from './service-sources';
import { SecurityBaseline } from '../baseline/security-baseline';
import { checkDurationSeconds, checkIntegerRange, invalidProp } from '../core/errors';
import { checkPropKinds, interfaces, kinds } from '../core/prop-types';
import { grantKeyThrough } from '../encryption/key-conditions';
import { acknowledgeNoSqsDestination, checkVisibilityTimeout } from '../function/event-source-defaults';
import { SecureFunction } from '../function/secure-function';

/**
 * Properties of a SecureQueue.
 */
export interface SecureQueueProps {
  /**
   * A name for the queue; FIFO queue names end in `.fifo`.
   *
   * @default - a name unique to this construct, derived from its path
   */
  readonly queueName?: string;

  /**
   * Whether the queue is first-in-first-out.
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * How long a received message stays hidden from other consumers, from 0 seconds
   * to 12 hours. Consumers added with `addConsumer` need at least six times their
   * function timeout.
   *
   * @default Duration.seconds(60)
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How long messages are kept, from 1 minute to 14 days.
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * Receives after which a message moves to the dead-letter queue, from 1 to 1000.
   *
   * @default 3
   */
  readonly maxReceiveCount?: number;

  /**
   * The key encrypting messages.
   *
   * @default - the baseline's shared key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The baseline providing the key.
   *
   * @default SecurityBaseline.of(this)
   */
  readonly baseline?: SecurityBaseline;
}

/**
 * Options of a consumer added with `SecureQueue.addConsumer`.
 */
export interface QueueConsumerOptions {
  /**
   * Messages per batch, from 1 to 10 (up to 10000 with a batching window).
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long to gather messages before invoking.
   *
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Maximum concurrent invocations by this event source, from 2 to 1000.
   *
   * @default - up to the function's reserved concurrency
   */
  readonly maxConcurrency?: number;
}

/**
 * An SQS queue that is secure by default: encrypted with a customer-managed key,
 * TLS-only, closed to other accounts, with an encrypted dead-letter queue that only
 * this queue may redrive into.
 *
 * Grants (`grantSendMessages` or `grants.sendMessages`, and so on) name exact actions, never `kms:*` patterns: producers get
 * `kms:GenerateDataKey` and `kms:Decrypt`, consumers `kms:Decrypt`, usable only
 * through SQS (`kms:ViaService`) and for this queue (`kms:EncryptionContext:aws:sqs:arn`).
 * `grantSendMessages` and `grantPurge` also open the SQS interface endpoint to a
 * SecureFunction grantee. `grantConsumeMessages` does not: an event source
 * (`addConsumer`) is polled by the Lambda service, outside the function's network;
 * a function that receives from its own code calls
 * `fn.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SQS)`.
 */
export class SecureQueue extends sqs.Queue {
  /** The dead-letter queue receiving messages that failed `maxReceiveCount` times. */
  public readonly deadLetter: sqs.Queue;
  /** The key encrypting messages. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: SecureQueueProps = {}) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    validate(path, props);
    const baseline = props.baseline ?? SecurityBaseline.of(scope);
    const key = props.encryptionKey ?? baseline.key;
    const fifo = props.fifo ?? (props.queueName?.endsWith('.fifo') || undefined);
    super(scope, id, {
      queueName: props.queueName,
      fifo,
      visibilityTimeout: props.visibilityTimeout ?? QUEUE_DEFAULTS.visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? QUEUE_DEFAULTS.retentionPeriod,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
    });
    this.key = key;
    // aws-cdk-lib's grants facade writes the key use without conditions: route it through the grants below.
    Object.assign(this.grants, {
      sendMessages: (grantee: iam.IGrantable) => this.grantSendMessages(grantee),
      consumeMessages: (grantee: iam.IGrantable) => this.grantConsumeMessages(grantee),
      purge: (grantee: iam.IGrantable) => this.grantPurge(grantee),
    });
    this.addToResourcePolicy(denyOtherAccounts(this, ['sqs:*'], this.queueArn));
    scopeServiceAllows(this, () => (this as any).policy?.document);

    // The dead-letter queue names its only allowed source by ARN. A Ref to this
    // queue would form a cycle (this queue's RedrivePolicy refers to it), so the
    // ARN is built from the physical name.
    const physicalName = props.queueName ?? generatedName(this, fifo === true);
    (this.node.defaultChild as sqs.CfnQueue).queueName = physicalName;
    const sourceArn = Stack.of(this).formatArn({ service: 'sqs', resource: physicalName });
    this.deadLetter = terminalDeadLetterQueue(this, 'DeadLetterQueue', {
      key,
      fifo,
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.BY_QUEUE, sourceQueues: [sqs.Queue.fromQueueArn(this, 'Source', sourceArn)] },
      of: 'this queue',
    });
    (this.node.defaultChild as sqs.CfnQueue).redrivePolicy = {
      deadLetterTargetArn: this.deadLetter.queueArn,
      maxReceiveCount: props.maxReceiveCount ?? QUEUE_DEFAULTS.maxReceiveCount,
    };
  }

  /**
   * Grants sending messages, with the key use it needs, and the SQS endpoint in a
   * SecureFunction's network.
   */
  public grantSendMessages(grantee: iam.IGrantable): iam.Grant {
    reachSqs(grantee);
    return this.grantWithKey(grantee, ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], ['kms:GenerateDataKey', 'kms:Decrypt']);
  }

  /**
   * Grants receiving, deleting and changing the visibility of messages, with the
   * key use it needs.
   */
  public grantConsumeMessages(grantee: iam.IGrantable): iam.Grant {
    return this.grantWithKey(grantee,
      ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      ['kms:Decrypt']);
  }

  /**
   * Grants purging the queue, and the SQS endpoint in a SecureFunction's network.
   */
  public grantPurge(grantee: iam.IGrantable): iam.Grant {
    reachSqs(grantee);
    return this.grantWithKey(grantee, ['sqs:PurgeQueue', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], []);
  }

  private grantWithKey(grantee: iam.IGrantable, actions: string[], keyActions: string[]): iam.Grant {
    const grant = iam.Grant.addToPrincipalOrResource({ grantee, actions, resourceArns: [this.queueArn], resource: this });
    return keyActions.length > 0 ? grant.combine(grantKeyThrough(this.key, grantee, keyActions, 'sqs', this.queueArn)) : grant;
  }

  /**
   * Invokes `consumer` with batches of messages, reporting failed items so only they
   * are retried. The queue's visibility timeout must be at least six times the
   * function's timeout, as AWS recommends, or messages are processed twice.
   */
  public addConsumer(consumer: lambda.Function, options: QueueConsumerOptions = {}): sources.SqsEventSource {
    checkVisibilityTimeout(this, this.node.defaultChild as sqs.CfnQueue, consumer);
    if (consumer.node.tryFindChild(`SqsEventSource:${Names.nodeUniqueId(this.node)}`)) {
      invalidProp(this, 'consumer', consumer.node.path, 'a function that does not consume this queue yet');
    }
    const source = new sources.SqsEventSource(this, {
      batchSize: options.batchSize ?? 10,
      maxBatchingWindow: options.maxBatchingWindow,
      maxConcurrency: options.maxConcurrency,
      reportBatchItemFailures: true,
    });
    consumer.addEventSource(source);
    const mapping = consumer.node.children.find(child =>
      child instanceof lambda.EventSourceMapping && child.node.id.startsWith('SqsEventSource:') && child.node.id.endsWith(Names.nodeUniqueId(this.node)));
    if (mapping) acknowledgeNoSqsDestination(mapping);
    return source;
  }
}

function reachSqs(grantee: iam.IGrantable): void {
  if (SecureFunction.isSecureFunction(grantee)) grantee.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SQS);
}

function generatedName(scope: Construct, fifo: boolean): string {
  const name = Names.uniqueResourceName(scope, { maxLength: fifo ? 75 : 80, separator: '-' });
  return fifo ? `${name}.fifo` : name;
}

function validate(path: string, props: SecureQueueProps): void {
  checkPropKinds(path, props, {
    queueName: kinds.text,
    fifo: kinds.boolean,
    visibilityTimeout: kinds.duration,
    retentionPeriod: kinds.duration,
    encryptionKey: interfaces.key,
    baseline: kinds.instance(SecurityBaseline, 'a SecurityBaseline'),
  });
  checkDurationSeconds(path, 'visibilityTimeout', props.visibilityTimeout, 0, 43200, '0 to 43200 (12 hours)');
  checkDurationSeconds(path, 'retentionPeriod', props.retentionPeriod, 60, 1209600, '60 (1 minute) to 1209600 (14 days)');
  checkIntegerRange(path, 'maxReceiveCount', props.maxReceiveCount, 1, 1000, 'receives');
  if (props.queueName !== undefined && !Token.isUnresolved(props.queueName)) {
    const fifo = props.fifo ?? props.queueName.endsWith('.fifo');
    const pattern = fifo ? /^[a-zA-Z0-9_-]{1,75}\.fifo$/ : /^[a-zA-Z0-9_-]{1,80}$/;
    if (!pattern.test(props.queueName)) {
      invalidProp(path, 'queueName', props.queueName,
        fifo ? 'letters, digits, "-" and "_" (1 to 75) followed by ".fifo"' : 'letters, digits, "-" and "_" (1 to 80); FIFO queues need fifo: true and a ".fifo" suffix');
    }
  }
}
