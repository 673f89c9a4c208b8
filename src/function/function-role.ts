import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { attachRequiredWildcards, RequiredWildcards, requiredWildcardsOf } from './required-wildcards';
import { PolicyRole } from '../iam/policy-role';

/**
 * The execution role of a SecureFunction.
 *
 * The statements AWS requires on `*` (X-Ray writes, which aws-cdk-lib adds for
 * active tracing, the VPC network-interface actions, and `dynamodb:ListStreams`,
 * which aws-cdk-lib's DynamoDB event source grants) are not written into
 * the function's own policy: the role attaches the stack's shared policy that
 * holds exactly them, acknowledged there. Every other statement, whoever adds
 * it (`addToRolePolicy`, a grant), lands in the function's own policy and is
 * judged on its own.
 */
export class FunctionRole extends PolicyRole {
  /**
   * @param inVpc whether the function runs in a VPC: its role then attaches the shared policy that also holds the network-interface actions
   */
  constructor(scope: Construct, id: string, props: iam.RoleProps, private readonly inVpc: boolean) {
    super(scope, id, props);
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const required = requiredWildcardsOf(statement);
    if (required === undefined) return super.addToPrincipalPolicy(statement);
    const kind = required === RequiredWildcards.STREAM_LISTING ? required
      : this.inVpc || required === RequiredWildcards.TRACING_IN_VPC ? RequiredWildcards.TRACING_IN_VPC : RequiredWildcards.TRACING;
    return { statementAdded: true, policyDependable: attachRequiredWildcards(this, kind) };
  }
}
