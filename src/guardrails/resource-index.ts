import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { asArray, CfnValue, forEachReferencedLogicalId, isObject, referencedLogicalId, renderText } from './cfn-values';
import { statementsOf } from './policy-document';
import { countEach, countWork } from '../core/work-count';

/** CloudFormation resource types the rules and the index read. */
export const ResourceType = {
  API_DEPLOYMENT: 'AWS::ApiGateway::Deployment',
  API_METHOD: 'AWS::ApiGateway::Method',
  API_RESOURCE: 'AWS::ApiGateway::Resource',
  API_STAGE: 'AWS::ApiGateway::Stage',
  API_V2_ROUTE: 'AWS::ApiGatewayV2::Route',
  API_V2_STAGE: 'AWS::ApiGatewayV2::Stage',
  CLOUDWATCH_ALARM: 'AWS::CloudWatch::Alarm',
  DYNAMODB_GLOBAL_TABLE: 'AWS::DynamoDB::GlobalTable',
  DYNAMODB_TABLE: 'AWS::DynamoDB::Table',
  EC2_EGRESS: 'AWS::EC2::SecurityGroupEgress',
  EC2_INGRESS: 'AWS::EC2::SecurityGroupIngress',
  EC2_ROUTE: 'AWS::EC2::Route',
  EC2_SUBNET: 'AWS::EC2::Subnet',
  EC2_SUBNET_ROUTE_TABLE: 'AWS::EC2::SubnetRouteTableAssociation',
  EC2_SECURITY_GROUP: 'AWS::EC2::SecurityGroup',
  EC2_VPC: 'AWS::EC2::VPC',
  EC2_VPC_ENDPOINT: 'AWS::EC2::VPCEndpoint',
  IAM_MANAGED_POLICY: 'AWS::IAM::ManagedPolicy',
  IAM_POLICY: 'AWS::IAM::Policy',
  IAM_ROLE: 'AWS::IAM::Role',
  IAM_ROLE_POLICY: 'AWS::IAM::RolePolicy',
  KMS_KEY: 'AWS::KMS::Key',
  LAMBDA_ALIAS: 'AWS::Lambda::Alias',
  LAMBDA_EVENT_INVOKE_CONFIG: 'AWS::Lambda::EventInvokeConfig',
  LAMBDA_EVENT_SOURCE_MAPPING: 'AWS::Lambda::EventSourceMapping',
  LAMBDA_FUNCTION: 'AWS::Lambda::Function',
  LAMBDA_PERMISSION: 'AWS::Lambda::Permission',
  LAMBDA_URL: 'AWS::Lambda::Url',
  LAMBDA_VERSION: 'AWS::Lambda::Version',
  LOG_GROUP: 'AWS::Logs::LogGroup',
  SNS_TOPIC: 'AWS::SNS::Topic',
  SNS_TOPIC_POLICY: 'AWS::SNS::TopicPolicy',
  SQS_QUEUE: 'AWS::SQS::Queue',
  WAF_ASSOCIATION: 'AWS::WAFv2::WebACLAssociation',
} as const;

/** The resource type of a rule that judges every resource. */
export const ANY_RESOURCE_TYPE = '*';

/** One resource as it appears in its template. */
export interface IndexedResource {
  readonly node: CfnResource;
  readonly logicalId: string;
  readonly type: string;
  /** The resolved `Properties`, overrides included; `{}` when there are none. */
  readonly properties: { [key: string]: CfnValue };
  /** The logical ids of its `DependsOn`. */
  readonly dependsOn: readonly string[];
  /** The index of the template the resource belongs to. */
  readonly template: TemplateIndex;
}

const LAMBDA_SERVICE_PRINCIPAL = /^(edge)?lambda\.(amazonaws\.com(\.cn)?|<AWS::URLSuffix>)$/;

/**
 * Everything the rules look up in one template (one stack), built in a single
 * pass so that each rule answers in constant time. Logical ids are only unique
 * within a template, so every map is per template.
 */
export class TemplateIndex {
  private readonly resources = new Map<string, IndexedResource>();
  private readonly functions: IndexedResource[] = [];
  private readonly functionsByRole = new Map<string, IndexedResource[]>();
  private readonly functionsByName = new Map<string, IndexedResource>();
  private readonly lambdaTrustingRoles = new Set<string>();
  private readonly roleIdsByName = new Map<string, string>();
  private readonly managedPolicyRoleValues = new Map<string, CfnValue[]>();
  private readonly logGroupsByName = new Map<string, IndexedResource>();
  private readonly functionLogGroups = new Map<IndexedResource, IndexedResource | undefined>();
  private readonly logGroupUsers = new Map<IndexedResource, number>();
  private readonly webAclTargets = new Set<string>();
  private readonly ingressBySecurityGroup = new Map<string, IndexedResource[]>();
  private readonly egressBySecurityGroup = new Map<string, IndexedResource[]>();
  /** Each document with the resource that holds it: the role (inline policies) or the policy. */
  private readonly policyDocumentsByRole = new Map<string, PolicyDocumentOf[]>();
  private readonly managedPolicyDocuments = new Map<string, PolicyDocumentOf>();
  private readonly policyDocumentsByTopic = new Map<string, CfnValue[]>();
  private readonly functionTargets: IndexedResource[] = [];
  private readonly targetsByFunction = new Map<string, IndexedResource[]>();
  private readonly vpcEndpoints: IndexedResource[] = [];
  private readonly routeTableOfSubnet = new Map<string, string>();
  private readonly internetRouteTables = new Set<string>();
  private readonly vpcCidrs = new Set<string>();
  private readonly methodsByRestApi = new Map<string, IndexedResource[]>();
  private readonly routesByHttpApi = new Map<string, IndexedResource[]>();
  private readonly apiResourcePaths = new Map<string, string | undefined>();
  private cycles?: Map<string, readonly string[]>;

  constructor(public readonly stack: Stack) {}

  /**
   * The resources of the dependency cycle this resource is in, sorted, or
   * undefined when it is in none. Computed once per template, on first use.
   */
  public dependencyCycleOf(logicalId: string): readonly string[] | undefined {
    this.cycles ??= findCycles(this.resources);
    return this.cycles.get(logicalId);
  }

  /** The resource with this logical id, of this type when one is given. */
  public resource(logicalId: string | undefined, type?: string): IndexedResource | undefined {
    if (logicalId === undefined) return undefined;
    const found = this.resources.get(logicalId);
    return found && (type === undefined || found.type === type) ? found : undefined;
  }

  /** The functions whose `Role` is the same value (same role resource, same literal ARN or same expression). */
  public functionsUsingRole(role: CfnValue): readonly IndexedResource[] {
    return countEach(this.functionsByRole.get(roleKey(role)) ?? []);
  }

  /** The function with this literal `FunctionName`. */
  public functionNamed(name: string): IndexedResource | undefined {
    return this.functionsByName.get(name);
  }

  /** The log group a function writes to, found by `LoggingConfig.LogGroup` or the `/aws/lambda/<name>` convention. */
  public logGroupOf(fn: IndexedResource): IndexedResource | undefined {
    return this.functionLogGroups.get(fn);
  }

  /** How many functions write to this log group. */
  public logGroupUserCount(logGroup: IndexedResource): number {
    return this.logGroupUsers.get(logGroup) ?? 0;
  }

  /**
   * Whether a role (by logical id) belongs to a Lambda function: a function in
   * this template uses it, or its trust policy names the Lambda service.
   */
  public isFunctionRole(roleId: string | undefined): boolean {
    if (roleId === undefined) return false;
    return this.functionsByRole.has(roleKey({ 'Fn::GetAtt': [roleId, 'Arn'] })) || this.lambdaTrustingRoles.has(roleId);
  }

  /** The logical id of a role given the way policies name roles: `Ref` (its name) or a literal `RoleName`. */
  public roleIdOf(roleName: CfnValue): string | undefined {
    if (typeof roleName === 'string') return this.roleIdsByName.get(roleName);
    const id = referencedLogicalId(roleName);
    return this.resource(id, ResourceType.IAM_ROLE) ? id : undefined;
  }

  /** The role logical ids a customer-managed policy is attached to, from either side. */
  public rolesAttachedTo(managedPolicyId: string): string[] {
    return (this.managedPolicyRoleValues.get(managedPolicyId) ?? [])
      .map((role) => this.roleIdOf(role))
      .filter((id): id is string => id !== undefined);
  }

  /**
   * Whether a WAFv2 web ACL association in this template targets a stage of a
   * REST API. The API and the stage are given as rendered text: `<Api1234>` for
   * a `Ref`, or a literal id or stage name.
   */
  public hasWebAclFor(restApi: string, stages: readonly string[]): boolean {
    return stages.some((stage) => this.webAclTargets.has(stageKey(restApi, stage)));
  }

  /** Standalone `AWS::EC2::SecurityGroupIngress` rules of a security group. */
  public ingressRulesOf(securityGroupId: string): readonly CfnValue[] {
    return propertiesOf(this.ingressBySecurityGroup.get(securityGroupId));
  }

  /** Whether a literal CIDR is the whole CIDR of a VPC in this template. */
  public isVpcCidr(cidr: string): boolean {
    return this.vpcCidrs.has(cidr);
  }

  /** The `AWS::ApiGateway::Method` resources of a REST API. */
  public methodsOf(restApiId: string): readonly IndexedResource[] {
    return countEach(this.methodsByRestApi.get(restApiId) ?? []);
  }

  /** The `AWS::ApiGatewayV2::Route` resources of an HTTP or WebSocket API. */
  public routesOf(apiId: string): readonly IndexedResource[] {
    return countEach(this.routesByHttpApi.get(apiId) ?? []);
  }

  /** The path (`/orders/{id}`) of an API Gateway resource id value: a `Ref` to a resource or the API's root. */
  public apiPathOf(resourceId: CfnValue): string | undefined {
    const reference = referencedLogicalId(resourceId);
    if (reference === undefined) return undefined;
    const target = this.resource(reference);
    if (!target) return undefined;
    if (target.type !== ResourceType.API_RESOURCE) return '/';
    if (!this.apiResourcePaths.has(reference)) {
      // Marked first so that a (malformed) cycle of parents ends instead of recursing.
      this.apiResourcePaths.set(reference, undefined);
      const parent = this.apiPathOf(target.properties.ParentId);
      const part = target.properties.PathPart;
      this.apiResourcePaths.set(reference, parent !== undefined && typeof part === 'string'
        ? `${parent === '/' ? '' : parent}/${part}`
        : undefined);
    }
    return this.apiResourcePaths.get(reference);
  }

  /** Standalone `AWS::EC2::SecurityGroupEgress` rules of a security group. */
  public egressRulesOf(securityGroupId: string): readonly CfnValue[] {
    return propertiesOf(this.egressBySecurityGroup.get(securityGroupId));
  }

  /**
   * The policy documents that apply to a role of this template: its inline
   * `Policies`, the `AWS::IAM::Policy` resources naming it, and the
   * customer-managed policies attached to it from either side.
   */
  public policyDocumentsOf(roleId: string): readonly CfnValue[] {
    return (this.policyDocumentsByRole.get(roleId) ?? []).map(({ holder, document }) => {
      countWork(holder.node);
      return document;
    });
  }

  /**
   * The event source mappings and event invoke configurations of a function
   * (by logical id), found by `FunctionName` on the function, its versions or
   * its aliases.
   */
  public invocationSettingsOf(functionId: string): readonly IndexedResource[] {
    return countEach(this.targetsByFunction.get(functionId) ?? []);
  }

  /** The VPC endpoints of this template. */
  public get endpoints(): readonly IndexedResource[] {
    return countEach(this.vpcEndpoints);
  }

  /**
   * Whether a subnet of this template (by logical id) routes `0.0.0.0/0` to an
   * internet, NAT, transit or egress-only gateway, a NAT instance or a peering
   * connection; undefined when the subnet or its route table is not in the template.
   */
  public subnetRoutesToInternet(subnetId: string): boolean | undefined {
    const routeTable = this.routeTableOfSubnet.get(subnetId);
    if (routeTable === undefined) return undefined;
    return this.internetRouteTables.has(routeTable);
  }

  /** The topic policies' documents of a topic of this template, by its logical id; undefined when it has none (SNS's default policy). */
  public topicPolicyDocumentsOf(topicId: string): readonly CfnValue[] | undefined {
    return this.policyDocumentsByTopic.get(topicId);
  }

  /** First pass: records one resource. */
  public add(resource: IndexedResource): void {
    this.resources.set(resource.logicalId, resource);
    const props = resource.properties;
    switch (resource.type) {
      case ResourceType.LAMBDA_FUNCTION:
        this.functions.push(resource);
        push(this.functionsByRole, roleKey(props.Role), resource);
        if (typeof props.FunctionName === 'string') this.functionsByName.set(props.FunctionName, resource);
        break;
      case ResourceType.IAM_ROLE:
        if (typeof props.RoleName === 'string') this.roleIdsByName.set(props.RoleName, resource.logicalId);
        if (trustsLambda(props.AssumeRolePolicyDocument)) this.lambdaTrustingRoles.add(resource.logicalId);
        for (const arn of asArray(props.ManagedPolicyArns)) {
          const policyId = referencedLogicalId(arn);
          if (policyId !== undefined) push(this.managedPolicyRoleValues, policyId, { Ref: resource.logicalId });
        }
        for (const policy of asArray(props.Policies)) {
          if (isObject(policy)) push(this.policyDocumentsByRole, resource.logicalId, { holder: resource, document: policy.PolicyDocument });
        }
        break;
      case ResourceType.IAM_MANAGED_POLICY:
        for (const role of asArray(props.Roles)) push(this.managedPolicyRoleValues, resource.logicalId, role);
        this.managedPolicyDocuments.set(resource.logicalId, { holder: resource, document: props.PolicyDocument });
        break;
      case ResourceType.IAM_POLICY:
        for (const role of asArray(props.Roles)) {
          const roleId = referencedLogicalId(role);
          if (roleId !== undefined) push(this.policyDocumentsByRole, roleId, { holder: resource, document: props.PolicyDocument });
        }
        break;
      case ResourceType.LAMBDA_EVENT_SOURCE_MAPPING:
      case ResourceType.LAMBDA_EVENT_INVOKE_CONFIG:
        this.functionTargets.push(resource);
        break;
      case ResourceType.EC2_EGRESS: {
        const groupId = referencedLogicalId(props.GroupId);
        if (groupId !== undefined) push(this.egressBySecurityGroup, groupId, resource);
        break;
      }
      case ResourceType.EC2_VPC_ENDPOINT:
        this.vpcEndpoints.push(resource);
        break;
      case ResourceType.EC2_SUBNET_ROUTE_TABLE: {
        const subnetId = referencedLogicalId(props.SubnetId);
        const routeTableId = referencedLogicalId(props.RouteTableId);
        if (subnetId !== undefined && routeTableId !== undefined) this.routeTableOfSubnet.set(subnetId, routeTableId);
        break;
      }
      case ResourceType.EC2_ROUTE: {
        const routeTableId = referencedLogicalId(props.RouteTableId);
        const everywhere = props.DestinationCidrBlock === '0.0.0.0/0' || props.DestinationIpv6CidrBlock === '::/0';
        const outward = ['GatewayId', 'NatGatewayId', 'TransitGatewayId', 'EgressOnlyInternetGatewayId', 'InstanceId', 'VpcPeeringConnectionId', 'NetworkInterfaceId']
          .some((key) => props[key] !== undefined);
        if (routeTableId !== undefined && everywhere && outward) this.internetRouteTables.add(routeTableId);
        break;
      }
      case ResourceType.LOG_GROUP:
        if (props.LogGroupName !== undefined) this.logGroupsByName.set(renderText(props.LogGroupName), resource);
        break;
      case ResourceType.WAF_ASSOCIATION:
        this.addWebAclTarget(props.ResourceArn);
        break;
      case ResourceType.EC2_INGRESS: {
        const groupId = referencedLogicalId(props.GroupId);
        if (groupId !== undefined) push(this.ingressBySecurityGroup, groupId, resource);
        break;
      }
      case ResourceType.EC2_VPC:
        if (typeof props.CidrBlock === 'string') this.vpcCidrs.add(props.CidrBlock);
        break;
      case ResourceType.API_METHOD: {
        const apiId = referencedLogicalId(props.RestApiId);
        if (apiId !== undefined) push(this.methodsByRestApi, apiId, resource);
        break;
      }
      case ResourceType.API_V2_ROUTE: {
        const apiId = referencedLogicalId(props.ApiId);
        if (apiId !== undefined) push(this.routesByHttpApi, apiId, resource);
        break;
      }
      case ResourceType.SNS_TOPIC_POLICY:
        for (const topic of asArray(props.Topics)) {
          const topicId = referencedLogicalId(topic);
          if (topicId !== undefined) push(this.policyDocumentsByTopic, topicId, props.PolicyDocument);
        }
        break;
    }
  }

  /** Second pass: the links that need the whole template (a function's log group may come after it). */
  public link(): void {
    for (const [policyId, document] of this.managedPolicyDocuments) {
      for (const roleId of this.rolesAttachedTo(policyId)) push(this.policyDocumentsByRole, roleId, document);
    }
    for (const target of this.functionTargets) {
      const functionId = this.functionIdOf(target.properties.FunctionName);
      if (functionId !== undefined) push(this.targetsByFunction, functionId, target);
    }
    for (const fn of this.functions) {
      const logGroup = this.findLogGroup(fn);
      this.functionLogGroups.set(fn, logGroup);
      if (logGroup) this.logGroupUsers.set(logGroup, (this.logGroupUsers.get(logGroup) ?? 0) + 1);
    }
  }

  /** The function a `FunctionName` value names: the function, or one of its versions or aliases. */
  private functionIdOf(name: CfnValue): string | undefined {
    const target = this.resource(referencedLogicalId(name));
    if (target === undefined) return typeof name === 'string' ? this.functionsByName.get(name)?.logicalId : undefined;
    if (target.type === ResourceType.LAMBDA_FUNCTION) return target.logicalId;
    if (target.type === ResourceType.LAMBDA_VERSION || target.type === ResourceType.LAMBDA_ALIAS) {
      const parent = this.resource(referencedLogicalId(target.properties.FunctionName), ResourceType.LAMBDA_FUNCTION);
      return parent?.logicalId;
    }
    return undefined;
  }

  private findLogGroup(fn: IndexedResource): IndexedResource | undefined {
    const configured = fn.properties.LoggingConfig?.LogGroup;
    if (configured !== undefined) {
      return this.resource(referencedLogicalId(configured), ResourceType.LOG_GROUP)
        ?? this.logGroupsByName.get(renderText(configured));
    }
    const functionName = fn.properties.FunctionName;
    return this.logGroupsByName.get(`/aws/lambda/<${fn.logicalId}>`)
      ?? (functionName !== undefined ? this.logGroupsByName.get(`/aws/lambda/${renderText(functionName)}`) : undefined);
  }

  private addWebAclTarget(resourceArn: CfnValue): void {
    // arn:<partition>:apigateway:<region>::/restapis/<api>/stages/<stage>
    const match = /\/restapis\/([^/]+)\/stages\/(.+)$/.exec(renderText(resourceArn));
    if (match) this.webAclTargets.add(stageKey(match[1], match[2]));
  }
}

/**
 * One index of a construct tree, built by a single walk: the resources of every
 * template under the scope, rendered once.
 */
export class ResourceIndex {
  /**
   * Walks the tree once and renders each resource as its template will show it.
   *
   * @param types only resources of these CloudFormation types are rendered and indexed
   */
  public static build(scope: IConstruct, types?: ReadonlySet<string>): ResourceIndex {
    const index = new ResourceIndex();
    const pending: IConstruct[] = [scope];
    while (pending.length > 0) {
      const construct = pending.pop()!;
      countWork(construct);
      if (CfnResource.isCfnResource(construct) && (types === undefined || types.has(construct.cfnResourceType))) index.add(construct);
      for (const child of construct.node.children) pending.push(child);
    }
    for (const template of index.templates.values()) template.link();
    return index;
  }

  private readonly templates = new Map<Stack, TemplateIndex>();
  private readonly byNode = new Map<CfnResource, IndexedResource>();

  private constructor() {}

  /** The index of one stack's template, if any of its resources was indexed. */
  public templateOf(stack: Stack): TemplateIndex | undefined {
    return this.templates.get(stack);
  }

  /** The indexed form of a resource, if it is synthesized. */
  public resourceOf(node: CfnResource): IndexedResource | undefined {
    return this.byNode.get(node);
  }

  private add(node: CfnResource): void {
    const stack = Stack.of(node);
    // `_toCloudFormation()` is how the template itself is rendered (aws-cdk-lib
    // keeps it internal): it includes property overrides and raw CfnResource
    // properties, which the L1 getters would miss.
    countWork(node);
    const rendered = stack.resolve((node as any)._toCloudFormation());
    const [entry] = Object.entries<CfnValue>(rendered?.Resources ?? {});
    if (!entry) return;
    const [logicalId, definition] = entry;
    let template = this.templates.get(stack);
    if (!template) {
      template = new TemplateIndex(stack);
      this.templates.set(stack, template);
    }
    const resource: IndexedResource = {
      node,
      logicalId,
      type: definition.Type,
      properties: isObject(definition.Properties) ? definition.Properties : {},
      dependsOn: asArray(definition.DependsOn).filter((id): id is string => typeof id === 'string'),
      template,
    };
    this.byNode.set(node, resource);
    template.add(resource);
  }
}

/**
 * The strongly connected components of the template's dependency graph that
 * CloudFormation cannot order: more than one resource, or one that refers to
 * itself. Edges are references from `Properties` (`Ref`, `Fn::GetAtt`,
 * `Fn::Sub`) and `DependsOn`, to resources of the template only. Tarjan's
 * algorithm, iterative so a long chain cannot overflow the stack: linear in
 * resources plus references.
 */
function findCycles(resources: ReadonlyMap<string, IndexedResource>): Map<string, readonly string[]> {
  const edges = new Map<string, string[]>();
  for (const [id, resource] of resources) {
    const targets = new Set<string>(resource.dependsOn.filter((target) => resources.has(target)));
    forEachReferencedLogicalId(resource.properties, (target) => {
      if (resources.has(target)) targets.add(target);
    });
    edges.set(id, [...targets]);
  }
  const order = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles = new Map<string, readonly string[]>();
  for (const root of resources.keys()) {
    if (order.has(root)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    order.set(root, order.size);
    lowLink.set(root, order.get(root)!);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = edges.get(frame.id)!;
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!order.has(target)) {
          order.set(target, order.size);
          lowLink.set(target, order.get(target)!);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.id, Math.min(lowLink.get(frame.id)!, order.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].id;
        lowLink.set(parent, Math.min(lowLink.get(parent)!, lowLink.get(frame.id)!));
      }
      if (lowLink.get(frame.id) !== order.get(frame.id)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.id);
      if (component.length > 1 || targets.includes(frame.id)) {
        const sorted = component.sort();
        for (const id of sorted) cycles.set(id, sorted);
      }
    }
  }
  return cycles;
}

/** A policy document and the resource that holds it. */
interface PolicyDocumentOf {
  readonly holder: IndexedResource;
  readonly document: CfnValue;
}

/** The properties of standalone rules, each counted as handled. */
function propertiesOf(rules: readonly IndexedResource[] | undefined): CfnValue[] {
  return countEach(rules ?? []).map((rule) => rule.properties);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Functions share a role when their `Role` names the same resource, the same literal ARN or the same expression. */
function roleKey(role: CfnValue): string {
  const id = referencedLogicalId(role);
  if (id !== undefined) return `resource:${id}`;
  return `value:${JSON.stringify(role)}`;
}

function stageKey(restApi: string, stage: string): string {
  return `${restApi}|${stage}`;
}

function trustsLambda(document: CfnValue): boolean {
  return statementsOf(document).some((statement) => isObject(statement.Principal)
    && asArray(statement.Principal.Service).some((service) => LAMBDA_SERVICE_PRINCIPAL.test(renderText(service))));
}
