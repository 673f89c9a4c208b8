import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray } from '../../cfn-values';
import { IndexedResource } from '../../resource-index';

/**
 * A Lambda function URL requires IAM authentication and does not allow every
 * origin. Findings: `AuthType::NONE`, `AllowOrigins::*`.
 */
export function LambdaUrlAuth(url: IndexedResource): NagRuleResult {
  const findings: string[] = [];
  if (url.properties.AuthType === 'NONE') findings.push('AuthType::NONE');
  if (asArray(url.properties.Cors?.AllowOrigins).includes('*')) findings.push('AllowOrigins::*');
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}
