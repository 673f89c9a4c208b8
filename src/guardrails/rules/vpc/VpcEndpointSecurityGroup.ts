import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, CfnValue, coversTcpPort, isObject, referenceOf, referencedLogicalId } from '../../cfn-values';
import { IndexedResource, ResourceType, TemplateIndex } from '../../resource-index';

const HTTPS = 443;
const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

/**
 * An interface VPC endpoint's security groups do not let the whole network
 * reach it: no ingress that covers port 443 (or all traffic) from `0.0.0.0/0`,
 * `::/0` or the whole CIDR of a VPC (`Fn::GetAtt [Vpc, CidrBlock]`, or the
 * VPC's literal `CidrBlock`). Allow 443 from the security groups of the
 * functions that use the endpoint instead.
 *
 * Reads the groups' inline `SecurityGroupIngress` and the
 * `AWS::EC2::SecurityGroupIngress` resources of the same template; a group
 * imported by id cannot be read and passes.
 */
export function VpcEndpointSecurityGroup(endpoint: IndexedResource): NagRuleResult {
  if (endpoint.properties.VpcEndpointType !== 'Interface') return NagRuleCompliance.NOT_APPLICABLE;
  const { template } = endpoint;
  const broad = asArray(endpoint.properties.SecurityGroupIds)
    .map((groupId) => referencedLogicalId(groupId))
    .filter((groupId): groupId is string => groupId !== undefined)
    .flatMap((groupId) => [
      ...asArray(template.resource(groupId, ResourceType.EC2_SECURITY_GROUP)?.properties.SecurityGroupIngress),
      ...template.ingressRulesOf(groupId),
    ])
    .some((rule) => isObject(rule) && coversTcpPort(rule, HTTPS) && fromWholeNetwork(template, rule));
  return broad ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}


function fromWholeNetwork(template: TemplateIndex, rule: CfnValue): boolean {
  return [rule.CidrIp, rule.CidrIpv6].some((cidr) => {
    if (typeof cidr === 'string') return ANYWHERE.has(cidr) || template.isVpcCidr(cidr);
    const reference = referenceOf(cidr);
    return reference?.attribute === 'CidrBlock' && template.resource(reference.logicalId, ResourceType.EC2_VPC) !== undefined;
  });
}
