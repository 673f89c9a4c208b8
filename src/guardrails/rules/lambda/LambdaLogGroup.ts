import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { numberValue, renderText } from '../../cfn-values';
import { IndexedResource } from '../../resource-index';

/** The shortest retention we accept, in days. */
const MIN_LOG_RETENTION_DAYS = 365;

/**
 * A Lambda function writes to its own log group, kept at least a year and
 * encrypted with a KMS key.
 *
 * Its log group is the `AWS::Logs::LogGroup` that `LoggingConfig.LogGroup`
 * points at, or else the one named `/aws/lambda/<FunctionName>`, in the same
 * template. Findings: `LogGroup::missing` (none: Lambda would create one that
 * never expires and is not encrypted), `LogGroup::shared` (another function
 * writes to it too), `RetentionInDays::<value>` (unset or under 365) and
 * `KmsKeyId::missing`.
 */
export function LambdaLogGroup(fn: IndexedResource): NagRuleResult {
  const logGroup = fn.template.logGroupOf(fn);
  if (!logGroup) return ['LogGroup::missing'];
  const findings: string[] = [];
  if (fn.template.logGroupUserCount(logGroup) > 1) findings.push('LogGroup::shared');
  const retention = logGroup.properties.RetentionInDays;
  const days = numberValue(retention);
  if (days === undefined || days < MIN_LOG_RETENTION_DAYS) {
    findings.push(`RetentionInDays::${retention === undefined ? 'unset' : renderText(retention)}`);
  }
  if (logGroup.properties.KmsKeyId === undefined) findings.push('KmsKeyId::missing');
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}
