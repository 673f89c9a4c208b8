import { renderCondition } from './permissions';
import { SecurityReportKeyStatement } from './schema';
import { asArray, CfnValue, renderText } from '../guardrails/cfn-values';
import { principalsOf, statementsOf } from '../guardrails/policy-document';
import { keyPolicyContext, keyStatementFindings } from '../guardrails/rules/kms/KmsKeyPolicy';

const RULE = 'ServerlessSecurity-KmsKeyPolicy';

/**
 * Every statement of a key policy, Allow and Deny, with each principal and its
 * conditions, whoever wrote it (the library, aws-cdk-lib, the app), and the
 * `ServerlessSecurity-KmsKeyPolicy` findings it raises: a statement that others
 * added to a library key is either narrowed to its use or listed with its finding.
 */
export function describeKeyStatements(keyPolicy: CfnValue, account: string): SecurityReportKeyStatement[] {
  const statements = statementsOf(keyPolicy);
  const context = keyPolicyContext(statements, account);
  return statements.map((statement) => ({
    ...statement.Sid !== undefined ? { sid: renderText(statement.Sid) } : {},
    effect: renderText(statement.Effect ?? 'Allow'),
    principals: principalsOf(statement),
    actions: asArray(statement.Action).map(renderText),
    ...statement.NotAction !== undefined ? { notActions: asArray(statement.NotAction).map(renderText) } : {},
    resources: asArray(statement.Resource).map(renderText),
    ...statement.Condition !== undefined ? { conditions: renderCondition(statement.Condition) } : {},
    findings: keyStatementFindings(statement, context).map((finding) => `${RULE}[${finding}]`),
  }));
}
