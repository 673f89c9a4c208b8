import { createHash } from 'crypto';
import { AspectPriority, Aspects, IAspect, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { PrivateNetwork } from './private-network';
import { RESOURCE_LESS_ACTIONS } from './resource-less-actions';
import { constructsUnder, countWork, inWorkStep } from '../core/work-count';
import { addDeliveries, FunctionDeliveries, pollerSourceOf, servicesInDocuments } from '../guardrails/function-services';
import { ResourceType } from '../guardrails/resource-index';

/** An endpoint a function asked for by name, beside those its statements name. */
export interface RequestedEndpoint {
  readonly kind: 'gateway' | 'interface';
  readonly service: string | ec2.InterfaceVpcEndpointAwsService;
}

/** A function's place in its network, as the aspect sees it. */
export interface NetworkIdentity {
  readonly securityGroup: ec2.ISecurityGroup;
  /** True when code other than the library used the group: it keeps it, and the rules added to it. */
  readonly ownGroupNeeded: boolean;
  readonly requestedEndpoints: readonly RequestedEndpoint[];
  /** Told, once the aspect has derived them, the endpoints the function reaches, e.g. `gateway:dynamodb`, `interface:sqs`. */
  readonly reached?: (endpoints: readonly string[]) => void;
}

/** What the aspect needs of a function in a private network. */
export interface NetworkedFunction extends IConstruct {
  readonly role?: iam.IRole;
  readonly network?: PrivateNetwork;
  readonly _networkIdentity?: NetworkIdentity;
  readonly deadLetterQueue?: { readonly queueArn: string };
  readonly deadLetterTopic?: { readonly topicArn: string };
  _joinSecurityGroup(shared: ec2.ISecurityGroup): void;
}

const FUNCTIONS = Symbol.for('cdk-secure-serverless.NetworkPaths.functions');

/**
 * Runs after the mutating aspects (which may still add grants) and before the
 * read-only ones and validation.
 */
const PRIORITY = AspectPriority.DEFAULT + 100;

const INTERFACE_SERVICES = new Map<string, ec2.InterfaceVpcEndpointAwsService>();
for (const value of Object.values(ec2.InterfaceVpcEndpointAwsService)) {
  if (value instanceof ec2.InterfaceVpcEndpointAwsService && !INTERFACE_SERVICES.has(value.shortName)) {
    INTERFACE_SERVICES.set(value.shortName, value);
  }
}

/**
 * Gives `fn` the private paths its role's final statements need, whatever wrote
 * them (our grants, aws-cdk-lib grants, `addToRolePolicy`, policies attached to
 * its role), once the app is complete: one aspect per stack.
 */
export function followPermissions(fn: NetworkedFunction): void {
  const stack = Stack.of(fn);
  let functions: NetworkedFunction[] | undefined = (stack as any)[FUNCTIONS];
  if (!functions) {
    functions = [];
    Object.defineProperty(stack, FUNCTIONS, { value: functions });
    Aspects.of(stack).add(new NetworkFollowsPermissions(stack, functions), { priority: PRIORITY });
  }
  functions.push(fn);
}

/**
 * Derives each networked function's services from its role's statements, as
 * the `LambdaNetworkPath` rule does from the template, and opens exactly those
 * endpoints. It reads policies through the
 * constructs rather than rendering resources, so no lazy value of the app is
 * resolved before synthesis.
 */
class NetworkFollowsPermissions implements IAspect {
  constructor(private readonly stack: Stack, private readonly functions: readonly NetworkedFunction[]) {}

  public visit(node: IConstruct): void {
    if (node === this.stack) inWorkStep('aspect:NetworkPaths', () => this.followPermissions());
  }

  private followPermissions(): void {
    const app = new StackConstructs(this.stack);
    const groups = new Map<string, { network: PrivateNetwork; endpoints: Map<string, RequestedEndpoint>; members: NetworkedFunction[] }>();
    const resourceLess = new Map<PrivateNetwork, string[]>();
    for (const fn of this.functions) {
      countWork(fn);
      const { network, role } = fn;
      const identity = fn._networkIdentity;
      if (!network || !identity || !role) continue;
      const endpoints = new Map<string, RequestedEndpoint>();
      for (const requested of identity.requestedEndpoints) endpoints.set(endpointKey(requested), requested);
      const documents = app.documentsOf(role).map((document) => this.stack.resolve(document.toJSON()));
      for (const service of servicesInDocuments(documents, app.deliveriesOf(fn))) {
        if (!service.endpoint) continue;
        const endpoint: RequestedEndpoint = service.endpoint.kind === 'gateway'
          ? { kind: 'gateway', service: service.endpoint.service }
          : { kind: 'interface', service: INTERFACE_SERVICES.get(service.endpoint.service)! };
        endpoints.set(endpointKey(endpoint), endpoint);
      }
      resourceLess.set(network, [...resourceLess.get(network) ?? [], ...resourceLessActionsIn(documents)]);
      identity.reached?.([...endpoints.keys()].sort());
      if (identity.ownGroupNeeded) {
        openEndpoints(network, identity.securityGroup, endpoints.values());
        continue;
      }
      // Functions that reach the same endpoints share one group: its egress is exactly those endpoints.
      const key = `${network.node.addr}:${[...endpoints.keys()].sort().join(',')}`;
      const group = groups.get(key) ?? { network, endpoints, members: [] };
      group.members.push(fn);
      groups.set(key, group);
    }
    for (const { network, endpoints, members } of groups.values()) {
      const shared = this.sharedGroup(network, [...endpoints.keys()].sort());
      for (const fn of members) fn._joinSecurityGroup(shared);
      openEndpoints(network, shared, endpoints.values());
    }
    // Once the endpoints exist: the actions without a resource that some function of the network may call.
    for (const [network, actions] of resourceLess) network._allowResourceLessActions(actions);
  }

  /** The stack's group for functions of `network` that reach exactly `endpoints`. */
  private sharedGroup(network: PrivateNetwork, endpoints: string[]): ec2.SecurityGroup {
    const holder = (this.stack.node.tryFindChild(SHARED_GROUPS_ID) as Construct | undefined) ?? new Construct(this.stack, SHARED_GROUPS_ID);
    const services = endpoints.map((key) => key.split(':')[1]);
    const name = services.length === 0 ? 'NoEndpoint' : services.map(pascal).join('');
    const networkPart = pascal(network.node.id);
    let id = `${networkPart}${name}`;
    if (id.length > 64) id = `${networkPart}${createHash('sha256').update(endpoints.join(',')).digest('hex').slice(0, 12)}`;
    return (holder.node.tryFindChild(id) as ec2.SecurityGroup | undefined) ?? new ec2.SecurityGroup(holder, id, {
      vpc: network.vpc,
      allowAllOutbound: false,
      description: services.length === 0
        ? 'Lambda functions that call no AWS service through the network: no egress'
        : `Lambda functions that call ${services.join(', ')}: HTTPS only to those VPC endpoints`,
    });
  }
}

const SHARED_GROUPS_ID = 'FunctionSecurityGroups';

/** The actions that name no resource (RESOURCE_LESS_ACTIONS) that a statement of the documents allows on every resource. */
function resourceLessActionsIn(documents: any[]): string[] {
  const statements = documents.flatMap((document) => [document?.Statement ?? []].flat())
    .filter((statement: any) => statement.Effect === 'Allow' && [statement.Resource].flat().includes('*'));
  return Object.values(RESOURCE_LESS_ACTIONS).flat().filter((action) => statements.some((statement: any) =>
    [statement.Action].flat().some((allowed: string) => new RegExp(`^${String(allowed).split('*').map(escape).join('.*')}$`, 'i').test(action))));
}

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function endpointKey(endpoint: RequestedEndpoint): string {
  const service = typeof endpoint.service === 'string' ? endpoint.service : endpoint.service.shortName;
  return `${endpoint.kind}:${service}`;
}

function pascal(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}

function openEndpoints(network: PrivateNetwork, securityGroup: ec2.ISecurityGroup, endpoints: Iterable<RequestedEndpoint>): void {
  for (const endpoint of endpoints) {
    if (endpoint.kind === 'gateway') network.allowGatewayEndpoint(endpoint.service as 'dynamodb' | 's3', securityGroup);
    else network.allowInterfaceEndpoint(endpoint.service as ec2.InterfaceVpcEndpointAwsService, securityGroup);
  }
}

/** The policies, function aliases and versions, and invocation settings of one stack, from one walk. */
class StackConstructs {
  /** The stack's policies by the roles they name (`roles` of `iam.Policy` and `iam.ManagedPolicy`). */
  private readonly policiesByRole = new Map<iam.IRole, Array<iam.Policy | iam.ManagedPolicy>>();
  private readonly settings: lambda.CfnEventSourceMapping[] = [];
  private readonly invokeConfigs: lambda.CfnEventInvokeConfig[] = [];
  /** The logical ids that name a function: its own, its versions' and its aliases'. */
  private readonly namesOf = new Map<IConstruct, IConstruct[]>();

  constructor(private readonly stack: Stack) {
    const versions: lambda.Version[] = [];
    const aliases: lambda.Alias[] = [];
    for (const construct of constructsUnder(stack)) {
      if (construct instanceof iam.Policy || construct instanceof iam.ManagedPolicy) {
        for (const role of ((construct as any).roles ?? []) as iam.IRole[]) {
          const policies = this.policiesByRole.get(role) ?? [];
          policies.push(construct);
          this.policiesByRole.set(role, policies);
        }
      } else if (construct instanceof lambda.CfnEventSourceMapping) {
        this.settings.push(construct);
      } else if (construct instanceof lambda.CfnEventInvokeConfig) {
        this.invokeConfigs.push(construct);
      } else if (construct instanceof lambda.Version) {
        versions.push(construct);
      } else if (construct instanceof lambda.Alias) {
        aliases.push(construct);
      }
    }
    for (const version of versions) this.addName(version.lambda, version);
    for (const alias of aliases) this.addName(alias.version.lambda, alias);
  }

  /** The documents of every policy attached to `role`, from either side. */
  public documentsOf(role: iam.IRole): iam.PolicyDocument[] {
    const attached = new Set<iam.Policy | iam.ManagedPolicy>(this.policiesByRole.get(role));
    for (const policy of ((role as any).managedPolicies ?? []) as iam.IManagedPolicy[]) {
      if (policy instanceof iam.ManagedPolicy) attached.add(policy);
    }
    for (const policy of ((role as any).attachedPolicies?.policies ?? []) as iam.IPolicy[]) {
      if (policy instanceof iam.Policy) attached.add(policy);
    }
    return [...attached].map((policy) => {
      countWork(policy);
      return policy.document;
    });
  }

  /** Where the Lambda service delivers or reads `fn`'s events. */
  public deliveriesOf(fn: NetworkedFunction): FunctionDeliveries {
    const deliveries: FunctionDeliveries = { delivered: [], pollerSources: [] };
    const resolve = (value: unknown): unknown => this.stack.resolve(value);
    if (fn.deadLetterQueue) deliveries.delivered.push(resolve(fn.deadLetterQueue.queueArn));
    if (fn.deadLetterTopic) deliveries.delivered.push(resolve(fn.deadLetterTopic.topicArn));
    const names = new Set([fn, ...this.namesOf.get(fn) ?? []].map((construct) => this.logicalIdOf(construct)));
    const named = (functionName: string): boolean => {
      const resolved = resolve(functionName) as { Ref?: string } | undefined;
      return resolved?.Ref !== undefined && names.has(resolved.Ref);
    };
    for (const mapping of this.settings) {
      if (!named(mapping.functionName)) continue;
      const props = resolve({ EventSourceArn: mapping.eventSourceArn, DestinationConfig: mapping.destinationConfig });
      const source = (props as any).EventSourceArn;
      const sourceType = this.stack.resolve(source)?.['Fn::GetAtt']?.[1] === 'StreamArn' ? ResourceType.DYNAMODB_TABLE : undefined;
      addDeliveries(deliveries, props, source === undefined ? undefined : pollerSourceOf(source, sourceType));
    }
    for (const config of this.invokeConfigs) {
      if (named(config.functionName)) addDeliveries(deliveries, resolve({ DestinationConfig: config.destinationConfig }), undefined);
    }
    return deliveries;
  }

  private addName(fn: IConstruct, named: IConstruct): void {
    const list = this.namesOf.get(fn) ?? [];
    list.push(named);
    this.namesOf.set(fn, list);
  }

  private logicalIdOf(construct: IConstruct): string | undefined {
    const cfn = construct.node.defaultChild;
    return cfn && (cfn as any).cfnResourceType ? this.stack.getLogicalId(cfn as any) : undefined;
  }
}
