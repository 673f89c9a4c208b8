import { createHash } from 'crypto';
import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ExecutionDataLogging } from './execution-data-logging';
import { StateMachineRole } from './state-machine-role';
import { SecurityBaseline } from '../baseline/security-baseline';
import { recordWaiver } from '../core/acknowledgements';
import { claimId } from '../core/construct-ids';
import { checkDurationSeconds, invalidProp } from '../core/errors';
import { LogRetention } from '../core/log-retention';
import { checkPropKinds, interfaces, kinds } from '../core/prop-types';
import { SecureFunction } from '../function/secure-function';
import { accountPinnedServicePrincipal } from '../iam/policy-role';

const SECURE_STATE_MACHINE = Symbol.for('cdk-secure-serverless.SecureStateMachine');

/**
 * Props of `sfn.StateMachineProps` that a SecureStateMachine sets itself, with
 * what to use instead; JavaScript callers could otherwise pass them unnoticed.
 */
const SET_BY_THE_LIBRARY: { [prop: string]: string } = {
  role: 'no role: the state machine creates its own, with customer-managed policies; add statements with addToRolePolicy',
  logs: 'no logs: the state machine logs at level ALL to its own encrypted log group; use executionData and logRetention',
  tracingEnabled: 'no tracingEnabled: X-Ray tracing is always on',
  encryptionConfiguration: 'no encryptionConfiguration: state data is encrypted with encryptionKey (the baseline key by default)',
  definition: 'no definition: pass definitionBody, e.g. sfn.DefinitionBody.fromChainable(chain)',
  removalPolicy: 'no removalPolicy: a state machine holds no data of its own; its execution history is in its retained log group',
};

/**
 * Properties of a SecureStateMachine.
 */
export interface SecureStateMachineProps {
  /**
   * The workflow, e.g. `sfn.DefinitionBody.fromChainable(chain)`.
   */
  readonly definitionBody: sfn.DefinitionBody;

  /**
   * Values substituted for `${name}` placeholders in the definition.
   *
   * @default - no substitutions
   */
  readonly definitionSubstitutions?: { [key: string]: string };

  /**
   * A name for the state machine, 1 to 80 letters, digits, `-` and `_`.
   *
   * The name is always set, because the execution role's key statement must
   * name the state machine's ARN in its encryption-context condition.
   *
   * @default - the stack name and construct path, with a hash, unique per account and region
   */
  readonly stateMachineName?: string;

  /**
   * STANDARD or EXPRESS.
   *
   * @default sfn.StateMachineType.STANDARD
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-standard-vs-express.html
   */
  readonly stateMachineType?: sfn.StateMachineType;

  /**
   * Maximum run time of one execution: up to a year, or five minutes for EXPRESS.
   *
   * @default - no timeout (a STANDARD execution may run up to a year)
   */
  readonly timeout?: Duration;

  /**
   * A comment describing the state machine.
   *
   * @default - no comment
   */
  readonly comment?: string;

  /**
   * Whether log events carry the input and output of each state.
   *
   * @default ExecutionDataLogging.exclude()
   */
  readonly executionData?: ExecutionDataLogging;

  /**
   * How long the state machine's log group keeps events.
   *
   * @default - the baseline's retention, at least one year
   */
  readonly logRetention?: LogRetention;

  /**
   * The customer-managed key encrypting the definition and execution history.
   *
   * @default - the baseline's shared key
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The baseline providing the key, log defaults and alarm topic.
   *
   * @default SecurityBaseline.of(this)
   */
  readonly baseline?: SecurityBaseline;
}

/**
 * A Step Functions state machine that is secure by default.
 *
 * - logging at level ALL (every transition) to its own log group, encrypted with
 *   the baseline key, retained, kept for at least a year; execution data left
 *   out of the logs unless `ExecutionDataLogging.include(reason)`;
 * - X-Ray tracing;
 * - definition and execution history encrypted with a customer-managed key; the
 *   execution role may use the key only for this state machine (encryption
 *   context), and `grantStartExecution`, `grantStartSyncExecution`, `grantRead`
 *   and `grantTaskResponse` add the key use callers need, under the same condition
 *   (and, for a SecureFunction grantee, the Step Functions endpoint in its network);
 * - its own execution role, trusted by Step Functions for this account only, with
 *   customer-managed policies: `tasks.LambdaInvoke` is allowed to invoke exactly
 *   the function, version or alias ARN it names; log delivery and X-Ray, which AWS
 *   authorizes only on `*`, sit in a policy of their own;
 * - an alarm on failed, timed-out and aborted executions to the alarm topic.
 */
export class SecureStateMachine extends sfn.StateMachine {
  /**
   * Whether `x` is a SecureStateMachine.
   */
  public static isSecureStateMachine(x: unknown): x is SecureStateMachine {
    return typeof x === 'object' && x !== null && SECURE_STATE_MACHINE in x;
  }

  /** The key encrypting the definition and execution history. */
  public readonly key: kms.IKey;
  /** The log group receiving the state machine's log events. */
  public readonly logGroup: logs.ILogGroup;
  /** The first customer-managed policy of the execution role. */
  public readonly policy: iam.ManagedPolicy;
  /** The alarm on failed, timed-out and aborted executions. */
  public readonly alarm: cloudwatch.IAlarm;

  private readonly encryptionContextArn: string;

  constructor(scope: Construct, id: string, props: SecureStateMachineProps) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    validate(path, props);
    const baseline = props.baseline ?? SecurityBaseline.of(scope);
    const key = props.encryptionKey ?? baseline.key;
    const stateMachineName = props.stateMachineName ?? generatedName(scope, id);
    const executionData = props.executionData ?? ExecutionDataLogging.exclude();
    const role = new StateMachineRole(scope, claimId(scope, `${id}Role`, `the role of ${id}`), {
      assumedBy: accountPinnedServicePrincipal(scope, 'states.amazonaws.com'),
      description: `Execution role of ${path} only`,
    });
    const logGroup = baseline.createLogGroup(scope, `${id}LogGroup`, `execution logs of ${path}`, props.logRetention);
    if (!Token.isUnresolved(stateMachineName)) {
      // The vended-logs prefix keeps the log group out of the account's size-limited CloudWatch Logs resource policy.
      (logGroup.node.defaultChild as logs.CfnLogGroup).logGroupName = `/aws/vendedlogs/states/${stateMachineName}`;
    }

    super(scope, id, {
      definitionBody: props.definitionBody,
      definitionSubstitutions: props.definitionSubstitutions,
      stateMachineName,
      stateMachineType: props.stateMachineType,
      timeout: props.timeout,
      comment: props.comment,
      role,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: executionData.included },
      tracingEnabled: true,
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(key),
    });
    Object.defineProperty(this, SECURE_STATE_MACHINE, { value: true });
    this.key = key;
    this.logGroup = logGroup;
    this.policy = role.policy;
    this.encryptionContextArn = Stack.of(this).formatArn({
      service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    if (executionData.included) recordWaiver(this, 'executionData', 'include', executionData.reason!);
    this.rejectQualifiedLambdaTasks(props.definitionBody);
    this.alarm = this.createAlarm(baseline);
  }

  /**
   * Grants starting executions, with the key use a caller of an encrypted state
   * machine needs (`kms:GenerateDataKey`, `kms:Decrypt` for this state machine only).
   */
  public grantStartExecution(identity: iam.IGrantable): iam.Grant {
    reach(identity, ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS);
    return super.grantStartExecution(identity).combine(this.grantKey(identity, 'kms:GenerateDataKey', 'kms:Decrypt'));
  }

  /**
   * Grants starting synchronous executions of an EXPRESS state machine, with the key use it needs.
   */
  public grantStartSyncExecution(identity: iam.IGrantable): iam.Grant {
    reach(identity, ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS_SYNC);
    return super.grantStartSyncExecution(identity).combine(this.grantKey(identity, 'kms:GenerateDataKey', 'kms:Decrypt'));
  }

  /**
   * Grants reading the state machine and its executions, with `kms:Decrypt` for this state machine only.
   */
  public grantRead(identity: iam.IGrantable): iam.Grant {
    reach(identity, ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS);
    return super.grantRead(identity).combine(this.grantKey(identity, 'kms:Decrypt'));
  }

  /**
   * Grants sending task results (task tokens), with the key use it needs.
   */
  public grantTaskResponse(identity: iam.IGrantable): iam.Grant {
    reach(identity, ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS);
    return super.grantTaskResponse(identity).combine(this.grantKey(identity, 'kms:GenerateDataKey', 'kms:Decrypt'));
  }

  private grantKey(identity: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee: identity,
      actions,
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': this.encryptionContextArn } },
    });
  }

  /**
   * The deprecated `qualifier` of `tasks.LambdaInvoke` invokes `<fn>:<qualifier>`,
   * which the narrowed invoke statement does not allow.
   */
  private rejectQualifiedLambdaTasks(definitionBody: sfn.DefinitionBody): void {
    if (!(definitionBody instanceof sfn.ChainDefinitionBody)) return;
    const start = definitionBody.chainable.startState;
    for (const state of sfn.State.findReachableStates(start, { includeErrorHandlers: true })) {
      if (state instanceof tasks.LambdaInvoke && (state as any).props?.qualifier !== undefined) {
        invalidProp(this, 'definitionBody', `${state.node.path} with qualifier ${(state as any).props.qualifier}`,
          'LambdaInvoke tasks without the deprecated qualifier: pass the version or alias as lambdaFunction (e.g. fn.currentVersion)');
      }
    }
  }

  private createAlarm(baseline: SecurityBaseline): cloudwatch.IAlarm {
    const period = Duration.minutes(5);
    const alarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.metricFailed({ period, statistic: 'Sum' }),
          timedOut: this.metricTimedOut({ period, statistic: 'Sum' }),
          aborted: this.metricAborted({ period, statistic: 'Sum' }),
        },
        label: 'failed + timed-out + aborted executions',
        period,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${this.node.path}: executions failed, timed out or were aborted`,
    });
    alarm.addAlarmAction(new cw_actions.SnsAction(baseline.alarmTopic));
    return alarm;
  }
}

/** Opens the Step Functions endpoint in a SecureFunction grantee's network. */
function reach(identity: iam.IGrantable, service: ec2.InterfaceVpcEndpointAwsService): void {
  if (SecureFunction.isSecureFunction(identity)) identity.allowInterfaceEndpoint(service);
}

/**
 * The stack name and the path below the stack, with a hash of the whole path:
 * state machine names are unique per account and region.
 */
function generatedName(scope: Construct, id: string): string {
  const stack = Stack.of(scope);
  const below = [...scope.node.scopes.slice(scope.node.scopes.indexOf(stack) + 1).map(s => s.node.id), id].join('-');
  const prefix = Token.isUnresolved(stack.stackName) ? '' : `${stack.stackName}-`;
  const hash = createHash('sha256').update(`${stack.node.path}/${below}`).digest('hex').slice(0, 8);
  const readable = `${prefix}${below}`.replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 80 - hash.length - 1);
  return `${readable}-${hash}`;
}

function validate(path: string, props: SecureStateMachineProps): void {
  if (props === undefined || props === null || typeof props !== 'object') {
    invalidProp(path, 'props', props, 'an object with at least definitionBody');
  }
  for (const [prop, instead] of Object.entries(SET_BY_THE_LIBRARY)) {
    if ((props as any)[prop] !== undefined) invalidProp(path, prop, (props as any)[prop], instead);
  }
  checkPropKinds(path, props, {
    definitionBody: kinds.instance(sfn.DefinitionBody, 'an sfn.DefinitionBody, e.g. sfn.DefinitionBody.fromChainable(chain)'),
    definitionSubstitutions: kinds.struct('an object of placeholder names to strings'),
    stateMachineName: kinds.string(80, /^[a-zA-Z0-9_-]+$/, 'letters, digits, "-" and "_" (1 to 80)'),
    stateMachineType: kinds.oneOf('sfn.StateMachineType', Object.values(sfn.StateMachineType)),
    timeout: kinds.duration,
    comment: kinds.string(1024),
    executionData: kinds.instance(ExecutionDataLogging, 'an ExecutionDataLogging, e.g. ExecutionDataLogging.include(reason)'),
    logRetention: kinds.instance(LogRetention, 'a LogRetention, e.g. LogRetention.days(RetentionDays.TWO_YEARS)'),
    encryptionKey: interfaces.key,
    baseline: kinds.instance(SecurityBaseline, 'a SecurityBaseline'),
  });
  if (props.definitionBody === undefined) {
    invalidProp(path, 'definitionBody', undefined, 'an sfn.DefinitionBody, e.g. sfn.DefinitionBody.fromChainable(chain)');
  }
  const express = props.stateMachineType === sfn.StateMachineType.EXPRESS;
  checkDurationSeconds(path, 'timeout', props.timeout, 1, express ? 300 : 31_536_000,
    express ? '1 to 300 (five minutes, the most an EXPRESS execution runs)' : '1 to 31536000 (one year)');
  for (const [name, value] of Object.entries(props.definitionSubstitutions ?? {})) {
    if (typeof value !== 'string') invalidProp(path, `definitionSubstitutions.${name}`, value, 'a string');
  }
}
