import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeFinding } from '../core/acknowledgements';
import { PolicyRole } from '../iam/policy-role';

/**
 * Actions AWS authorizes only on `Resource: "*"` that a state machine needs to
 * deliver its logs (CloudWatch Logs vended-log delivery) and its traces (X-Ray).
 */
export const UNSCOPED_SERVICE_ACTIONS = new Set([
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
  'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets',
]);

export const UNSCOPED_SERVICE_REASON =
  'AWS supports no resource-level scoping for these actions: CloudWatch Logs vended-log delivery (logs:*LogDelivery*, '
  + 'logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:DescribeLogGroups) and X-Ray (PutTraceSegments, '
  + 'PutTelemetryRecords, GetSamplingRules, GetSamplingTargets); this policy holds only those statements';

/**
 * The execution role of a SecureStateMachine.
 *
 * - Log-delivery and X-Ray statements, which AWS authorizes only on `*`, go to
 *   a policy of their own (`ServicePolicy`), where exactly that finding is
 *   acknowledged; a `*` the user adds lands in the main policy and is reported.
 * - `lambda:InvokeFunction` on `<fn>` and `<fn>:*` (what `tasks.LambdaInvoke`
 *   writes) is narrowed to `<fn>`: the task invokes exactly the ARN it names,
 *   the function's or the version's or alias's it was given.
 */
export class StateMachineRole extends PolicyRole {
  private servicePolicy?: iam.ManagedPolicy;

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (isUnscopedServiceStatement(statement)) {
      this.serviceStatements().addStatements(statement);
      return { statementAdded: true, policyDependable: this.servicePolicy! };
    }
    return super.addToPrincipalPolicy(withoutQualifierWildcards(Stack.of(this), statement));
  }

  private serviceStatements(): iam.ManagedPolicy {
    if (!this.servicePolicy) {
      this.servicePolicy = new iam.ManagedPolicy(this, 'ServicePolicy', {
        description: `Log delivery and tracing of ${this.node.scope?.node.path}: actions AWS authorizes only on all resources`,
        roles: [this],
      });
      acknowledgeFinding(this.servicePolicy, 'AwsSolutions-IAM5[Resource::*]', UNSCOPED_SERVICE_REASON);
    }
    return this.servicePolicy;
  }

}

/**
 * `statement` without the `<fn>:*` resources that `tasks.LambdaInvoke` writes
 * beside `<fn>`: the task invokes exactly the ARN it names.
 */
export function withoutQualifierWildcards(stack: Stack, statement: iam.PolicyStatement): iam.PolicyStatement {
  if (statement.effect !== iam.Effect.ALLOW || statement.actions.length !== 1 || statement.actions[0] !== 'lambda:InvokeFunction') return statement;
  const resolved = statement.resources.map(resource => JSON.stringify(stack.resolve(resource)));
  const kept = statement.resources.filter((resource, i) => {
    const join = stack.resolve(resource)?.['Fn::Join'];
    const qualifierWildcard = Array.isArray(join) && join[0] === '' && join[1].length === 2 && join[1][1] === ':*'
      && resolved.some((other, j) => j !== i && other === JSON.stringify(join[1][0]));
    return !qualifierWildcard;
  });
  return kept.length === statement.resources.length ? statement : statement.copy({ resources: kept });
}

function isUnscopedServiceStatement(statement: iam.PolicyStatement): boolean {
  return statement.effect === iam.Effect.ALLOW
    && statement.resources.length === 1 && statement.resources[0] === '*'
    && statement.notActions.length === 0 && Object.keys(statement.conditions).length === 0
    && statement.actions.length > 0 && statement.actions.every(action => UNSCOPED_SERVICE_ACTIONS.has(action));
}

/**
 * Narrows, in `policy`, `lambda:InvokeFunction` on `<fn>` and `<fn>:*` (what an
 * aws-cdk-lib invoke grant writes) to `<fn>`, for a caller that invokes exactly
 * the ARN it names (a state machine's task, a schedule's target).
 *
 * @returns whether a statement was narrowed
 */
export function narrowInvokeStatements(policy: iam.Policy): boolean {
  // The document keeps its statements in a list of its own: narrowed in place, so the policy renders them narrowed.
  const statements = (policy.document as unknown as { statements: iam.PolicyStatement[] }).statements;
  const stack = Stack.of(policy);
  let narrowedAny = false;
  statements.forEach((statement, i) => {
    const narrowed = withoutQualifierWildcards(stack, statement);
    if (narrowed === statement) return;
    statements[i] = narrowed;
    narrowedAny = true;
  });
  return narrowedAny;
}
