import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isObject, renderValue } from '../../cfn-values';
import { credentialInText, looksLikeCredential } from '../../credentials';
import { IndexedResource } from '../../resource-index';

/**
 * No environment variable of a Lambda function holds a literal credential.
 *
 * A literal value is judged by its name and its shape (`looksLikeCredential`);
 * a value built with intrinsics by the shape of its literal parts only, which
 * catches `{{resolve:secretsmanager:...}}` references. One finding per
 * variable: `Variable::DB_PASSWORD`.
 */
export function LambdaEnvironmentCredential(fn: IndexedResource): NagRuleResult {
  const variables = fn.properties.Environment?.Variables;
  if (!isObject(variables)) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = Object.entries(variables)
    .filter(([name, value]) => typeof value === 'string'
      ? looksLikeCredential(name, value)
      : credentialInText(renderValue(value, () => '\n').text, name))
    .map(([name]) => `Variable::${name}`);
  return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
}
