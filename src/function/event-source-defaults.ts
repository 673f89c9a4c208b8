import { AspectPriority, Aspects, CfnResource, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { acknowledgeFinding, LIBRARY_ACKNOWLEDGEMENT_METADATA, LibraryAcknowledgement } from '../core/acknowledgements';
import { invalidProp } from '../core/errors';
import { constructsUnder, countWork, inWorkStep } from '../core/work-count';
import { recordHardening, recordRuntimeChange } from '../mixins/changes';

const REGISTRY = Symbol.for('cdk-secure-serverless.EventSourceDefaults');
/** AWS's guidance: a queue's visibility timeout is at least six times the function's timeout. */
const VISIBILITY_FACTOR = 6;
/** Defaults of SQS and Lambda when a template sets no value. */
const SQS_DEFAULT_VISIBILITY_SECONDS = 30;
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;
/** Retries of a failed stream batch before it goes to the on-failure destination, as `addStreamConsumer` sets. */
const STREAM_RETRY_ATTEMPTS = 3;
const NO_SQS_DESTINATION_ID = 'Serverless-LambdaEventSourceMappingDestination';
export const NO_SQS_DESTINATION_REASON =
  'SQS event source mappings support no on-failure destination (AWS allows one only for stream and Kafka sources); ' +
  'messages that keep failing move to the queue\'s dead-letter queue through its redrive policy';

/**
 * Checks that `queue`'s visibility timeout is at least six times `consumer`'s
 * timeout, so a message still being processed is not delivered again.
 */
export function checkVisibilityTimeout(queue: IConstruct, cfnQueue: sqs.CfnQueue, consumer: lambda.Function): void {
  const stack = Stack.of(cfnQueue);
  const visibility = stack.resolve(cfnQueue.visibilityTimeout) ?? SQS_DEFAULT_VISIBILITY_SECONDS;
  const timeout = consumer.timeout?.toSeconds() ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS;
  if (typeof visibility !== 'number' || Token.isUnresolved(timeout)) return;
  if (visibility < VISIBILITY_FACTOR * timeout) {
    invalidProp(queue, 'visibilityTimeout', `${visibility} seconds`,
      `at least six times the timeout of ${consumer.node.path} (${timeout} s), i.e. ${VISIBILITY_FACTOR * timeout} seconds or more`);
  }
}

/** Acknowledges, once, that an SQS mapping has no on-failure destination. */
export function acknowledgeNoSqsDestination(mapping: IConstruct): void {
  const acknowledged = mapping.node.metadata.some(entry =>
    entry.type === LIBRARY_ACKNOWLEDGEMENT_METADATA && (entry.data as LibraryAcknowledgement).id === NO_SQS_DESTINATION_ID);
  if (!acknowledged) acknowledgeFinding(mapping, NO_SQS_DESTINATION_ID, NO_SQS_DESTINATION_REASON);
}

/**
 * Gives every event source mapping of a registered function, however it was
 * added (`fn.addEventSource`, `alias.addEventSource`, `fn.currentVersion`, a
 * plain `lambda.EventSourceMapping`), the defaults of `SecureQueue.addConsumer`
 * and `SecureTable.addStreamConsumer`:
 *
 * - SQS: failed items reported (`ReportBatchItemFailures`), the queue's
 *   visibility timeout checked against the function's timeout, and the
 *   on-failure destination AWS does not offer acknowledged;
 * - DynamoDB and Kinesis streams: failed items reported, batches split on
 *   error, 3 retries, then the function's dead-letter queue as the on-failure
 *   destination, unless the source names its own; unbounded retries are refused,
 *   as no record would ever reach a destination.
 *
 * Values the source set are kept. It runs as a mutating aspect, once per stack,
 * because aliases and versions are aws-cdk-lib classes whose `addEventSource`
 * cannot be overridden.
 */
export class EventSourceDefaults implements IAspect {
  /**
   * Registers `fn` with the aspect of its stack, creating the aspect on first use.
   *
   * @param hardenedBy the mixin that hardens `fn`, a plain function: each change
   * to one of its event sources is then recorded as that mixin's, on the mapping
   * and, as a change to how the function runs, on the function
   */
  public static register(fn: lambda.Function, deadLetterQueue: sqs.IQueue, hardenedBy?: string): void {
    const stack = Stack.of(fn) as Stack & { [REGISTRY]?: EventSourceDefaults };
    if (!stack[REGISTRY]) {
      const aspect = new EventSourceDefaults(stack);
      Object.defineProperty(stack, REGISTRY, { value: aspect });
      Aspects.of(stack).add(aspect, { priority: AspectPriority.MUTATING });
    }
    stack[REGISTRY]!.functions.set(fn, { deadLetterQueue, hardenedBy });
  }

  private readonly functions = new Map<lambda.Function, { readonly deadLetterQueue: sqs.IQueue; readonly hardenedBy?: string }>();
  private resources?: Map<string, CfnResource>;

  private constructor(private readonly stack: Stack) {}

  public visit(node: IConstruct): void {
    if (node instanceof lambda.CfnEventSourceMapping) inWorkStep('aspect:EventSourceDefaults', () => this.harden(node));
  }

  private harden(node: lambda.CfnEventSourceMapping): void {
    countWork(node);
    const fn = this.targetOf(node);
    const registered = fn && this.functions.get(fn);
    if (!fn || !registered) return;
    const source = this.sourceOf(node);
    const changes: string[] = [];
    if (node.functionResponseTypes === undefined && (source instanceof sqs.CfnQueue || source === 'sqs' || source === 'stream')) {
      node.functionResponseTypes = ['ReportBatchItemFailures'];
      changes.push('failures reported per item (ReportBatchItemFailures): a response listing batchItemFailures has only those items retried; '
        + 'a handler that throws still has the whole batch retried, and one that returns nothing still counts it processed');
    }
    if (source instanceof sqs.CfnQueue || source === 'sqs') {
      if (source instanceof sqs.CfnQueue) checkVisibilityTimeout(source.node.scope ?? source, source, fn);
      acknowledgeNoSqsDestination(node);
    } else if (source === 'stream') {
      const retries = this.stack.resolve(node.maximumRetryAttempts);
      if (retries === -1) {
        invalidProp(node.node.scope ?? node, 'retryAttempts', retries,
          `0 to 10000 retries, so records that keep failing reach the on-failure destination (default ${STREAM_RETRY_ATTEMPTS})`);
      }
      if (node.bisectBatchOnFunctionError === undefined) {
        node.bisectBatchOnFunctionError = true;
        changes.push('a failing batch is split in two and each half retried (BisectBatchOnFunctionError)');
      }
      if (node.maximumRetryAttempts === undefined) {
        node.maximumRetryAttempts = STREAM_RETRY_ATTEMPTS;
        changes.push(`a failing batch is retried ${STREAM_RETRY_ATTEMPTS} times, where it was retried until its records expired`);
      }
      if (node.destinationConfig === undefined) {
        node.destinationConfig = { onFailure: { destination: registered.deadLetterQueue.queueArn } };
        changes.push('then a record describing the batch (not its items) goes to the function\'s dead-letter queue (on-failure destination) and the shard moves on');
      }
    }
    if (registered.hardenedBy && changes.length > 0) this.record(node, fn, registered.hardenedBy, changes);
  }

  /** Records the changes to a hardened plain function's event source, on the mapping and as a change to how the function runs. */
  private record(mapping: lambda.CfnEventSourceMapping, fn: lambda.Function, mixin: string, changes: string[]): void {
    const source = mapping.node.scope ?? mapping;
    for (const change of changes) recordHardening(mapping, mixin, change);
    recordRuntimeChange(fn.node.defaultChild ?? fn, mixin, `event source ${source.node.path}: ${changes.join('; ')}`);
  }

  /** The registered function a mapping invokes, directly or through an alias or version. */
  private targetOf(mapping: lambda.CfnEventSourceMapping): lambda.Function | undefined {
    const resource = this.resource(firstReference(this.stack.resolve(mapping.functionName)));
    const target = resource?.node.scope;
    if (target instanceof lambda.Alias) return target.version.lambda as lambda.Function;
    if (target instanceof lambda.Version) return target.lambda as lambda.Function;
    return target instanceof lambda.Function ? target : undefined;
  }

  /** The queue of an SQS mapping in this stack, `sqs` or `stream` for an imported source, or undefined. */
  private sourceOf(mapping: lambda.CfnEventSourceMapping): sqs.CfnQueue | 'sqs' | 'stream' | undefined {
    const arn = this.stack.resolve(mapping.eventSourceArn);
    if (typeof arn === 'string') {
      if (/^arn:[^:]+:sqs:/.test(arn)) return 'sqs';
      return /^arn:[^:]+:(kinesis|dynamodb):/.test(arn) ? 'stream' : undefined;
    }
    const resource = this.resource(firstReference(arn));
    if (resource instanceof sqs.CfnQueue) return resource;
    return resource && ['AWS::Kinesis::Stream', 'AWS::DynamoDB::Table'].includes(resource.cfnResourceType) ? 'stream' : undefined;
  }

  private resource(logicalId: string | undefined): CfnResource | undefined {
    if (logicalId === undefined) return undefined;
    this.resources ??= new Map(constructsUnder(this.stack)
      .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
      .map(r => [this.stack.resolve(r.logicalId) as string, r]));
    return this.resources.get(logicalId);
  }
}

/** The logical id of the first `Ref` or `Fn::GetAtt` in a resolved value. */
export function firstReference(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstReference(item);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  if (typeof obj.Ref === 'string') return obj.Ref.startsWith('AWS::') ? undefined : obj.Ref;
  if (Array.isArray(obj['Fn::GetAtt'])) return String(obj['Fn::GetAtt'][0]);
  return firstReference(Object.values(obj));
}
