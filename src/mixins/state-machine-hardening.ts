import { Mixin, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps, hardeningBaseline, isLibraryManaged } from './hardening-scope';
import { managedInsteadOfInline } from './managed-instead-of-inline';
import { acknowledgeFinding } from '../core/acknowledgements';
import { UNSCOPED_SERVICE_REASON, withoutQualifierWildcards } from '../workflow/state-machine-role';

const MIXIN = 'StateMachineHardening';

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
 * A state machine that sets its own logging or tracing keeps it. Its encryption
 * is left as it is: a customer-managed key on a running state machine needs the
 * role's key use scoped to its ARN, which you decide with SecureStateMachine.
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
    const role = machine?.role;
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
    if (role instanceof iam.Role) {
      this.narrowRolePolicy(role, cfn);
      pinTrustToAccount(role, cfn);
    }
  }

  private narrowRolePolicy(role: iam.Role, cfn: sfn.CfnStateMachine): void {
    const inline = role.node.tryFindChild('DefaultPolicy');
    if (!(inline instanceof iam.Policy)) return;
    // The document keeps its statements in a list of its own: narrowed in place, so the policy renders them narrowed.
    const statements = (inline.document as unknown as { statements: iam.PolicyStatement[] }).statements;
    const stack = Stack.of(role);
    statements.forEach((statement, i) => {
      const narrowed = withoutQualifierWildcards(stack, statement);
      if (narrowed === statement) return;
      statements[i] = narrowed;
      recordHardening(cfn, MIXIN, 'lambda:InvokeFunction narrowed to the function ARNs its tasks name (no ":*")');
    });
    managedInsteadOfInline(inline, MIXIN);
  }
}

/**
 * The role trusts Step Functions for this account's state machines only: the
 * service names the calling account in `aws:SourceAccount` when it assumes the
 * role, and aws-cdk-lib's trust policy conditions on nothing.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html#prevent-cross-service-confused-deputy
 */
function pinTrustToAccount(role: iam.Role, cfn: sfn.CfnStateMachine): void {
  const stack = Stack.of(role);
  const statements = (role.assumeRolePolicy as unknown as { statements?: iam.PolicyStatement[] } | undefined)?.statements ?? [];
  for (const statement of statements) {
    const trustsStates = statement.effect === iam.Effect.ALLOW
      && statement.principals.some(p => [stack.resolve(p.policyFragment.principalJson.Service)].flat().includes('states.amazonaws.com'));
    const keys = Object.values<Record<string, unknown>>(statement.conditions).flatMap(entries => Object.keys(entries).map(key => key.toLowerCase()));
    if (!trustsStates || keys.includes('aws:sourceaccount') || keys.includes('aws:sourcearn')) continue;
    statement.addCondition('StringEquals', { 'aws:SourceAccount': stack.account });
    recordHardening(cfn, MIXIN, `its role may be assumed by Step Functions for account ${stack.account} only (aws:SourceAccount)`);
  }
}
