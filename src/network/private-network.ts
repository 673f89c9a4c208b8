import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { hardenDefaultSecurityGroupCloser } from './default-sg-closer';
import { InternetEgress } from './internet-egress';
import { explainAvailabilityZoneLookup, lookUpPrefixListId } from './lookups';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeFindings, recordWaiver } from '../core/acknowledgements';
import { checkIntegerRange, invalidProp, SecureServerlessError } from '../core/errors';
import { checkPropKinds, interfaces, kinds } from '../core/prop-types';
import { accountPinnedServicePrincipal, PolicyRole } from '../iam/policy-role';

/**
 * An interface endpoint that already exists in a bring-your-own VPC.
 */
export interface ExistingInterfaceEndpoint {
  /** The service the endpoint serves. */
  readonly service: ec2.InterfaceVpcEndpointAwsService;
  /** The endpoint, reused instead of creating a second one with conflicting private DNS. */
  readonly endpoint: ec2.IInterfaceVpcEndpoint;
}

/**
 * A gateway endpoint that already exists for the route tables of a
 * bring-your-own VPC's subnets.
 */
export interface ExistingGatewayEndpoint {
  /** The service the endpoint serves: `s3` or `dynamodb`. */
  readonly service: ec2.GatewayVpcEndpointAwsService;
  /** The endpoint, reused: a second one for the same route tables would fail to deploy. */
  readonly endpoint: ec2.IGatewayVpcEndpoint;
}

/**
 * Properties of a PrivateNetwork.
 */
export interface PrivateNetworkProps {
  /**
   * An existing VPC to place functions in instead of creating one.
   *
   * Its flow logs, default security group and gateway endpoints stay its owner's
   * concern; interface endpoints are created in it on demand unless listed in
   * `existingInterfaceEndpoints`.
   *
   * @default - a VPC with isolated subnets is created
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of the VPC that functions and endpoints are placed in.
   *
   * @default - the isolated subnets, or the private subnets with egress when `internetEgress` allows it
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * Interface endpoints that already exist in a bring-your-own VPC.
   *
   * @default - none; endpoints are created on demand
   */
  readonly existingInterfaceEndpoints?: ExistingInterfaceEndpoint[];

  /**
   * Gateway endpoints (S3, DynamoDB) that already exist for the route tables of a
   * bring-your-own VPC's subnets.
   *
   * @default - none; a gateway endpoint is created on first need
   */
  readonly existingGatewayEndpoints?: ExistingGatewayEndpoint[];

  /**
   * Number of availability zones of a created VPC; each interface endpoint costs about
   * $7.30 a month per zone.
   *
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * Address range of a created VPC.
   *
   * @default ec2.IpAddresses.cidr('10.0.0.0/16')
   */
  readonly ipAddresses?: ec2.IIpAddresses;

  /**
   * Whether the network can reach the internet.
   *
   * A created VPC gets NAT gateways only with `InternetEgress.natGateways(reason)`.
   * A given VPC whose selected subnets route to the internet (`PRIVATE_WITH_EGRESS`,
   * `PUBLIC`, or subnets the VPC does not list as isolated) must declare it with
   * `InternetEgress.viaExistingRoutes(reason)`.
   *
   * @default InternetEgress.none()
   */
  readonly internetEgress?: InternetEgress;

  /**
   * Log group receiving the VPC flow logs.
   *
   * @default - an encrypted log group retained for at least a year
   */
  readonly flowLogGroup?: logs.ILogGroup;

  /**
   * Log group of the deploy-time helper that closes the default security group.
   *
   * @default - an encrypted log group retained for at least a year
   */
  readonly helperLogGroup?: logs.ILogGroup;
}

const GATEWAY_SERVICES: Record<string, ec2.GatewayVpcEndpointAwsService> = {
  dynamodb: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
  s3: ec2.GatewayVpcEndpointAwsService.S3,
};

/**
 * A private network for functions: isolated subnets, no internet, flow logs,
 * the default security group closed, and endpoints created only for the
 * services some function's permissions name: gateway endpoints for S3 and
 * DynamoDB (free; reached through their AWS-managed prefix lists) and
 * interface endpoints, each open on 443 only to those functions.
 *
 * A given VPC must tell the truth about its routes: subnets that reach the
 * internet need `InternetEgress.viaExistingRoutes(reason)`.
 */
export class PrivateNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** Where functions and endpoints are placed. */
  public readonly subnets: ec2.SubnetSelection;

  private readonly interfaceEndpoints = new Map<string, ec2.IInterfaceVpcEndpoint>();
  private readonly gatewayEndpoints = new Map<string, ec2.IGatewayVpcEndpoint>();
  private readonly gatewayReachers = new Map<string, Set<ec2.IConnectable>>();
  private readonly prefixListIds = new Map<string, string>();
  /** Whether the subnets functions run in have a route to the internet. */
  public readonly routesToInternet: boolean;

  constructor(scope: Construct, id: string, props: PrivateNetworkProps = {}) {
    super(scope, id);
    checkPropKinds(this.node.path, props, {
      vpc: interfaces.vpc,
      subnets: kinds.struct('an ec2.SubnetSelection'),
      existingInterfaceEndpoints: kinds.arrayOf(kinds.implementing('{ service, endpoint }', 'service', 'endpoint')),
      existingGatewayEndpoints: kinds.arrayOf(kinds.implementing('{ service, endpoint }', 'service', 'endpoint')),
      ipAddresses: kinds.implementing('an ec2.IIpAddresses, e.g. ec2.IpAddresses.cidr("10.0.0.0/16")', 'allocateVpcCidr'),
      internetEgress: kinds.instance(InternetEgress, 'an InternetEgress, e.g. InternetEgress.natGateways(reason)'),
      flowLogGroup: interfaces.logGroup,
      helperLogGroup: interfaces.logGroup,
    });
    checkIntegerRange(this, 'maxAzs', props.maxAzs, 1, 6, 'availability zones');
    const egress = props.internetEgress ?? InternetEgress.none();

    for (const existing of props.existingInterfaceEndpoints ?? []) {
      this.interfaceEndpoints.set(existing.service.name, existing.endpoint);
    }
    for (const existing of props.existingGatewayEndpoints ?? []) {
      const service = Object.keys(GATEWAY_SERVICES).find((name) => GATEWAY_SERVICES[name].name === existing.service.name);
      if (!props.vpc || !service) {
        invalidProp(this, 'existingGatewayEndpoints', existing.service.name,
          'S3 or DynamoDB gateway endpoints of a given `vpc` (a created VPC gets its own on first need)');
      }
      this.gatewayEndpoints.set(service, existing.endpoint);
    }

    if (props.vpc) {
      this.vpc = props.vpc;
      this.subnets = props.subnets ?? defaultSubnets(props.vpc);
      this.routesToInternet = this.checkGivenRoutes(props.vpc, egress);
      return;
    }
    if (egress.existingRoutes) {
      invalidProp(this, 'internetEgress', 'InternetEgress.viaExistingRoutes()',
        'InternetEgress.none() or InternetEgress.natGateways(reason) for a created VPC; viaExistingRoutes declares the routes of a given `vpc`');
    }
    this.routesToInternet = egress.natGatewayCount > 0;

    if (egress.reason) recordWaiver(this, 'internetEgress', `${egress.natGatewayCount} NAT gateway(s)`, egress.reason);
    const subnetConfiguration: ec2.SubnetConfiguration[] = egress.natGatewayCount > 0
      ? [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ]
      : [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }];

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs ?? 2,
      ipAddresses: props.ipAddresses ?? ec2.IpAddresses.cidr('10.0.0.0/16'),
      natGateways: egress.natGatewayCount,
      subnetConfiguration,
      restrictDefaultSecurityGroup: true,
    });
    this.vpc = vpc;
    this.subnets = props.subnets ?? defaultSubnets(vpc);
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)) explainAvailabilityZoneLookup(this);
    if (egress.reason) {
      // NAT gateways need public subnets whose default route is the internet gateway.
      for (const subnet of vpc.publicSubnets) {
        acknowledgeFindings(subnet, [
          'HIPAA.Security-VPCNoUnrestrictedRouteToIGW',
          'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
          'PCI.DSS.321-VPCNoUnrestrictedRouteToIGW',
        ], egress.reason);
      }
    }

    const flowLogRole = new PolicyRole(this, 'FlowLogRole', {
      assumedBy: accountPinnedServicePrincipal(this, 'vpc-flow-logs.amazonaws.com'),
      description: `Writes the flow logs of ${vpc.node.path}`,
    });
    const flowLogGroup = props.flowLogGroup ?? this.requireLogGroup('flowLogGroup');
    new ec2.FlowLog(this, 'FlowLog', {
      resourceType: ec2.FlowLogResourceType.fromVpc(vpc),
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup, flowLogRole),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    const closer = hardenDefaultSecurityGroupCloser(vpc, props.helperLogGroup ?? this.requireLogGroup('helperLogGroup'));
    if (closer && !props.helperLogGroup) SecurityBaseline.of(this).logRetention._acknowledgeOn(closer);
  }

  /**
   * Lets `from` reach an AWS service over HTTPS through its interface endpoint,
   * creating the endpoint on first use.
   *
   * @returns the endpoint
   */
  public allowInterfaceEndpoint(service: ec2.InterfaceVpcEndpointAwsService, from: ec2.IConnectable): ec2.IInterfaceVpcEndpoint {
    let endpoint = this.interfaceEndpoints.get(service.name);
    if (!endpoint) {
      const securityGroup = new ec2.SecurityGroup(this, `${endpointId(service)}SecurityGroup`, {
        vpc: this.vpc,
        allowAllOutbound: false,
        description: `HTTPS to ${service.shortName} from the functions that use it`,
      });
      const created = new ec2.InterfaceVpcEndpoint(this, endpointId(service), {
        vpc: this.vpc,
        service,
        subnets: this.subnets,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [securityGroup],
      });
      pinToAccount(created, this);
      endpoint = created;
      this.interfaceEndpoints.set(service.name, endpoint);
    }
    endpoint.connections.allowFrom(from, ec2.Port.tcp(443), `HTTPS from ${describePeer(from)}`);
    return endpoint;
  }

  /**
   * Lets `from` reach S3 or DynamoDB through its gateway endpoint, creating the
   * endpoint on first use unless the network was given one.
   *
   * Gateway endpoints have no security group: `from` may send HTTPS to the
   * service's AWS-managed prefix list only, looked up by name for the stack's
   * region (offline from `cdk.context.json`, like the availability zones). In an
   * environment-agnostic stack the region, and so the prefix list, is unknown at
   * synth: there `from` may send HTTPS anywhere, which in subnets without a route
   * to the internet reaches only the VPC and its gateway endpoints; a network
   * that routes to the internet needs the stack's `env` instead.
   */
  public allowGatewayEndpoint(service: 'dynamodb' | 's3', from: ec2.IConnectable): void {
    const reachers = this.gatewayReachers.get(service) ?? new Set();
    if (reachers.has(from)) return;
    reachers.add(from);
    this.gatewayReachers.set(service, reachers);
    this.gatewayEndpoint(service);
    const prefixListId = this.prefixListId(service);
    if (prefixListId) {
      from.connections.allowTo(new InlinePrefixList(prefixListId), ec2.Port.tcp(443), `HTTPS to the ${service} gateway endpoint`);
      return;
    }
    if (this.routesToInternet) {
      throw new SecureServerlessError(this.node.path, 'env',
        `invalid env: received an environment-agnostic stack (${Stack.of(this).stackName}) whose network routes to the internet; ` +
        `allowed: a stack with a concrete account and region, so that ${describePeer(from)} reaches the ${service} gateway endpoint through its prefix list instead of the internet`);
    }
    from.connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.tcp(443),
      `HTTPS to the ${service} gateway endpoint (no route to the internet; the prefix list of an environment-agnostic stack is unknown at synth)`);
  }

  /** The gateway endpoint of S3 or DynamoDB, created on first use. */
  private gatewayEndpoint(service: 'dynamodb' | 's3'): ec2.IGatewayVpcEndpoint {
    let endpoint = this.gatewayEndpoints.get(service);
    if (!endpoint) {
      const created = new ec2.GatewayVpcEndpoint(this, `${capitalize(service)}Endpoint`, {
        vpc: this.vpc,
        service: GATEWAY_SERVICES[service],
        subnets: [this.subnets],
      });
      pinToAccount(created, this);
      endpoint = created;
      this.gatewayEndpoints.set(service, endpoint);
    }
    return endpoint;
  }

  /** The id of the AWS-managed prefix list of a gateway service; undefined when the stack's region is unknown. */
  private prefixListId(service: 'dynamodb' | 's3'): string | undefined {
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) return undefined;
    let id = this.prefixListIds.get(service);
    if (!id) {
      id = lookUpPrefixListId(this, service);
      this.prefixListIds.set(service, id);
    }
    return id;
  }

  /**
   * Whether the selected subnets of a given VPC route to the internet: subnets the
   * VPC lists as public or private-with-egress do, and subnets it does not list at
   * all may; either needs `InternetEgress.viaExistingRoutes(reason)`.
   */
  private checkGivenRoutes(vpc: ec2.IVpc, egress: InternetEgress): boolean {
    if (egress.natGatewayCount > 0) {
      invalidProp(this, 'internetEgress', 'InternetEgress.natGateways()',
        'InternetEgress.viaExistingRoutes(reason) or InternetEgress.none() for a given `vpc`: NAT gateways are created only in a VPC the network creates');
    }
    const isolated = new Set(vpc.isolatedSubnets.map((subnet) => subnet.subnetId));
    const routed = new Set([...vpc.publicSubnets, ...vpc.privateSubnets].map((subnet) => subnet.subnetId));
    const selected = vpc.selectSubnets(this.subnets).subnets;
    const outward = selected.filter((subnet) => !isolated.has(subnet.subnetId));
    if (outward.length === 0) {
      if (egress.reason) {
        invalidProp(this, 'internetEgress', 'InternetEgress.viaExistingRoutes()',
          'InternetEgress.none(): the selected subnets are isolated, with no route to the internet to declare');
      }
      return false;
    }
    if (!egress.reason) {
      const names = outward.map((subnet) => `${subnet.subnetId}${routed.has(subnet.subnetId) ? '' : ' (not listed as isolated)'}`);
      throw new SecureServerlessError(this.node.path, 'internetEgress',
        `invalid internetEgress: received none for subnets that may route to the internet (${names.join(', ')}); ` +
        'allowed: InternetEgress.viaExistingRoutes(reason), recorded in the security report, or subnets the VPC lists as isolated (`isolatedSubnetIds`, `subnetType: PRIVATE_ISOLATED`)');
    }
    recordWaiver(this, 'internetEgress', 'existing routes of the given VPC', egress.reason);
    return true;
  }

  /** The interface endpoints that exist in this network, by service name. */
  public get interfaceEndpointServices(): string[] {
    return [...this.interfaceEndpoints.keys()];
  }

  private requireLogGroup(prop: string): logs.ILogGroup {
    return SecurityBaseline.of(this).createLogGroup(this, capitalize(prop.replace(/Group$/, '')) + 'Group', `${prop} of ${this.node.path}`);
  }
}

/**
 * A prefix list as a peer whose rule is written into the security group
 * itself. aws-cdk-lib writes a rule to a prefix list as a resource of its own
 * (one more per function); a literal prefix-list id refers to nothing in the
 * template, so it can be inlined with no risk of a dependency cycle.
 */
class InlinePrefixList implements ec2.IPeer {
  public readonly canInlineRule = true;
  public readonly connections: ec2.Connections = new ec2.Connections({ peer: this });

  constructor(private readonly prefixListId: string) {}

  public get uniqueId(): string {
    return this.prefixListId;
  }

  public toIngressRuleConfig(): any {
    return { sourcePrefixListId: this.prefixListId };
  }

  public toEgressRuleConfig(): any {
    return { destinationPrefixListId: this.prefixListId };
  }
}

function defaultSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  if (vpc.isolatedSubnets.length > 0) return { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
}

function pinToAccount(endpoint: ec2.GatewayVpcEndpoint | ec2.InterfaceVpcEndpoint, scope: Construct): void {
  const account = Stack.of(scope).account;
  endpoint.addToPolicy(new iam.PolicyStatement({
    sid: 'OnlyThisAccount',
    principals: [new iam.AnyPrincipal()],
    actions: ['*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:PrincipalAccount': account, 'aws:ResourceAccount': account } },
  }));
}

function endpointId(service: ec2.InterfaceVpcEndpointAwsService): string {
  return service.shortName.split(/[^a-zA-Z0-9]/).map(capitalize).join('') + 'Endpoint';
}

function describePeer(from: ec2.IConnectable): string {
  const path = (from as any).node?.path;
  return typeof path === 'string' && !Token.isUnresolved(path) ? path : 'a function';
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
