import { Token } from 'aws-cdk-lib';
import { compareText, pushTo, ScannedResource, ScannedStack } from './app-scan';
import { SecurityReportEgressRule, SecurityReportEndpoint, SecurityReportNetwork, SecurityReportSecurityGroup, SecurityReportService } from './schema';
import { asArray, CfnValue, coversTcpPort, isObject, numberValue, referencedLogicalId, referenceOf, renderText } from '../guardrails/cfn-values';
import { ResourceType } from '../guardrails/resource-index';
import { networkPathsOf } from '../guardrails/rules/lambda/LambdaNetworkPath';

const HTTPS = 443;
const EGRESS = 'AWS::EC2::SecurityGroupEgress';
/** The rule aws-cdk-lib writes into a group that may send nothing (`allowAllOutbound: false`). */
const NO_TRAFFIC_CIDR = '255.255.255.255/32';
const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

interface SecurityGroupRules {
  readonly group?: ScannedResource;
  readonly allowsAllOutbound: boolean;
  readonly egress: CfnValue[];
}

/**
 * Where the functions of one template run, and which VPC endpoints they can
 * reach, from the template's security groups, their rules and its endpoints.
 */
export class NetworkIndex {
  private readonly egressByGroup = new Map<string, CfnValue[]>();
  /** Interface endpoints by the security group ids their groups admit on 443. */
  private readonly endpointsAdmitting = new Map<string, ScannedResource[]>();
  /** Interface endpoints that admit a CIDR on 443, reachable from anywhere in their VPC. */
  private readonly openEndpoints: ScannedResource[] = [];
  private readonly gatewayEndpoints: ScannedResource[] = [];
  /** The endpoint each endpoint security group guards. */
  private readonly endpointOfGroup = new Map<string, ScannedResource>();

  constructor(private readonly scan: ScannedStack) {
    for (const egress of scan.resourcesOf(EGRESS)) {
      const groupId = referencedLogicalId(egress.properties.GroupId);
      if (groupId !== undefined) pushTo(this.egressByGroup, groupId, egress.properties);
    }
    for (const endpoint of scan.resourcesOf(ResourceType.EC2_VPC_ENDPOINT)) {
      if (endpoint.properties.VpcEndpointType === 'Gateway' || endpoint.properties.VpcEndpointType === undefined) {
        this.gatewayEndpoints.push(endpoint);
        continue;
      }
      let open = false;
      const admitted = new Set<string>();
      for (const groupId of asArray(endpoint.properties.SecurityGroupIds).map(referencedLogicalId)) {
        if (groupId === undefined) continue;
        this.endpointOfGroup.set(groupId, endpoint);
        const group = scan.resource(groupId, ResourceType.EC2_SECURITY_GROUP);
        for (const rule of [...asArray(group?.properties.SecurityGroupIngress), ...scan.template.ingressRulesOf(groupId)]) {
          if (!isObject(rule) || !coversTcpPort(rule, HTTPS)) continue;
          const source = referencedLogicalId(rule.SourceSecurityGroupId);
          if (source !== undefined) admitted.add(source);
          else if (rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined) open = true;
        }
      }
      for (const source of admitted) pushTo(this.endpointsAdmitting, source, endpoint);
      if (open) this.openEndpoints.push(endpoint);
    }
  }

  /** The network of a function. */
  public describe(fn: ScannedResource): SecurityReportNetwork {
    const config = isObject(fn.properties.VpcConfig) ? fn.properties.VpcConfig : undefined;
    const subnets = asArray(config?.SubnetIds);
    const groupValues = asArray(config?.SecurityGroupIds);
    if (!config || (subnets.length === 0 && groupValues.length === 0)) {
      return { inVpc: false, subnets: [], securityGroups: [], reachableEndpoints: [], services: [] };
    }
    const groups = groupValues.map((value) => this.rulesOf(value));
    const vpcValue = this.scan.referenced(subnets[0])?.properties.VpcId ?? groups.find((g) => g.group)?.group?.properties.VpcId;
    const vpc = vpcValue !== undefined ? renderText(vpcValue) : undefined;
    const services = this.services(fn);
    const anywhereNote = this.anywhereNote(subnets, services);
    return {
      inVpc: true,
      ...vpcValue !== undefined ? { vpc: this.scan.nameOf(vpcValue) } : {},
      subnets: subnets.map((subnet) => this.scan.nameOf(subnet)),
      securityGroups: groupValues.map((value, i) => this.describeGroup(value, groups[i], anywhereNote)),
      reachableEndpoints: this.reachable(groups, vpc),
      services,
    };
  }

  /**
   * What HTTPS to anywhere does from subnets without a route to the internet:
   * it reaches the gateway endpoints the function calls through, the path an
   * environment-agnostic stack takes because it cannot name their prefix lists.
   */
  private anywhereNote(subnets: readonly CfnValue[], services: readonly SecurityReportService[]): string | undefined {
    const gateways = services.filter((service) => service.via === 'gateway endpoint').map((service) => service.service);
    const internet = subnets.map((subnet) => this.scan.template.subnetRoutesToInternet(referencedLogicalId(subnet) ?? ''));
    if (gateways.length === 0 || internet.some((routes) => routes !== false)) return undefined;
    const agnostic = Token.isUnresolved(this.scan.stack.region);
    return `the path to the ${gateways.join(' and ')} gateway endpoint${gateways.length > 1 ? 's' : ''}: the subnets have no route to the internet`
      + (agnostic ? ', and an environment-agnostic stack cannot name the prefix list' : '');
  }

  private services(fn: ScannedResource): SecurityReportService[] {
    return (networkPathsOf(fn) ?? [])
      .map(({ service, via }) => ({
        service: service.endpoint?.service ?? service.prefix,
        actions: [...service.actions].sort(compareText),
        ...via ? { via: via.kind } : {},
        ...via?.endpoint ? { endpoint: (via.endpoint as ScannedResource).path } : {},
      }))
      .sort((a, b) => compareText(a.service, b.service));
  }

  private reachable(groups: readonly SecurityGroupRules[], vpc: string | undefined): SecurityReportEndpoint[] {
    const inVpc = (endpoint: ScannedResource): boolean => vpc === undefined || renderText(endpoint.properties.VpcId) === vpc;
    const candidates = new Set<ScannedResource>(this.openEndpoints.filter(inVpc));
    for (const { group } of groups) {
      for (const endpoint of group ? this.endpointsAdmitting.get(group.logicalId) ?? [] : []) candidates.add(endpoint);
    }
    const reached: SecurityReportEndpoint[] = [];
    for (const endpoint of candidates) {
      const endpointGroups = new Set(asArray(endpoint.properties.SecurityGroupIds).map(referencedLogicalId).filter((id) => id !== undefined));
      const toEndpoint = (rule: CfnValue): boolean => {
        const destination = referencedLogicalId(rule.DestinationSecurityGroupId);
        return rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined || (destination !== undefined && endpointGroups.has(destination));
      };
      const allowed = groups.some((rules) => rules.allowsAllOutbound || rules.egress.some((rule) => coversTcpPort(rule, HTTPS) && toEndpoint(rule)));
      if (allowed) reached.push(describeEndpoint(endpoint));
    }
    const toGateways = groups.some((rules) => rules.allowsAllOutbound || rules.egress.some((rule) => coversTcpPort(rule, HTTPS)
      && (ANYWHERE.has(rule.CidrIp) || rule.DestinationPrefixListId !== undefined)));
    if (toGateways) reached.push(...this.gatewayEndpoints.filter(inVpc).map(describeEndpoint));
    return reached.sort((a, b) => compareText(a.service, b.service) || compareText(a.path, b.path));
  }

  private rulesOf(groupValue: CfnValue): SecurityGroupRules {
    const group = this.scan.referenced(groupValue, ResourceType.EC2_SECURITY_GROUP);
    if (!group) return { allowsAllOutbound: false, egress: [] };
    const inline = asArray(group.properties.SecurityGroupEgress);
    const standalone = this.egressByGroup.get(group.logicalId) ?? [];
    const egress = [...inline, ...standalone].filter((rule) => isObject(rule) && rule.CidrIp !== NO_TRAFFIC_CIDR);
    // EC2 allows all outbound traffic from a group without egress rules; CloudFormation
    // removes that default rule once the template gives the group any egress rule.
    const allowsAllOutbound = (inline.length === 0 && standalone.length === 0)
      || egress.some((rule) => protocolOf(rule) === 'all' && (ANYWHERE.has(rule.CidrIp) || ANYWHERE.has(rule.CidrIpv6)));
    return { group, allowsAllOutbound, egress };
  }

  private describeGroup(groupValue: CfnValue, rules: SecurityGroupRules, anywhereNote: string | undefined): SecurityReportSecurityGroup {
    return {
      path: this.scan.nameOf(groupValue),
      allowsAllOutbound: rules.allowsAllOutbound,
      egress: rules.egress.map((rule) => this.describeEgress(rule, anywhereNote)),
    };
  }

  private describeEgress(rule: CfnValue, anywhereNote: string | undefined): SecurityReportEgressRule {
    const protocol = protocolOf(rule);
    const from = this.portOf(rule.FromPort);
    const to = this.portOf(rule.ToPort);
    const ports = protocol === 'all' || from === undefined || from === '-1' ? 'all' : from === to || to === undefined ? from : `${from}-${to}`;
    const toAnywhere = ANYWHERE.has(rule.CidrIp) || ANYWHERE.has(rule.CidrIpv6);
    const note = toAnywhere && coversTcpPort(rule, HTTPS) ? anywhereNote : undefined;
    let destination: string;
    if (rule.DestinationSecurityGroupId !== undefined) {
      const endpoint = this.endpointOfGroup.get(referencedLogicalId(rule.DestinationSecurityGroupId) ?? '');
      destination = this.scan.nameOf(rule.DestinationSecurityGroupId) + (endpoint ? ` (${serviceOf(endpoint)} endpoint)` : '');
    } else {
      destination = renderText(rule.CidrIp ?? rule.CidrIpv6 ?? rule.DestinationPrefixListId ?? '?');
    }
    return {
      protocol,
      ports,
      destination,
      ...rule.Description !== undefined ? { description: renderText(rule.Description) } : {},
      ...note !== undefined ? { note } : {},
    };
  }

  /**
   * A port as a number, also when the template takes it from the resource it
   * reaches (`Fn::GetAtt [Db, Endpoint.Port]` is the database's `Port`); else
   * rendered, `<Db.Endpoint.Port>`.
   */
  private portOf(value: CfnValue): string | undefined {
    if (value === undefined) return undefined;
    const literal = numberValue(value);
    if (literal !== undefined) return `${literal}`;
    const reference = referenceOf(value);
    const port = reference?.attribute?.endsWith('Port') ? numberValue(this.scan.resource(reference.logicalId)?.properties.Port) : undefined;
    return port !== undefined ? `${port}` : renderText(value);
  }
}

function describeEndpoint(endpoint: ScannedResource): SecurityReportEndpoint {
  return { service: serviceOf(endpoint), endpointType: renderText(endpoint.properties.VpcEndpointType ?? 'Gateway'), path: endpoint.path };
}

/** `com.amazonaws.<region>.sqs` is `sqs`. */
function serviceOf(endpoint: ScannedResource): string {
  const name = renderText(endpoint.properties.ServiceName);
  return /^(?:aws\.api\.)?com\.amazonaws\.[^.]+\.(.+)$/.exec(name)?.[1] ?? name;
}

function protocolOf(rule: CfnValue): string {
  const protocol = String(rule.IpProtocol).toLowerCase();
  return protocol === '-1' || protocol === 'all' ? 'all' : protocol === '6' ? 'tcp' : protocol === '17' ? 'udp' : protocol;
}

