import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, CfnValue, coversTcpPort, isObject, referencedLogicalId, renderText } from '../../cfn-values';
import { CalledService, servicesCalledBy } from '../../function-services';
import { IndexedResource, ResourceType, TemplateIndex } from '../../resource-index';

const HTTPS = 443;
const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);
/** The rule aws-cdk-lib writes into a group that may send nothing (`allowAllOutbound: false`). */
const NO_TRAFFIC_CIDR = '255.255.255.255/32';

/** What a function's security groups let it send on 443. */
interface Egress {
  /** To any address (or no egress rule at all, which EC2 reads as all traffic). */
  readonly anywhere: boolean;
  /** To a prefix list (a gateway endpoint's). */
  readonly prefixList: boolean;
  /** The template's security groups it may reach, by logical id. */
  readonly groups: ReadonlySet<string>;
  /** To a security group outside the template (an existing endpoint's, a peered workload's). */
  readonly outside: boolean;
}

/**
 * A function in a VPC has a private path to every service its role's
 * statements let its code call (see `servicesCalledBy`): an interface endpoint
 * of the service its security groups send 443 to, a gateway endpoint (S3,
 * DynamoDB) and egress to a prefix list, or, for a service no endpoint serves,
 * egress to anywhere from subnets that route to the internet. Egress to a
 * security group outside the template counts as a path to an existing endpoint.
 *
 * A function whose role, security groups or subnets are outside the template
 * is judged on what the template shows: an imported role names no service,
 * imported security groups and subnets are trusted.
 */
export function LambdaNetworkPath(fn: IndexedResource): NagRuleResult {
  const paths = networkPathsOf(fn);
  if (paths === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const missing = paths.filter((path) => path.via === undefined).map((path) => path.service.endpoint?.service ?? path.service.prefix);
  return missing.length > 0 ? missing : NagRuleCompliance.COMPLIANT;
}

/** How a function reaches one service it may call. */
export interface NetworkPath {
  readonly service: CalledService;
  /** How, when it can: undefined when nothing routes the call. */
  readonly via?: NetworkRoute;
}

/** One way a function reaches a service. */
export interface NetworkRoute {
  readonly kind: 'interface endpoint' | 'gateway endpoint' | 'outside the template' | 'internet';
  /** The endpoint of the template it goes through. */
  readonly endpoint?: IndexedResource;
}

/**
 * The services a function in a VPC may call and how it reaches each, as the
 * template shows them; undefined for a function outside a VPC. A function whose
 * security groups are outside the template reaches every service as far as the
 * template can tell.
 */
export function networkPathsOf(fn: IndexedResource): NetworkPath[] | undefined {
  const config = isObject(fn.properties.VpcConfig) ? fn.properties.VpcConfig : undefined;
  const groupValues = asArray(config?.SecurityGroupIds);
  if (groupValues.length === 0) return undefined;
  const services = servicesCalledBy(fn);
  if (services.length === 0) return [];
  const { template } = fn;
  const egress = egressOf(template, groupValues);
  if (egress === undefined) return services.map((service) => ({ service, via: { kind: 'outside the template' } }));
  const internet = routesToInternet(template, asArray(config?.SubnetIds));
  return services.map((service) => ({ service, via: routeTo(template, service, egress, internet) }));
}

function routeTo(template: TemplateIndex, service: CalledService, egress: Egress, internet: boolean | undefined): NetworkRoute | undefined {
  const viaInternet: NetworkRoute | undefined = egress.anywhere && internet !== false ? { kind: 'internet' } : undefined;
  if (!service.endpoint) return viaInternet;
  const endpoints = template.endpoints.filter((endpoint) => servesService(endpoint, service.endpoint!.service));
  if (service.endpoint.kind === 'gateway') {
    const gateway = endpoints.find((endpoint) => endpoint.properties.VpcEndpointType !== 'Interface');
    if ((egress.prefixList || egress.anywhere) && gateway) return { kind: 'gateway endpoint', endpoint: gateway };
    if ((egress.prefixList || egress.anywhere) && internet === undefined) return { kind: 'outside the template' };
    return viaInternet;
  }
  const endpoint = endpoints.find((candidate) => candidate.properties.VpcEndpointType === 'Interface'
    && (egress.anywhere || asArray(candidate.properties.SecurityGroupIds).some((group) => egress.groups.has(referencedLogicalId(group) ?? ''))));
  if (endpoint) return { kind: 'interface endpoint', endpoint };
  if (egress.outside) return { kind: 'outside the template' };
  return viaInternet;
}

/** `com.amazonaws.<region>.<service>`, however the region is written. */
function servesService(endpoint: IndexedResource, service: string): boolean {
  return renderText(endpoint.properties.ServiceName).endsWith(`.${service}`);
}

/** The egress of a function's security groups on 443; undefined when one of them is outside the template. */
function egressOf(template: TemplateIndex, groupValues: readonly CfnValue[]): Egress | undefined {
  let anywhere = false;
  let prefixList = false;
  let outside = false;
  const groups = new Set<string>();
  for (const value of groupValues) {
    const groupId = referencedLogicalId(value);
    const group = template.resource(groupId, ResourceType.EC2_SECURITY_GROUP);
    if (!group || groupId === undefined) return undefined;
    const inline = asArray(group.properties.SecurityGroupEgress);
    const rules = [...inline, ...template.egressRulesOf(groupId)].filter((rule) => isObject(rule) && rule.CidrIp !== NO_TRAFFIC_CIDR);
    if (inline.length === 0 && template.egressRulesOf(groupId).length === 0) anywhere = true;
    for (const rule of rules) {
      if (!coversTcpPort(rule, HTTPS)) continue;
      if (ANYWHERE.has(rule.CidrIp) || ANYWHERE.has(rule.CidrIpv6)) anywhere = true;
      if (rule.DestinationPrefixListId !== undefined) prefixList = true;
      if (rule.DestinationSecurityGroupId !== undefined) {
        const destination = referencedLogicalId(rule.DestinationSecurityGroupId);
        if (destination !== undefined && template.resource(destination)) groups.add(destination);
        else outside = true;
      }
    }
  }
  return { anywhere, prefixList, groups, outside };
}

/** Whether any of the subnets routes to the internet; undefined when one is outside the template. */
function routesToInternet(template: TemplateIndex, subnets: readonly CfnValue[]): boolean | undefined {
  let unknown = false;
  for (const subnet of subnets) {
    const routes = template.subnetRoutesToInternet(referencedLogicalId(subnet) ?? '');
    if (routes === true) return true;
    if (routes === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}
