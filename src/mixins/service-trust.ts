import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { cfnRoleNamedBy } from './hardening-scope';
import { conditionOn, servicesOf, statementsOf } from '../iam/statements';

/** The keys that name the caller of a trust statement: one of them set, the statement is left. */
const SOURCE_KEYS = ['aws:sourceaccount', 'aws:sourcearn'];

/** Whether a trust document's statement (the template's JSON) already names its caller by a source key. */
function documentNamesSource(condition: Record<string, Record<string, unknown>> | undefined): boolean {
  return Object.values(condition ?? {}).some(entries => Object.keys(entries ?? {}).some(key => SOURCE_KEYS.includes(key.toLowerCase())));
}

/**
 * Limits a role's trust in an AWS service to this account's resources: each
 * `Allow` statement that trusts `service` and conditions on neither
 * `aws:SourceAccount` nor `aws:SourceArn` gets `aws:SourceAccount` equal to the
 * stack's account. The service sends that key when it assumes the role on
 * behalf of a resource (the cross-service confused-deputy protection of the
 * IAM guide), so the role keeps working for this account's resources.
 *
 * Works on an L2 `iam.Role` (its trust statements) and on a bare `iam.CfnRole`
 * (its trust document). Returns whether a statement was pinned.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention
 */
export function pinServiceTrustToAccount(role: iam.Role | iam.CfnRole, service: string): boolean {
  const stack = Stack.of(role);
  if (role instanceof iam.Role) {
    let pinned = false;
    for (const statement of statementsOf(role.assumeRolePolicy)) {
      const trusts = statement.effect === iam.Effect.ALLOW && servicesOf(stack, statement).includes(service);
      if (!trusts || SOURCE_KEYS.some(key => conditionOn(statement, key) !== undefined)) continue;
      statement.addCondition('StringEquals', { 'aws:SourceAccount': stack.account });
      pinned = true;
    }
    return pinned;
  }
  const document = stack.resolve(role.assumeRolePolicyDocument) as { Statement?: unknown } | undefined;
  if (!document || !Array.isArray(document.Statement)) return false;
  let pinned = false;
  const statements = document.Statement.map((statement: any) => {
    const trusts = statement?.Effect === 'Allow' && [statement?.Principal?.Service].flat().includes(service);
    if (!trusts || documentNamesSource(statement.Condition)) return statement;
    pinned = true;
    const condition = statement.Condition ?? {};
    return { ...statement, Condition: { ...condition, StringEquals: { ...condition.StringEquals, 'aws:SourceAccount': stack.account } } };
  });
  if (pinned) role.assumeRolePolicyDocument = { ...document, Statement: statements };
  return pinned;
}

/**
 * The same for the role a resource names by `roleArn` in this stack: the L2
 * role when the `CfnRole` is one's default child, else the bare `CfnRole`.
 * Roles imported or in another stack are not changed.
 */
export function pinNamedRoleTrustToAccount(resource: IConstruct, roleArn: unknown, service: string): boolean {
  const cfnRole = cfnRoleNamedBy(resource, roleArn);
  if (!cfnRole) return false;
  const parent = cfnRole.node.scope;
  return pinServiceTrustToAccount(parent instanceof iam.Role && parent.node.defaultChild === cfnRole ? parent : cfnRole, service);
}
