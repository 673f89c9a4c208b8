import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IndexedResource } from '../../resource-index';

/**
 * A Lambda function's execution role is assumed by no other function.
 *
 * Functions share a role when their `Role` names the same role resource, the
 * same literal ARN or the same expression (such as one `Fn::ImportValue`).
 */
export function LambdaSharedRole(fn: IndexedResource): NagRuleResult {
  const role = fn.properties.Role;
  if (role === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return fn.template.functionsUsingRole(role).length > 1 ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
