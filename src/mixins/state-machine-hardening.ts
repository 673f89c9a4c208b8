import { ArnFormat, Mixin, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { recordHardening, recordRuntimeChange } from './changes';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps, hardeningBaseline, isLibraryManaged, roleNamedBy } from './hardening-scope';
import { managedInsteadOfInline } from './managed-instead-of-inline';
import { pinNamedRoleTrustToAccount, pinServiceTrustToAccount } from './service-trust';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeFinding } from '../core/acknowledgements';
import { narrowInvokeStatements, UNSCOPED_SERVICE_REASON } from '../workflow/state-machine-role';

const MIXIN = 'StateMachineHardening';
/** How long Step Functions reuses a data key, as aws-cdk-lib's CustomerManagedEncryptionConfiguration sets it. */
const KEY_REUSE_SECONDS = 300;

/**
 * Hardens a plain Step Functions state machine (`sfn.StateMachine` or
 * `sfn.CfnStateMachine`) in place as SecureStateMachine does:
 *
 * - every event logged (ALL), without execution data, to a log group encrypted
 *   with the baseline key and retained;
 * - X-Ray tracing;
 * - the log-delivery and X-Ray statements, which AWS authorizes only on `*`, in
 *   a customer-managed policy of their own where exactly that finding is acknowledged;
 * - `lambda:InvokeFunction` on `<fn>:*` beside `<fn>` (what `tasks.LambdaInvoke`
 *   writes) narrowed to `<fn>`, and the role's inline policy made customer-managed;
 * - the role's trust in Step Functions limited to this account (`aws:SourceAccount`),
 *   as SecureStateMachine's role has it.
 *
 * - the definition and execution history encrypted with the baseline key (a
 *   change CloudFormation makes without replacing the state machine), which the
 *   execution role may use for this state machine only: whoever reads its
 *   executions (the console, `DescribeExecution`) then needs `kms:Decrypt` on the
 *   key, which is shown at synth and in the security report.
 *
 * A state machine that sets its own logging, tracing or encryption keeps it.
 *
 * @example
 * Mixins.of(this).apply(new StateMachineHardening());
 */
export class StateMachineHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  public supports(construct: IConstruct): boolean {
    return (construct instanceof sfn.StateMachine || construct instanceof sfn.CfnStateMachine) && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const machine = construct instanceof sfn.StateMachine ? construct
      : construct.node.scope instanceof sfn.StateMachine && construct.node.scope.node.defaultChild === construct ? construct.node.scope : undefined;
    const cfn = (machine?.node.defaultChild ?? construct) as sfn.CfnStateMachine;
    const home = (machine ?? cfn.node.scope) as Construct;
    const prefix = machine ? '' : cfn.node.id;
    const baseline = hardeningBaseline(cfn, MIXIN, this.props);
    const statements: iam.PolicyStatement[] = [];
    if (cfn.loggingConfiguration === undefined) {
      const group = baseline.createLogGroup(home, `${prefix}LogGroup`, `execution logs of ${cfn.node.path}`);
      cfn.loggingConfiguration = {
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
        destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: group.logGroupArn } }],
      };
      statements.push(new iam.PolicyStatement({
        actions: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
        resources: ['*'],
      }));
      recordHardening(cfn, MIXIN, 'every event logged (ALL, without execution data) to a log group encrypted with the baseline key and retained');
    }
    const tracing = Stack.of(cfn).resolve(cfn.tracingConfiguration) as { enabled?: boolean } | undefined;
    if (tracing?.enabled !== true) {
      cfn.tracingConfiguration = { enabled: true };
      statements.push(new iam.PolicyStatement({
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
        resources: ['*'],
      }));
      recordHardening(cfn, MIXIN, 'X-Ray tracing');
    }
    // An L1's role is found by its ARN: its log delivery needs the same statements as an L2's.
    const role = machine?.role ?? roleNamedBy(cfn, cfn.roleArn);
    this.encryption(cfn, baseline, home, prefix, role);
    if (statements.length > 0 && role) {
      const policy = new iam.ManagedPolicy(home, `${prefix}ServicePolicy`, {
        description: `Log delivery and tracing of ${cfn.node.path}: actions AWS authorizes only on all resources`,
        statements,
        roles: [role],
      });
      acknowledgeFinding(policy, 'AwsSolutions-IAM5[Resource::*]', UNSCOPED_SERVICE_REASON);
      // Step Functions checks the role's log-delivery permissions when it creates or updates the state machine.
      cfn.node.addDependency(policy);
    }
    if (role instanceof iam.Role) this.narrowRolePolicy(role, cfn);
    // aws-cdk-lib's trust policy conditions on nothing; Step Functions names the calling account in aws:SourceAccount.
    // https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html#prevent-cross-service-confused-deputy
    const pinned = role instanceof iam.Role
      ? pinServiceTrustToAccount(role, 'states.amazonaws.com')
      : pinNamedRoleTrustToAccount(cfn, cfn.roleArn, 'states.amazonaws.com');
    if (pinned) recordHardening(cfn, MIXIN, `its role may be assumed by Step Functions for account ${Stack.of(cfn).account} only (aws:SourceAccount)`);
  }

  /**
   * The baseline key for the definition and execution history, with the key use
   * Step Functions makes with the execution role: for this state machine (its
   * ARN, or this account's state machines when CloudFormation names it, since a
   * reference would have to wait for the state machine the role must serve), and
   * for its log delivery. The statements aws-cdk-lib writes for
   * `CustomerManagedEncryptionConfiguration`, which SecureStateMachine uses.
   */
  private encryption(cfn: sfn.CfnStateMachine, baseline: SecurityBaseline, home: Construct, prefix: string, role: iam.IRole | undefined): void {
    if (cfn.encryptionConfiguration !== undefined || !role) return;
    const stack = Stack.of(cfn);
    const key = baseline.key;
    cfn.encryptionConfiguration = { type: 'CUSTOMER_MANAGED_KMS_KEY', kmsKeyId: key.keyArn, kmsDataKeyReusePeriodSeconds: KEY_REUSE_SECONDS };
    const name = cfn.stateMachineName;
    const named = typeof name === 'string' && !Token.isUnresolved(name);
    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: named ? name : '*',
    });
    const statements = [new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { [named ? 'StringEquals' : 'StringLike']: { 'kms:EncryptionContext:aws:states:stateMachineArn': stateMachineArn } },
    })];

    if (cfn.loggingConfiguration !== undefined) {
      statements.push(new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:EncryptionContext:SourceArn': stack.formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }));
      key.addToResourcePolicy(new iam.PolicyStatement({
        resources: ['*'], actions: ['kms:Decrypt*'], principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
      }));
    }
    if (role instanceof iam.Role) {
      for (const statement of statements) role.addToPrincipalPolicy(statement);
    } else {
      // Step Functions uses the key with the execution role from the first execution on.
      cfn.node.addDependency(new iam.ManagedPolicy(home, `${prefix}KeyPolicy`, {
        description: `Key use of ${cfn.node.path}'s execution role`, statements, roles: [role],
      }));
    }
    recordRuntimeChange(cfn, MIXIN, 'definition and execution history encrypted with the baseline key, which the execution role may use '
      + 'for this state machine only: whoever reads its executions (the console, DescribeExecution, GetExecutionHistory) needs kms:Decrypt on the key');
  }

  private narrowRolePolicy(role: iam.Role, cfn: sfn.CfnStateMachine): void {
    const inline = role.node.tryFindChild('DefaultPolicy');
    if (!(inline instanceof iam.Policy)) return;
    if (narrowInvokeStatements(inline)) recordHardening(cfn, MIXIN, 'lambda:InvokeFunction narrowed to the function ARNs its tasks name (no ":*")');
    managedInsteadOfInline(inline, MIXIN);
  }
}

