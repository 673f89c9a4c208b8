import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderText } from '../../cfn-values';
import { IndexedResource } from '../../resource-index';

const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.(amazonaws\.com(\.cn)?|<AWS::URLSuffix>)$/;

/**
 * A permission that lets an AWS service invoke a Lambda function names both
 * the source resource (`SourceArn`) and its account (`SourceAccount`), so no
 * other account's resource of that service can invoke it (confused deputy).
 *
 * Applies to every service principal (`*.amazonaws.com`, `*.amazonaws.com.cn`,
 * `<service>.${AWS::URLSuffix}`).
 */
export function LambdaPermissionSource(permission: IndexedResource): NagRuleResult {
  const { Principal: principal, SourceArn: sourceArn, SourceAccount: sourceAccount } = permission.properties;
  if (principal === undefined || !SERVICE_PRINCIPAL.test(renderText(principal))) return NagRuleCompliance.NOT_APPLICABLE;
  return sourceArn !== undefined && sourceAccount !== undefined ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
