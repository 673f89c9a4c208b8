import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { invalidProp } from '../core/errors';

/**
 * A role whose added statements land in a customer-managed policy of its own
 * instead of the inline `DefaultPolicy` aws-cdk-lib grants create.
 *
 * HIPAA, NIST 800-53 R5 and PCI DSS flag inline policies; a customer-managed
 * policy attached to exactly one role is as narrow and passes all of them.
 * aws-cdk-lib grants (tracing, DLQ, environment key, table and queue grants)
 * all go through `addToPrincipalPolicy`, so every one of them lands here.
 *
 * A managed policy holds at most 6,144 characters, so statements spill into a
 * second policy (`Policy2`, ...) before the first would exceed it, instead of
 * failing at deploy time. The size is estimated from the template with every
 * reference counted as a long ARN.
 */
export class PolicyRole extends iam.Role {
  /** The first customer-managed policy attached to this role only. */
  public readonly policy: iam.ManagedPolicy;
  /** Every customer-managed policy of this role, in order. */
  public readonly policies: iam.ManagedPolicy[] = [];
  private currentSize = 0;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
    this.policy = this.newPolicy();
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const size = estimatedSize(Stack.of(this).resolve(statement.toStatementJson()));
    let target = this.policies[this.policies.length - 1];
    if (this.currentSize > 0 && this.currentSize + size > POLICY_BUDGET) {
      target = this.newPolicy();
      this.currentSize = 0;
    }
    target.addStatements(statement);
    this.currentSize += size;
    return { statementAdded: true, policyDependable: target };
  }

  private newPolicy(): iam.ManagedPolicy {
    if (this.policies.length >= MAX_POLICIES) {
      invalidProp(this, 'permissions', `${this.policies.length} managed policies`,
        `at most ${MAX_POLICIES} managed policies of about ${POLICY_BUDGET} characters each per role; split the function's work`);
    }
    const policy = new iam.ManagedPolicy(this, this.policies.length === 0 ? 'Policy' : `Policy${this.policies.length + 1}`, {
      description: `Least-privilege permissions of ${this.node.path}`,
      roles: [this],
    });
    this.policies.push(policy);
    return policy;
  }
}

/** Characters of a managed policy document IAM accepts is 6,144; keep room for the document wrapper. */
const POLICY_BUDGET = 5_800;
/** IAM's default quota of managed policies attached to one role. */
const MAX_POLICIES = 10;
/** A reference resolves to an ARN at deploy time; count it as a long one. */
const REFERENCE_SIZE = 120;

/** The characters a resolved statement takes once deployed, references counted as ARNs. */
function estimatedSize(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + estimatedSize(item) + 1, 2);
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return REFERENCE_SIZE;
    return keys.reduce((sum, key) => sum + key.length + 4 + estimatedSize((value as Record<string, unknown>)[key]), 2);
  }
  return JSON.stringify(value ?? null).length;
}

/**
 * A service principal whose trust is pinned to this stack's account with
 * `aws:SourceAccount`, against the confused-deputy problem.
 */
export function accountPinnedServicePrincipal(scope: Construct, service: string): iam.IPrincipal {
  return new iam.ServicePrincipal(service).withConditions({
    StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
  });
}
