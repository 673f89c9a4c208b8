import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { PolicyRole } from '../iam/policy-role';

/** The id of the customer-managed policy, under a plain role, that holds the invoke grants of SecureFunctions. */
const INVOKE_POLICY_ID = 'SecureFunctionInvokePolicy';

/**
 * Grants `lambda:InvokeFunction` on `resourceArns` to a plain `iam.Role` of this
 * account through a customer-managed policy attached to that role only, or
 * returns undefined for any other grantee (our PolicyRoles already use
 * customer-managed policies; imported and immutable roles, users, groups and
 * service principals take aws-cdk-lib's own path).
 *
 * aws-cdk-lib puts a grant to a plain role (such as the role its scheduler
 * targets create) in the role's inline `DefaultPolicy`, which HIPAA, NIST 800-53
 * and PCI DSS flag; one customer-managed policy per role, shared by the invoke
 * grants of every SecureFunction, is as narrow and passes them.
 */
export function grantInvokeThroughManagedPolicy(fn: IConstruct, grantee: iam.IGrantable, resourceArns: string[]): iam.Grant | undefined {
  const role = grantee.grantPrincipal;
  if (!(role instanceof iam.Role) || role instanceof PolicyRole || Stack.of(role).account !== Stack.of(fn).account) return undefined;
  const policy = role.node.tryFindChild(INVOKE_POLICY_ID) as iam.ManagedPolicy | undefined
    ?? new iam.ManagedPolicy(role, INVOKE_POLICY_ID, {
      description: `Lambda invoke permissions of ${role.node.path}, granted by SecureFunctions`,
      roles: [role],
    });
  return iam.Grant.addToPrincipal({ grantee: new ManagedPolicyPrincipal(role, policy), actions: ['lambda:InvokeFunction'], resourceArns });
}

/** The role as a principal whose added statements land in one customer-managed policy. */
class ManagedPolicyPrincipal implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly assumeRoleAction: string;
  public readonly policyFragment: iam.PrincipalPolicyFragment;
  public readonly principalAccount?: string;

  constructor(role: iam.Role, private readonly policy: iam.ManagedPolicy) {
    this.assumeRoleAction = role.assumeRoleAction;
    this.policyFragment = role.policyFragment;
    this.principalAccount = role.principalAccount;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
