import { Mixin, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct, IConstruct } from 'constructs';
import { recordHardening, recordRuntimeChange } from './changes';
import { ownerOf } from './data-store-support';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps, hardeningBaseline, isLibraryManaged, roleNamedBy } from './hardening-scope';
import { managedInsteadOfInline } from './managed-instead-of-inline';
import { keyThroughStatement } from '../encryption/key-conditions';
import { deadLetterQueueOf, MAX_EVENT_AGE, RETRY_ATTEMPTS } from '../workflow/delivery-defaults';
import { SCHEDULE_CONTEXT } from '../workflow/secure-schedule';
import { narrowInvokeStatements } from '../workflow/state-machine-role';

const MIXIN = 'ScheduleHardening';

/**
 * Hardens a plain EventBridge Scheduler schedule (`scheduler.Schedule` or
 * `scheduler.CfnSchedule`) in place as SecureSchedule does:
 *
 * - the target input encrypted with the baseline key, which the target role may
 *   use to decrypt this schedule's input only (encryption context);
 * - a target without a dead-letter queue gets the schedule's SecureQueue, which
 *   the target role may send to; a target without a retry policy is retried 3
 *   times within an hour (Scheduler's default is 185 times within 24 hours)
 *   before its invocation goes there: shown at synth and in the security report;
 * - `lambda:InvokeFunction` on `<fn>:*` beside `<fn>` (what the aws-cdk-lib
 *   target writes) narrowed to `<fn>`, which the schedule invokes, and the
 *   target role's inline policy made customer-managed.
 *
 * Its time window, state and expression are left as they are: when the schedule
 * runs is the app's decision.
 *
 * @example
 * Mixins.of(this).apply(new ScheduleHardening());
 */
export class ScheduleHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  public supports(construct: IConstruct): boolean {
    return (construct instanceof scheduler.Schedule || construct instanceof scheduler.CfnSchedule) && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const schedule = construct instanceof scheduler.Schedule ? construct : ownerOf(construct as scheduler.CfnSchedule, scheduler.Schedule);
    const cfn = (schedule?.node.defaultChild ?? construct) as scheduler.CfnSchedule;
    if (Token.isUnresolved(cfn.target)) return;
    const baseline = hardeningBaseline(cfn, MIXIN, this.props);
    const target = cfn.target as scheduler.CfnSchedule.TargetProperty;
    const role = roleNamedBy(cfn, target.roleArn);
    const addToRole = role && this.roleStatements(role, schedule ?? cfn.node.scope as Construct, schedule ? '' : cfn.node.id);
    let hardened = target;

    if (cfn.kmsKeyArn === undefined && addToRole) {
      cfn.kmsKeyArn = baseline.key.keyArn;
      // Scheduler decrypts the input with the target role, naming the schedule in the encryption context.
      addToRole(new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [baseline.key.keyArn],
        conditions: { ArnEquals: { [SCHEDULE_CONTEXT]: schedule?.scheduleArn ?? cfn.attrArn } },
      }));
      recordHardening(cfn, MIXIN, 'target input encrypted with the baseline key, which the target role may use for this schedule\'s input only');
    }
    const retries = Stack.of(cfn).resolve(target.retryPolicy) as scheduler.CfnSchedule.RetryPolicyProperty | undefined;
    if (retries?.maximumRetryAttempts === undefined && retries?.maximumEventAgeInSeconds === undefined) {
      hardened = { ...hardened, retryPolicy: { maximumRetryAttempts: RETRY_ATTEMPTS, maximumEventAgeInSeconds: MAX_EVENT_AGE.toSeconds() } };
      recordRuntimeChange(cfn, MIXIN, `a failed invocation is retried ${RETRY_ATTEMPTS} times within ${MAX_EVENT_AGE.toHours()} hour, `
        + 'where Scheduler retried it 185 times within 24 hours');
    }
    if (target.deadLetterConfig === undefined && addToRole) {
      // Scheduler sends to the dead-letter queue with the target role.
      const queue = deadLetterQueueOf(schedule ?? cfn, {});
      addToRole(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      if (queue.encryptionMasterKey) addToRole(keyThroughStatement(queue.encryptionMasterKey, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs', queue.queueArn));
      hardened = { ...hardened, deadLetterConfig: { arn: queue.queueArn } };
      recordRuntimeChange(cfn, MIXIN, 'an invocation that still fails goes to the schedule\'s encrypted dead-letter queue, where it was dropped');
    }
    cfn.target = hardened;

    const inline = role instanceof iam.Role ? role.node.tryFindChild('DefaultPolicy') : undefined;
    if (inline instanceof iam.Policy) {
      if (narrowInvokeStatements(inline)) recordHardening(cfn, MIXIN, 'lambda:InvokeFunction narrowed to the function ARN the schedule invokes (no ":*")');
      managedInsteadOfInline(inline, MIXIN);
    }
  }

  /**
   * Where the statements the schedule's target role needs go: the L2 role's own
   * policy (made customer-managed), or a customer-managed policy of the
   * schedule's for a role defined as a bare `CfnRole`.
   */
  private roleStatements(role: iam.IRole, home: Construct, prefix: string): (statement: iam.PolicyStatement) => void {
    if (role instanceof iam.Role) return (statement) => role.addToPrincipalPolicy(statement);
    const id = `${prefix}TargetRolePolicy`;
    const policy = (home.node.tryFindChild(id) as iam.ManagedPolicy | undefined) ?? new iam.ManagedPolicy(home, id, {
      description: `Permissions ${MIXIN} gave the target role of ${home.node.path}`,
      roles: [role],
    });
    return (statement) => policy.addStatements(statement);
  }
}
