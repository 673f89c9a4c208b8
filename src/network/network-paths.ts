import { AspectPriority, Aspects, IAspect, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { PrivateNetwork } from './private-network';
import { addDeliveries, FunctionDeliveries, pollerSourceOf, servicesInDocuments } from '../guardrails/function-services';
import { ResourceType } from '../guardrails/resource-index';

/** What the aspect needs of a function in a private network. */
export interface NetworkedFunction extends IConstruct {
  readonly role?: iam.IRole;
  readonly network?: PrivateNetwork;
  readonly securityGroup?: ec2.ISecurityGroup;
  readonly deadLetterQueue?: { readonly queueArn: string };
  readonly deadLetterTopic?: { readonly topicArn: string };
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
    if (node !== this.stack) return;
    const app = new StackConstructs(this.stack);
    for (const fn of this.functions) {
      const { network, securityGroup, role } = fn;
      if (!network || !securityGroup || !role) continue;
      const documents = app.documentsOf(role).map((document) => this.stack.resolve(document.toJSON()));
      for (const service of servicesInDocuments(documents, app.deliveriesOf(fn))) {
        if (service.endpoint?.kind === 'gateway') {
          network.allowGatewayEndpoint(service.endpoint.service as 'dynamodb' | 's3', securityGroup);
        } else if (service.endpoint) {
          network.allowInterfaceEndpoint(INTERFACE_SERVICES.get(service.endpoint.service)!, securityGroup);
        }
      }
    }
  }
}

/** The policies, function aliases and versions, and invocation settings of one stack, from one walk. */
class StackConstructs {
  private readonly policies: Array<iam.Policy | iam.ManagedPolicy> = [];
  private readonly settings: lambda.CfnEventSourceMapping[] = [];
  private readonly invokeConfigs: lambda.CfnEventInvokeConfig[] = [];
  /** The logical ids that name a function: its own, its versions' and its aliases'. */
  private readonly namesOf = new Map<IConstruct, IConstruct[]>();

  constructor(private readonly stack: Stack) {
    const versions: lambda.Version[] = [];
    const aliases: lambda.Alias[] = [];
    for (const construct of stack.node.findAll()) {
      if (construct instanceof iam.Policy || construct instanceof iam.ManagedPolicy) this.policies.push(construct);
      else if (construct instanceof lambda.CfnEventSourceMapping) this.settings.push(construct);
      else if (construct instanceof lambda.CfnEventInvokeConfig) this.invokeConfigs.push(construct);
      else if (construct instanceof lambda.Version) versions.push(construct);
      else if (construct instanceof lambda.Alias) aliases.push(construct);
    }
    for (const version of versions) this.addName(version.lambda, version);
    for (const alias of aliases) this.addName(alias.version.lambda, alias);
  }

  /** The documents of every policy attached to `role`, from either side. */
  public documentsOf(role: iam.IRole): iam.PolicyDocument[] {
    const attached = new Set<iam.Policy | iam.ManagedPolicy>();
    for (const policy of this.policies) {
      if (((policy as any).roles as iam.IRole[] | undefined)?.includes(role)) attached.add(policy);
    }
    for (const policy of ((role as any).managedPolicies ?? []) as iam.IManagedPolicy[]) {
      if (policy instanceof iam.ManagedPolicy) attached.add(policy);
    }
    for (const policy of ((role as any).attachedPolicies?.policies ?? []) as iam.IPolicy[]) {
      if (policy instanceof iam.Policy) attached.add(policy);
    }
    return [...attached].map((policy) => policy.document);
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
