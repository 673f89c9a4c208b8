import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isObject } from '../../cfn-values';
import { IndexedResource } from '../../resource-index';

/**
 * A Lambda function with environment variables encrypts them with a
 * customer-managed KMS key (`KmsKeyArn`).
 */
export function LambdaEnvironmentKey(fn: IndexedResource): NagRuleResult {
  const variables = fn.properties.Environment?.Variables;
  if (!isObject(variables) || Object.keys(variables).length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  return fn.properties.KmsKeyArn !== undefined ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
