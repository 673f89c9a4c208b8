import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, CfnValue, isObject } from '../../cfn-values';
import { isAllow, literalActions, principalsOf, statementsOf } from '../../policy-document';
import { IndexedResource } from '../../resource-index';

/** Endpoint types that accept a policy (CloudFormation's default type is Gateway). */
const TYPES_WITH_POLICY = new Set(['Gateway', 'Interface']);

/**
 * A gateway or interface VPC endpoint has a policy, and the policy is not the
 * default full access (an Allow of every action on every resource to every
 * principal with no condition), so the endpoint cannot reach other accounts'
 * resources.
 */
export function VpcEndpointPolicy(endpoint: IndexedResource): NagRuleResult {
  if (!TYPES_WITH_POLICY.has(endpoint.properties.VpcEndpointType ?? 'Gateway')) return NagRuleCompliance.NOT_APPLICABLE;
  const document = endpoint.properties.PolicyDocument;
  if (document === undefined) return NagRuleCompliance.NON_COMPLIANT;
  return statementsOf(document).some(allowsEverything) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

function allowsEverything(statement: CfnValue): boolean {
  return isAllow(statement)
    && (!isObject(statement.Condition) || Object.keys(statement.Condition).length === 0)
    && principalsOf(statement).includes('*')
    && literalActions(statement.Action).includes('*')
    && asArray(statement.Resource).includes('*');
}
