import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * A role whose added statements land in a customer-managed policy of its own
 * instead of the inline `DefaultPolicy` aws-cdk-lib grants create.
 *
 * HIPAA, NIST 800-53 R5 and PCI DSS flag inline policies; a customer-managed
 * policy attached to exactly one role is as narrow and passes all of them.
 * aws-cdk-lib grants (tracing, DLQ, environment key, table and queue grants)
 * all go through `addToPrincipalPolicy`, so every one of them lands here.
 */
export class PolicyRole extends iam.Role {
  /** The customer-managed policy attached to this role only. */
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Least-privilege permissions of ${this.node.path}`,
      roles: [this],
    });
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
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
