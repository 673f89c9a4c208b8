import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The statements of a policy document as aws-cdk-lib keeps them (a trust policy, a resource policy). */
export function statementsOf(document: iam.PolicyDocument | undefined): iam.PolicyStatement[] {
  return document ? ((document as unknown as { statements: iam.PolicyStatement[] }).statements ?? []) : [];
}

/** The service principals a statement names, resolved. */
export function servicesOf(stack: Stack, statement: iam.PolicyStatement): string[] {
  return statement.principals.flatMap(p => [stack.resolve(p.policyFragment.principalJson.Service)].flat());
}

/** The value of the statement's condition on `key` (lower case), under any operator. */
export function conditionOn(statement: iam.PolicyStatement, key: string): unknown {
  for (const entries of Object.values<Record<string, unknown>>(statement.conditions)) {
    const found = Object.entries(entries).find(([k]) => k.toLowerCase() === key);
    if (found) return found[1];
  }
  return undefined;
}
