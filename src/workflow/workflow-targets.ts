import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { aws_events as eventsRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { admitEventBridge, deadLetterQueueOf, MAX_EVENT_AGE, RETRY_ATTEMPTS } from './delivery-defaults';
import { TARGET_ROLE_ID } from './target-role';
import { claimId } from '../core/construct-ids';
import { checkDurationSeconds, checkIntegerRange, invalidProp } from '../core/errors';
import { checkPropKinds, kinds, PropCheck } from '../core/prop-types';
import { grantKeyThrough } from '../encryption/key-conditions';
import { accountPinnedServicePrincipal, PolicyRole } from '../iam/policy-role';

/**
 * What a schedule or rule does with an event its target did not accept.
 */
export interface DeliveryOptions {
  /**
   * The queue receiving events that could not be delivered after every retry.
   *
   * @default - a SecureQueue created beside the schedule or rule, shared by its targets
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Retries of a failed delivery, from 0 to 185.
   *
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * How long an undelivered event is retried, from 1 minute to 24 hours.
   *
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;
}

/**
 * Options of a SecureScheduleTarget.
 */
export interface SecureScheduleTargetOptions extends DeliveryOptions {
  /**
   * The input the target receives.
   *
   * @default - Scheduler's default input for the target
   */
  readonly input?: scheduler.ScheduleTargetInput;
}

/**
 * Options of a SecureRuleTarget.
 */
export interface SecureRuleTargetOptions extends DeliveryOptions {
  /**
   * The input the target receives.
   *
   * @default - the matched event
   */
  readonly input?: events.RuleTargetInput;
}

const SCHEDULE_INPUT = kinds.instance(scheduler.ScheduleTargetInput, 'a scheduler.ScheduleTargetInput, e.g. ScheduleTargetInput.fromObject({...})');
const RULE_INPUT = kinds.instance(events.RuleTargetInput, 'an events.RuleTargetInput, e.g. RuleTargetInput.fromObject({...})');

enum TargetKind {
  FUNCTION = 'function',
  STATE_MACHINE = 'stateMachine',
  QUEUE = 'queue',
}

const TARGET_CHECKS: { [kind in TargetKind]: PropCheck } = {
  [TargetKind.FUNCTION]: kinds.implementing('a lambda.IFunction, such as a SecureFunction, its version or alias', 'functionArn', 'grantInvoke'),
  [TargetKind.STATE_MACHINE]: kinds.implementing('an sfn.IStateMachine, such as a SecureStateMachine', 'stateMachineArn', 'grantStartExecution'),
  [TargetKind.QUEUE]: kinds.implementing('an sqs.IQueue, such as a SecureQueue', 'queueArn', 'grantSendMessages'),
};

/** The target resource, checked: a value of the wrong kind is our error, before aws-cdk-lib reads it. */
function checkTarget(factory: string, kind: TargetKind, target: unknown, options: DeliveryOptions | undefined, input: PropCheck): void {
  const path = `${factory}.${kind}`;
  if (!TARGET_CHECKS[kind].test(target)) invalidProp(path, kind, target, TARGET_CHECKS[kind].allowed);
  if (kind === TargetKind.QUEUE && (target as sqs.IQueue).fifo) {
    invalidProp(path, 'queue', (target as sqs.IQueue).node.path, 'a standard queue (a FIFO queue needs a message group id per event)');
  }
  checkPropKinds(path, options, {
    deadLetterQueue: TARGET_CHECKS[TargetKind.QUEUE],
    maxEventAge: kinds.duration,
    input,
  });
  checkIntegerRange(path, 'retryAttempts', options?.retryAttempts, 0, 185, 'retries');
  checkDurationSeconds(path, 'maxEventAge', options?.maxEventAge, 60, 86_400, '60 (1 minute) to 86400 (24 hours)');
  if (options?.deadLetterQueue?.fifo) {
    invalidProp(path, 'deadLetterQueue', options.deadLetterQueue.node.path, 'a standard queue (EventBridge dead-letter queues cannot be FIFO)');
  }
}

/**
 * Exact statements for sending to a queue, with the key use an encrypted queue
 * needs, through SQS only and for that queue (the same statement the key's
 * synth-time scan writes for a plain schedule's dead-letter queue).
 */
function allowSending(role: iam.IRole, queue: sqs.IQueue): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  const key = queue.encryptionMasterKey;
  if (key) grantKeyThrough(key, role, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs', queue.queueArn);
}


/**
 * The target of a SecureSchedule: a function, state machine or queue, invoked by
 * a role of the schedule's own with exact statements, with a retry policy and a
 * dead-letter queue.
 *
 * - function: `lambda:InvokeFunction` on exactly the ARN given (function, version or alias);
 * - state machine: its `grantStartExecution` (for a SecureStateMachine, with the key use it needs);
 * - queue: `sqs:SendMessage`, and `kms:GenerateDataKey` and `kms:Decrypt` on its key;
 * - the dead-letter queue: `sqs:SendMessage` and its key use, as Scheduler delivers
 *   to it with the schedule's role.
 */
export class SecureScheduleTarget implements scheduler.IScheduleTarget {
  /**
   * Invokes a function (asynchronously), its version or its alias.
   *
   * @param fn the function, version or alias to invoke
   * @param options retries, dead-letter queue and input
   */
  public static function(fn: lambda.IFunction, options: SecureScheduleTargetOptions = {}): SecureScheduleTarget {
    checkTarget('SecureScheduleTarget', TargetKind.FUNCTION, fn, options, SCHEDULE_INPUT);
    return new SecureScheduleTarget(fn.functionArn, options, role =>
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })));
  }

  /**
   * Starts an execution of a state machine.
   *
   * @param stateMachine the state machine to start
   * @param options retries, dead-letter queue and input
   */
  public static stateMachine(stateMachine: sfn.IStateMachine, options: SecureScheduleTargetOptions = {}): SecureScheduleTarget {
    checkTarget('SecureScheduleTarget', TargetKind.STATE_MACHINE, stateMachine, options, SCHEDULE_INPUT);
    return new SecureScheduleTarget(stateMachine.stateMachineArn, options, role => stateMachine.grantStartExecution(role));
  }

  /**
   * Sends a message to a standard queue.
   *
   * @param queue the queue to send to
   * @param options retries, dead-letter queue and input
   */
  public static queue(queue: sqs.IQueue, options: SecureScheduleTargetOptions = {}): SecureScheduleTarget {
    checkTarget('SecureScheduleTarget', TargetKind.QUEUE, queue, options, SCHEDULE_INPUT);
    return new SecureScheduleTarget(queue.queueArn, options, role => allowSending(role, queue));
  }

  private constructor(
    private readonly targetArn: string,
    private readonly options: SecureScheduleTargetOptions,
    private readonly allowTarget: (role: iam.IRole) => void,
  ) {}

  /**
   * Creates the schedule's role and dead-letter queue and returns the target.
   */
  public bind(schedule: scheduler.ISchedule): scheduler.ScheduleTargetConfig {
    const stack = Stack.of(schedule);
    const groupArn = schedule.scheduleGroup?.scheduleGroupArn
      ?? stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' });
    const role = new PolicyRole(schedule as unknown as Construct, TARGET_ROLE_ID, {
      // Only schedules of this account, in this schedule group, may use the role.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': groupArn },
      }),
      description: `Target role of ${schedule.node.path} only`,
    });
    this.allowTarget(role);
    const deadLetterQueue = deadLetterQueueOf(schedule, this.options);
    allowSending(role, deadLetterQueue);
    return {
      arn: this.targetArn,
      role,
      input: this.options.input,
      deadLetterConfig: { arn: deadLetterQueue.queueArn },
      retryPolicy: {
        maximumRetryAttempts: this.options.retryAttempts ?? RETRY_ATTEMPTS,
        maximumEventAgeInSeconds: (this.options.maxEventAge ?? MAX_EVENT_AGE).toSeconds(),
      },
    };
  }
}

/**
 * A target of an `events.Rule` (`rule.addTarget(SecureRuleTarget.function(fn))`):
 * a function, state machine or queue, with a retry policy and a dead-letter queue.
 * The dead-letter queue's key admits EventBridge for this account, which delivers to it.
 *
 * It is the aws-cdk-lib target (`targets.LambdaFunction`, `SfnStateMachine`,
 * `SqsQueue`) with our defaults filled in: a SecureQueue as dead-letter queue
 * shared by the rule's targets, 3 retries within an hour, and for a state
 * machine a role of the rule's own (customer-managed policy, trusted by
 * EventBridge for this account only) instead of aws-cdk-lib's shared role with
 * an inline policy.
 */
export class SecureRuleTarget implements events.IRuleTarget {
  /**
   * Invokes a function, its version or its alias; the invoke permission names the rule.
   *
   * @param fn the function, version or alias to invoke
   * @param options retries, dead-letter queue and input
   */
  public static function(fn: lambda.IFunction, options: SecureRuleTargetOptions = {}): SecureRuleTarget {
    checkTarget('SecureRuleTarget', TargetKind.FUNCTION, fn, options, RULE_INPUT);
    return new SecureRuleTarget(options, (_scope, _id, delivery) => new targets.LambdaFunction(fn, { ...delivery, event: options.input }));
  }

  /**
   * Starts an execution of a state machine, with a role of the rule's own.
   *
   * @param stateMachine the state machine to start
   * @param options retries, dead-letter queue and input
   */
  public static stateMachine(stateMachine: sfn.IStateMachine, options: SecureRuleTargetOptions = {}): SecureRuleTarget {
    checkTarget('SecureRuleTarget', TargetKind.STATE_MACHINE, stateMachine, options, RULE_INPUT);
    return new SecureRuleTarget(options, (scope, id, delivery) => {
      const role = new PolicyRole(scope, claimId(scope, `${id}Role`, `the role of ${id}`), {
        assumedBy: accountPinnedServicePrincipal(scope, 'events.amazonaws.com'),
        description: `Role with which ${scope.node.path} starts ${stateMachine.node.path}`,
      });
      return new targets.SfnStateMachine(stateMachine, { ...delivery, role, input: options.input });
    });
  }

  /**
   * Sends the event to a standard queue.
   *
   * @param queue the queue to send to
   * @param options retries, dead-letter queue and input
   */
  public static queue(queue: sqs.IQueue, options: SecureRuleTargetOptions = {}): SecureRuleTarget {
    checkTarget('SecureRuleTarget', TargetKind.QUEUE, queue, options, RULE_INPUT);
    return new SecureRuleTarget(options, (_scope, _id, delivery) => new targets.SqsQueue(queue, { ...delivery, message: options.input }));
  }

  private constructor(
    private readonly options: SecureRuleTargetOptions,
    private readonly create: (scope: Construct, id: string, delivery: DeliveryOptions) => events.IRuleTarget,
  ) {}

  /**
   * Creates the rule's dead-letter queue (once per rule) and returns the target.
   */
  public bind(rule: eventsRefs.IRuleRef, id?: string): events.RuleTargetConfig {
    const scope = rule as unknown as Construct;
    const deadLetterQueue = deadLetterQueueOf(scope, this.options);
    admitEventBridge(deadLetterQueue);
    const delivery: DeliveryOptions = {
      deadLetterQueue,
      retryAttempts: this.options.retryAttempts ?? RETRY_ATTEMPTS,
      maxEventAge: this.options.maxEventAge ?? MAX_EVENT_AGE,
    };
    return this.create(scope, id ?? 'Target', delivery).bind(rule, id);
  }
}
