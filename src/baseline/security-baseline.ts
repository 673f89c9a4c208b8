import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { claimId } from '../core/construct-ids';
import { SecureServerlessError } from '../core/errors';
import { LogRetention } from '../core/log-retention';
import { ComplianceProfile, defaultProfileOf } from '../core/profile';
import { checkPropKinds, interfaces, kinds } from '../core/prop-types';
import { SecureKey } from '../encryption/secure-key';
import { PrivateNetwork, PrivateNetworkProps } from '../network/private-network';

const BASELINE = Symbol.for('cdk-secure-serverless.SecurityBaseline');
const BASELINE_ID = 'SecurityBaseline';

/**
 * Properties of a SecurityBaseline.
 */
export interface SecurityBaselineProps {
  /**
   * The compliance bar every Secure* construct in the stack is built to.
   *
   * @default - the profile given to `Guardrails.enforce`, else ComplianceProfile.STANDARD
   */
  readonly profile?: ComplianceProfile;

  /**
   * The customer-managed key shared by the stack's logs, queues, topics, tables and
   * function environments.
   *
   * @default - a SecureKey is created on first use
   */
  readonly key?: kms.IKey;

  /**
   * How long every log group the library creates keeps its events.
   *
   * @default LogRetention.ONE_YEAR
   */
  readonly logRetention?: LogRetention;

  /**
   * The private network functions are placed in.
   *
   * @default - a PrivateNetwork with default props is created on first need
   */
  readonly network?: PrivateNetwork;

  /**
   * Properties of the PrivateNetwork created on first need; ignored when `network` is given.
   *
   * @default - PrivateNetwork defaults
   */
  readonly networkProps?: PrivateNetworkProps;

  /**
   * The topic alarms notify.
   *
   * @default - an encrypted topic that accepts only TLS and this account is created on first use
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * What the Secure* constructs of one stack share, to keep cost and resource count
 * low: one customer-managed key, the log defaults, the private network, the alarm
 * topic and the compliance profile.
 *
 * Found with `SecurityBaseline.of(scope)` and created there with defaults on first
 * use; create it yourself, with the id `SecurityBaseline`, before any Secure*
 * construct of the stack to configure it. Shared resources are created only when
 * something needs them, so a second Secure* construct adds no fixed cost.
 */
export class SecurityBaseline extends Construct {
  /**
   * The stack's baseline, created with defaults if it does not exist yet.
   */
  public static of(scope: IConstruct): SecurityBaseline {
    const stack = Stack.of(scope);
    const found = (stack as any)[BASELINE] as SecurityBaseline | undefined;
    return found ?? new SecurityBaseline(stack, claimId(stack, BASELINE_ID, 'the stack\'s SecurityBaseline'));
  }

  /** The compliance bar of this stack. */
  public readonly profile: ComplianceProfile;
  /** Log retention of every log group the library creates. */
  public readonly logRetention: LogRetention;

  private readonly props: SecurityBaselineProps;
  private _key?: kms.IKey;
  private _network?: PrivateNetwork;
  private _alarmTopic?: sns.ITopic;

  constructor(scope: Stack, id: string, props: SecurityBaselineProps = {}) {
    const path = `${scope.node.path}/${id}`;
    if (!Stack.isStack(scope)) {
      throw new SecureServerlessError(path, 'scope', `invalid scope: received ${scope}; allowed: a Stack (one SecurityBaseline per stack)`);
    }
    if ((scope as any)[BASELINE]) {
      throw new SecureServerlessError(path, 'scope',
        `invalid scope: received ${scope.node.path}, which already has a SecurityBaseline; allowed: one per stack, created before any Secure* construct of the stack`);
    }
    checkPropKinds(path, props, {
      profile: kinds.oneOf('ComplianceProfile', Object.values(ComplianceProfile)),
      key: interfaces.key,
      logRetention: kinds.instance(LogRetention, 'a LogRetention, e.g. LogRetention.days(RetentionDays.TWO_YEARS)'),
      network: kinds.instance(PrivateNetwork, 'a PrivateNetwork'),
      networkProps: kinds.struct('PrivateNetworkProps'),
      alarmTopic: interfaces.topic,
    });
    super(scope, id);
    (scope as any)[BASELINE] = this;
    this.props = props;
    this.profile = props.profile ?? defaultProfileOf(scope);
    this.logRetention = props.logRetention ?? LogRetention.ONE_YEAR;
    this.logRetention._bind(this, 'logRetention');
    this._key = props.key;
    this._network = props.network;
    this._alarmTopic = props.alarmTopic;
  }

  /** Whether the stack is built to the REGULATED profile. */
  public get regulated(): boolean {
    return this.profile === ComplianceProfile.REGULATED;
  }

  /** The shared customer-managed key. */
  public get key(): kms.IKey {
    this._key ??= new SecureKey(this, 'Key', { description: `Shared key of ${Stack.of(this).stackName}: logs, queues, topics, tables, function environments` });
    return this._key;
  }

  /** The private network, created on first need. */
  public get network(): PrivateNetwork {
    this._network ??= new PrivateNetwork(this, 'Network', this.props.networkProps);
    return this._network;
  }

  /** The encrypted alarm topic, created on first use. */
  public get alarmTopic(): sns.ITopic {
    if (!this._alarmTopic) {
      this._alarmTopic = new sns.Topic(this, 'AlarmTopic', {
        displayName: 'Security and health alarms',
        masterKey: this.key,
        enforceSSL: true,
      });
    }
    return this._alarmTopic;
  }

  /**
   * Creates a log group encrypted with the shared key, retained, with the baseline's retention.
   *
   * @param scope where the log group is created
   * @param id its construct id
   * @param purpose what it holds, for its description in the report
   * @param retention how long it keeps events; defaults to the baseline's retention
   */
  public createLogGroup(scope: Construct, id: string, purpose: string, retention?: LogRetention): logs.LogGroup {
    const group = new logs.LogGroup(scope, claimId(scope, id, `the log group for ${purpose}`), { removalPolicy: RemovalPolicy.RETAIN });
    return this.hardenLogGroup(group, purpose, retention);
  }

  /**
   * Gives a log group that aws-cdk-lib created (a function's `LogGroup` under
   * `@aws-cdk/aws-lambda:useCdkManagedLogGroup`) what `createLogGroup` gives its
   * own: the shared key, the baseline's retention, retained. Its construct id, so
   * its logical id, stays as aws-cdk-lib made it.
   *
   * @param group the log group
   * @param purpose what it holds, for its description in the report
   * @param retention how long it keeps events; defaults to the baseline's retention
   */
  public hardenLogGroup(group: logs.LogGroup, purpose: string, retention?: LogRetention): logs.LogGroup {
    const period = retention ?? this.logRetention;
    const cfn = group.node.defaultChild as logs.CfnLogGroup;
    cfn.kmsKeyId = this.key.keyArn;
    cfn.retentionInDays = retention ? retention._bind(group.node.scope!, 'logRetention') : period.retentionDays;
    group.applyRemovalPolicy(RemovalPolicy.RETAIN);
    group.node.addMetadata('cdk-secure-serverless:purpose', purpose);
    period._acknowledgeLogGroup(group);
    return group;
  }
}
