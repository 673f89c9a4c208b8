import { App } from 'aws-cdk-lib';
import { AwsFact, FACTS, FactId } from './aws-facts';
import { DeployedApp, DeployedResource, DeployedStack, OTHER_ACCOUNT } from './deployed-values';

/**
 * The call-path model: every request AWS makes across the integrations a
 * synthesized app wires, read from its templates (after every aspect and
 * mixin), with the policies that decide it. Which keys each request carries
 * comes from the facts table only (aws-facts.ts).
 */

export type Context = Record<string, string | string[]>;

export interface NamedPolicy {
  readonly name: string;
  readonly policy: any;
}

/** A request that must be refused: one thing changed from the modeled request. */
export interface Variant {
  readonly name: 'another account' | 'no TLS' | 'another resource\'s encryption context' | 'another endpoint';
  readonly principal?: string;
  readonly context: Context;
  readonly identityPolicies?: NamedPolicy[];
}

/** One request AWS makes, with the policies that decide it. */
export interface ModeledRequest {
  readonly factId: FactId;
  readonly fact: AwsFact;
  /** Which wiring of the app, e.g. `S/AlarmsErrors -> S/AlarmTopic`. */
  readonly label: string;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Context;
  readonly identityPolicies: NamedPolicy[];
  readonly resourcePolicy?: any;
  readonly endpointPolicies?: NamedPolicy[];
  readonly variants: Variant[];
}

const SERVICE_TYPES = {
  queue: ['AWS::SQS::Queue'],
  topic: ['AWS::SNS::Topic'],
  fn: ['AWS::Lambda::Function'],
  bucket: ['AWS::S3::Bucket'],
  table: ['AWS::DynamoDB::Table'],
  secret: ['AWS::SecretsManager::Secret'],
  key: ['AWS::KMS::Key'],
  role: ['AWS::IAM::Role'],
  stateMachine: ['AWS::StepFunctions::StateMachine'],
} as const;

/** The account root, as a policy names it. */
function root(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:root`;
}

/** The same ARN in another account, for the refused variants. */
function inOtherAccount(arn: string): string {
  return arn.replace(/^(arn:[^:]+:[^:]*:[^:]*:)\d{12}(:|$)/, `$1${OTHER_ACCOUNT}$2`);
}

/** An identity policy an attacker's own role could carry. */
const ALLOW_EVERYTHING: NamedPolicy = { name: 'attacker', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
const ATTACKER = `arn:aws:iam::${OTHER_ACCOUNT}:role/attacker`;

/** Builds every modeled request of an app. */
export function modelCallPaths(app: App): ModeledRequest[] {
  return new CallPathModel(new DeployedApp(app)).requests();
}

class CallPathModel {
  private readonly out: ModeledRequest[] = [];
  private readonly identityCache = new Map<DeployedResource, NamedPolicy[]>();
  private readonly seen = new Set<string>();
  /** The roles the app's functions run with, found once. */
  private functionRoles?: Set<DeployedResource | undefined>;

  constructor(private readonly app: DeployedApp) {}

  public requests(): ModeledRequest[] {
    for (const stack of this.app.stacks) {
      for (const resource of stack.resources.values()) this.visit(resource);
    }
    return this.out;
  }

  private visit(r: DeployedResource): void {
    const s = r.stack;
    switch (r.type) {
      case 'AWS::CloudWatch::Alarm':
        const alarmActions = [r.props.AlarmActions, r.props.OKActions, r.props.InsufficientDataActions].flatMap(a => list(s.resolve(a)));
        for (const action of alarmActions) {
          const topic = this.app.find(action, SERVICE_TYPES.topic);
          if (topic) this.serviceToTopic('alarmToTopic', 'cloudwatch.amazonaws.com', r, topic, 'serviceToEncryptedTopic');
        }
        break;
      case 'AWS::Events::Rule':
        for (const target of list(r.props.Targets)) {
          const arn = s.resolve(target.Arn);
          const topic = this.app.find(arn, SERVICE_TYPES.topic);
          const queue = this.app.find(arn, SERVICE_TYPES.queue);
          const fn = this.app.find(arn, SERVICE_TYPES.fn);
          if (topic) this.serviceToTopic('ruleToTopic', 'events.amazonaws.com', r, topic, 'eventBridgeToEncryptedTopic');
          if (queue) this.serviceToQueue('ruleToQueue', 'events.amazonaws.com', r, queue);
          if (fn) this.serviceToFunction('ruleToFunction', 'events.amazonaws.com', r, fn);
          if (target.RoleArn) this.throughRole('ruleAssumesRole', 'events.amazonaws.com', r, s.resolve(target.RoleArn), arn);
          const dlq = this.app.find(s.resolve(target.DeadLetterConfig?.Arn), SERVICE_TYPES.queue);
          if (dlq) this.serviceToQueue('ruleToQueue', 'events.amazonaws.com', r, dlq);
        }
        break;
      case 'AWS::Scheduler::Schedule': {
        const target = r.props.Target ?? {};
        const roleArn = s.resolve(target.RoleArn);
        // Scheduler names the schedule's group in aws:SourceArn.
        const group = s.resolve(r.props.GroupName) ?? 'default';
        this.throughRole('scheduleAssumesRole', 'scheduler.amazonaws.com', r, roleArn, s.resolve(target.Arn), s.arn('scheduler', `schedule-group/${group}`));
        const dlq = this.app.find(s.resolve(target.DeadLetterConfig?.Arn), SERVICE_TYPES.queue);
        const role = this.app.find(roleArn, SERVICE_TYPES.role);
        if (dlq && role) this.roleToStore('roleCallsTarget', role, 'sqs:SendMessage', dlq, undefined, `${path(r)} dead-letter`);
        break;
      }
      case 'AWS::S3::Bucket':
        this.bucketNotifications(r, r, r.props.NotificationConfiguration, { queue: 'Queue', topic: 'Topic', fn: 'Function' });
        break;
      case 'Custom::S3BucketNotifications': {
        const bucket = this.app.find(s.resolve(r.props.BucketName), SERVICE_TYPES.bucket);
        if (bucket) this.bucketNotifications(r, bucket, r.props.NotificationConfiguration, { queue: 'QueueArn', topic: 'TopicArn', fn: 'LambdaFunctionArn' });
        break;
      }
      case 'AWS::SNS::Subscription': {
        const topic = this.app.find(s.resolve(r.props.TopicArn), SERVICE_TYPES.topic);
        if (!topic) break;
        const endpoint = s.resolve(r.props.Endpoint);
        const queue = r.props.Protocol === 'sqs' ? this.app.find(endpoint, SERVICE_TYPES.queue) : undefined;
        const fn = r.props.Protocol === 'lambda' ? this.app.find(endpoint, SERVICE_TYPES.fn) : undefined;
        if (queue) this.serviceToQueue('topicToQueue', 'sns.amazonaws.com', topic, queue);
        if (fn) this.serviceToFunction('topicToFunction', 'sns.amazonaws.com', topic, fn);
        const dlq = this.app.find(s.resolve(r.props.RedrivePolicy?.deadLetterTargetArn), SERVICE_TYPES.queue);
        if (dlq) this.serviceToQueue('topicToQueue', 'sns.amazonaws.com', topic, dlq);
        break;
      }
      case 'AWS::Lambda::EventSourceMapping': {
        const fn = this.app.find(s.resolve(r.props.FunctionName), SERVICE_TYPES.fn);
        const queue = this.app.find(s.resolve(r.props.EventSourceArn), SERVICE_TYPES.queue);
        const role = fn && this.roleOf(fn);
        if (!queue || !role) break;
        for (const action of FACTS.eventSourceMapping.actions) this.roleToStore('eventSourceMapping', role, action, queue);
        break;
      }
      case 'AWS::Lambda::Function':
        this.functionPaths(r);
        break;
      case 'AWS::IAM::Role':
        this.lambdaRoleWithoutFunction(r);
        break;
      case 'AWS::Lambda::EventInvokeConfig': {
        const fn = this.app.find(s.resolve(r.props.FunctionName), SERVICE_TYPES.fn);
        const role = fn && this.roleOf(fn);
        const destination = s.resolve(r.props.DestinationConfig?.OnFailure?.Destination);
        const queue = this.app.find(destination, SERVICE_TYPES.queue);
        const topic = this.app.find(destination, SERVICE_TYPES.topic);
        if (role && queue) this.roleToStore('deadLetterDelivery', role, 'sqs:SendMessage', queue);
        if (role && topic) this.roleToStore('deadLetterDelivery', role, 'sns:Publish', topic);
        break;
      }
      case 'AWS::Logs::LogGroup': {
        const key = this.app.find(s.resolve(r.props.KmsKeyId), SERVICE_TYPES.key);
        if (!key) break;
        const logGroupArn = s.arnOf(r).replace(/:\*$/, '');
        for (const action of FACTS.logGroupEncryption.actions) {
          this.add({
            factId: 'logGroupEncryption',
            label: `${path(r)} -> ${path(key)}`,
            principal: `logs.${s.region}.amazonaws.com`,
            action,
            resource: key.stack.arnOf(key),
            resourceAccount: key.stack.account,
            context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn },
            identityPolicies: [],
            resourcePolicy: this.keyPolicy(key),
            variants: [{ name: 'another account', context: { 'kms:EncryptionContext:aws:logs:arn': inOtherAccount(logGroupArn) } }],
          });
        }
        break;
      }
      case 'AWS::ApiGateway::Method':
        this.restMethod(r);
        break;
      case 'AWS::ApiGateway::Authorizer':
      case 'AWS::ApiGatewayV2::Authorizer': {
        const fn = this.functionInUri(s, r.props.AuthorizerUri);
        if (!fn) break;
        const apiId = s.resolve(r.props.RestApiId ?? r.props.ApiId);
        const sourceArn = s.arn('execute-api', `${apiId}/authorizers/${s.ref(r.logicalId)}`);
        this.invokeFromApi('authorizerInvoke', r, fn, sourceArn);
        break;
      }
      case 'AWS::ApiGatewayV2::Route':
        this.httpRoute(r);
        break;
      case 'AWS::SecretsManager::RotationSchedule': {
        const fn = this.app.find(s.resolve(r.props.RotationLambdaARN), SERVICE_TYPES.fn);
        const secret = this.app.find(s.resolve(r.props.SecretId), SERVICE_TYPES.secret);
        if (fn && secret) this.serviceToFunction('rotationInvoke', 'secretsmanager.amazonaws.com', secret, fn);
        break;
      }
      case 'AWS::StepFunctions::StateMachine':
        this.stateMachine(r);
        break;
      case 'AWS::CloudFront::Distribution':
        this.cloudFront(r);
        break;
      case 'AWS::ApiGateway::RestApi':
        this.privateApi(r);
        break;
    }
  }

  // -------------------------------------------------------------------------
  // Service principals calling a resource

  private serviceToTopic(factId: FactId, service: string, source: DeployedResource, topic: DeployedResource, keyFact: FactId): void {
    const topicArn = topic.stack.arnOf(topic);
    this.fromService(factId, service, source, topicArn, topic, 'sns:Publish', this.topicPolicy(topic));
    const key = this.keyOfStore(topic);
    if (key) this.serviceThroughKey(keyFact, service, source, key, 'kms:EncryptionContext:aws:sns:topicArn', topicArn);
  }

  private serviceToQueue(factId: FactId, service: string, source: DeployedResource, queue: DeployedResource): void {
    const queueArn = queue.stack.arnOf(queue);
    this.fromService(factId, service, source, queueArn, queue, 'sqs:SendMessage', this.queuePolicy(queue));
    const key = this.keyOfStore(queue);
    if (key) this.serviceThroughKey('serviceToEncryptedQueue', service, source, key, 'kms:EncryptionContext:aws:sqs:arn', queueArn);
  }

  private serviceToFunction(factId: FactId, service: string, source: DeployedResource, fn: DeployedResource): void {
    this.fromService(factId, service, source, fn.stack.arnOf(fn), fn, 'lambda:InvokeFunction', this.functionPolicy(fn));
  }

  /** A service principal's request, with the keys its fact says it sends, and the same from another account's resource. */
  private fromService(
    factId: FactId, service: string, source: DeployedResource, resource: string, target: DeployedResource, action: string,
    resourcePolicy: any, sourceArn?: string,
  ): void {
    const fact: AwsFact = FACTS[factId];
    const arn = sourceArn ?? source.stack.arnOf(source);
    const context: Context = {};
    const other: Context = {};
    if (fact.sends.includes('aws:SourceArn')) {
      context['aws:SourceArn'] = arn;
      other['aws:SourceArn'] = inOtherAccount(arn);
    }
    if (fact.sends.includes('aws:SourceAccount')) {
      context['aws:SourceAccount'] = source.stack.account;
      other['aws:SourceAccount'] = OTHER_ACCOUNT;
    }
    this.add({
      factId,
      label: `${path(source)} -> ${path(target)}`,
      principal: service,
      action,
      resource,
      resourceAccount: target.stack.account,
      context,
      identityPolicies: [],
      resourcePolicy,
      variants: Object.keys(other).length > 0 ? [{ name: 'another account', context: other }] : [],
    });
  }

  private serviceThroughKey(
    factId: FactId, service: string, source: DeployedResource, key: DeployedResource, contextKey: string, destinationArn: string,
  ): void {
    for (const action of FACTS[factId].actions) {
      this.add({
        factId,
        label: `${path(source)} -> ${path(key)}`,
        principal: service,
        action,
        resource: key.stack.arnOf(key),
        resourceAccount: key.stack.account,
        context: { [contextKey]: destinationArn },
        identityPolicies: [],
        resourcePolicy: this.keyPolicy(key),
        variants: [{ name: 'another resource\'s encryption context', context: { [contextKey]: inOtherAccount(destinationArn) } }],
      });
    }
  }

  private bucketNotifications(
    source: DeployedResource, bucket: DeployedResource, config: any, fields: { queue: string; topic: string; fn: string },
  ): void {
    const s = source.stack;
    for (const c of list(config?.QueueConfigurations)) {
      const queue = this.app.find(s.resolve(c[fields.queue]), SERVICE_TYPES.queue);
      if (queue) this.serviceToQueue('bucketToQueue', 's3.amazonaws.com', bucket, queue);
    }
    for (const c of list(config?.TopicConfigurations)) {
      const topic = this.app.find(s.resolve(c[fields.topic]), SERVICE_TYPES.topic);
      if (topic) this.serviceToTopic('bucketToTopic', 's3.amazonaws.com', bucket, topic, 'serviceToEncryptedTopic');
    }
    for (const c of list(config?.LambdaConfigurations)) {
      const fn = this.app.find(s.resolve(c[fields.fn]), SERVICE_TYPES.fn);
      if (fn) this.serviceToFunction('bucketToFunction', 's3.amazonaws.com', bucket, fn);
    }
  }

  /** A service assuming a role, then the role calling the target. */
  private throughRole(factId: FactId, service: string, source: DeployedResource, roleArn: unknown, targetArn: unknown, sourceArn?: string): void {
    const role = this.app.find(roleArn, SERVICE_TYPES.role);
    if (!role) return;
    this.fromService(factId, service, source, role.stack.arnOf(role), role, 'sts:AssumeRole', role.stack.resolve(role.props.AssumeRolePolicyDocument), sourceArn);
    const target = this.app.find(targetArn);
    if (!target) return;
    const action = { 'AWS::Lambda::Function': 'lambda:InvokeFunction', 'AWS::SQS::Queue': 'sqs:SendMessage', 'AWS::SNS::Topic': 'sns:Publish', 'AWS::StepFunctions::StateMachine': 'states:StartExecution' }[target.type];
    if (action) this.roleToStore('roleCallsTarget', role, action, target, undefined, path(source));
  }

  // -------------------------------------------------------------------------
  // Roles calling resources

  /**
   * A role's request to a resource (and, when the resource is encrypted with a
   * key of the app, the key use the service makes for it), through `endpoint`
   * when the caller sits in a VPC; refused from another account, without TLS
   * where the resource has a policy, and with another resource's encryption context.
   */
  private roleToStore(factId: FactId, role: DeployedResource, action: string, store: DeployedResource, endpoint?: Endpoint, label?: string,
    use: { resource?: string; context?: Context } = {}): void {
    const s = store.stack;
    const resource = use.resource ?? storeResource(store, action);
    const context: Context = { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': role.stack.account, ...use.context };
    if (endpoint) Object.assign(context, { 'aws:SourceVpce': endpoint.id, 'aws:SourceVpc': endpoint.vpc, 'aws:ResourceAccount': s.account });
    const resourcePolicy = this.resourcePolicyOf(store);
    const variants: Variant[] = [{ name: 'another account', principal: ATTACKER, identityPolicies: [ALLOW_EVERYTHING], context: { ...context, 'aws:PrincipalAccount': OTHER_ACCOUNT } }];
    if (resourcePolicy && tlsOnlyCovers(store, action)) {
      variants.push({ name: 'no TLS', context: { ...context, 'aws:SecureTransport': 'false' } });
    }
    this.add({
      factId,
      label: `${label ?? path(role)} -> ${path(store)}`,
      principal: role.stack.arnOf(role),
      action,
      resource,
      resourceAccount: s.account,
      context,
      identityPolicies: this.identityPolicies(role),
      resourcePolicy,
      endpointPolicies: endpoint ? [{ name: endpoint.id, policy: endpoint.policy }] : undefined,
      variants,
    });
    this.keyThroughStore(role, action, store, resource);
  }

  private keyThroughStore(role: DeployedResource, action: string, store: DeployedResource, resource: string): void {
    const key = this.keyOfStore(store);
    const use = keyUse(store, action, resource, store.stack.account);
    if (!key || !use) return;
    for (const context of use.contexts) {
      for (const keyAction of use.actions) {
        const full: Context = { 'kms:ViaService': `${use.service}.${store.stack.region}.amazonaws.com`, 'kms:CallerAccount': role.stack.account, ...context };
        this.add({
          factId: store.type === 'AWS::SQS::Queue' ? 'encryptedQueueThroughSqs' : 'storeKeyThroughService',
          label: `${path(role)} -> ${path(store)} -> ${path(key)}`,
          principal: role.stack.arnOf(role),
          action: keyAction,
          resource: key.stack.arnOf(key),
          resourceAccount: key.stack.account,
          context: full,
          identityPolicies: this.identityPolicies(role),
          resourcePolicy: this.keyPolicy(key),
          variants: narrowsContext(this.identityPolicies(role), store) ? [{ name: 'another resource\'s encryption context', context: { ...full, ...otherContext(context) } }] : [],
        });
      }
    }
  }

  /** Environment decryption, and every store the function's role is granted, through its endpoint. */
  private functionPaths(fn: DeployedResource): void {
    const s = fn.stack;
    const role = this.roleOf(fn);
    if (!role) return;
    const key = this.app.find(s.resolve(fn.props.KmsKeyArn), SERVICE_TYPES.key);
    if (key && fn.props.Environment) {
      const fnArn = s.arnOf(fn);
      const context: Context = { 'kms:EncryptionContext:aws:lambda:FunctionArn': fnArn, 'kms:CallerAccount': s.account };
      this.add({
        factId: 'environmentDecryption',
        label: `${path(fn)} -> ${path(key)}`,
        principal: role.stack.arnOf(role),
        action: 'kms:Decrypt',
        resource: key.stack.arnOf(key),
        resourceAccount: key.stack.account,
        context,
        identityPolicies: this.identityPolicies(role),
        resourcePolicy: this.keyPolicy(key),
        variants: [{ name: 'another resource\'s encryption context', context: { ...context, 'kms:EncryptionContext:aws:lambda:FunctionArn': `${fnArn}-other` } }],
      });
    }
    const dlq = this.app.find(s.resolve(fn.props.DeadLetterConfig?.TargetArn), [...SERVICE_TYPES.queue, ...SERVICE_TYPES.topic]);
    if (dlq) this.roleToStore('deadLetterDelivery', role, dlq.type === 'AWS::SQS::Queue' ? 'sqs:SendMessage' : 'sns:Publish', dlq);
    const vpc = this.vpcOf(fn);
    this.grantedStores(role, path(fn), service => vpc ? this.endpointFor(fn.stack, vpc, service) : undefined);
  }

  /**
   * A Lambda role no function of the app uses (one handed to a function of
   * another app, or granted before its function is written): what its grants
   * name, called from outside any VPC of the app.
   */
  private lambdaRoleWithoutFunction(role: DeployedResource): void {
    const trust = role.stack.resolve(role.props.AssumeRolePolicyDocument);
    const trustsLambda = list(trust?.Statement).some((st: any) => st.Effect === 'Allow' && list(st.Principal?.Service).includes('lambda.amazonaws.com'));
    if (!trustsLambda) return;
    this.functionRoles ??= new Set(this.app.stacks.flatMap(stack => stack.ofType('AWS::Lambda::Function').map(fn => this.roleOf(fn))));
    if (!this.functionRoles.has(role)) this.grantedStores(role, path(role), () => undefined);
  }

  /** Each store call a role's grants allow (a service action on a store of the app), as the role makes it. */
  private grantedStores(role: DeployedResource, label: string, endpointFor: (service: string) => Endpoint | undefined): void {
    for (const document of this.identityPolicies(role)) {
      for (const statement of list(document.policy.Statement)) {
        if (statement.Effect !== 'Allow') continue;
        for (const action of list(statement.Action)) {
          const service = String(action).split(':')[0];
          if (!STORE_SERVICES.includes(service) || String(action).includes('*')) continue;
          const endpoint = endpointFor(service);
          for (const resource of list(statement.Resource)) {
            if (resource === '*') {
              if (RESOURCE_LESS.includes(action)) this.resourceLess(role, action, endpoint);
              continue;
            }
            const store = this.app.find(String(resource).replace(/\/.*$/, '').replace(/\/\*$/, ''), STORE_TYPES[service])
              ?? this.app.find(String(resource).replace(/\/\*$/, ''), STORE_TYPES[service]);
            if (!store || !storeActionFits(store, action, String(resource))) continue;
            // A grant under a key prefix is used under it: an object there, a listing of it.
            const prefix = list(statement.Condition?.StringLike?.['s3:prefix'])[0];
            const sample = store.type === 'AWS::S3::Bucket' && isObjectAction(action) ? String(resource).replace(/\*$/, 'object.json') : undefined;
            this.roleToStore('functionToStore', role, action, store, endpoint, label, {
              resource: sample,
              context: { ...prefix !== undefined ? { 's3:prefix': String(prefix).replace(/\*$/, '') } : {}, ...leadingKeysContext(statement) },
            });
          }
        }
      }
    }
  }

  private resourceLess(role: DeployedResource, action: string, endpoint?: Endpoint): void {
    const context: Context = { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': role.stack.account };
    if (endpoint) Object.assign(context, { 'aws:SourceVpce': endpoint.id, 'aws:SourceVpc': endpoint.vpc });
    this.add({
      factId: 'resourceLessAction',
      label: `${path(role)} -> ${action}`,
      principal: role.stack.arnOf(role),
      action,
      resource: '*',
      resourceAccount: role.stack.account,
      context,
      identityPolicies: this.identityPolicies(role),
      endpointPolicies: endpoint ? [{ name: endpoint.id, policy: endpoint.policy }] : undefined,
      variants: [{ name: 'another account', principal: ATTACKER, identityPolicies: [ALLOW_EVERYTHING], context: { ...context, 'aws:PrincipalAccount': OTHER_ACCOUNT } }]
        .filter(() => endpoint !== undefined) as Variant[],
    });
  }

  // -------------------------------------------------------------------------
  // API Gateway

  private restMethod(method: DeployedResource): void {
    const s = method.stack;
    const integration = method.props.Integration;
    if (!integration || integration.Type !== 'AWS_PROXY') return;
    const fn = this.functionInUri(s, integration.Uri);
    if (!fn) return;
    const apiId = s.resolve(method.props.RestApiId);
    const stage = s.ofType('AWS::ApiGateway::Stage').find(st => s.resolve(st.props.RestApiId) === apiId);
    const stageName = stage ? s.resolve(stage.props.StageName) : 'prod';
    const httpMethod = s.resolve(method.props.HttpMethod);
    const sourceArn = s.arn('execute-api', `${apiId}/${stageName}/${httpMethod === 'ANY' ? 'GET' : httpMethod}${this.resourcePath(s, method.props.ResourceId)}`);
    this.invokeFromApi('apiToFunction', method, fn, sourceArn);
  }

  private httpRoute(route: DeployedResource): void {
    const s = route.stack;
    const target = String(s.resolve(route.props.Target) ?? '');
    const integrationId = target.replace(/^integrations\//, '');
    const integration = s.ofType('AWS::ApiGatewayV2::Integration').find(i => String(s.ref(i.logicalId)) === integrationId || i.logicalId === integrationId);
    const fn = integration && this.functionInUri(s, integration.props.IntegrationUri);
    if (!fn) return;
    const apiId = s.resolve(route.props.ApiId);
    const api = s.ofType('AWS::ApiGatewayV2::Api').find(a => s.ref(a.logicalId) === apiId);
    const routeKey = String(s.resolve(route.props.RouteKey));
    let sourceArn: string;
    if (api && s.resolve(api.props.ProtocolType) === 'WEBSOCKET') {
      // A WebSocket route is invoked as <api>/<stage>/<route key>
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-control-access-iam.html).
      const stage = s.ofType('AWS::ApiGatewayV2::Stage').find(st => s.resolve(st.props.ApiId) === apiId);
      sourceArn = s.arn('execute-api', `${apiId}/${stage ? s.resolve(stage.props.StageName) : 'dev'}/${routeKey}`);
    } else {
      const [method, routePath] = routeKey.split(' ');
      sourceArn = s.arn('execute-api', `${apiId}/$default/${method === 'ANY' ? 'GET' : method}${samplePath(routePath ?? '/')}`);
    }
    this.invokeFromApi('apiToFunction', route, fn, sourceArn);
  }

  private invokeFromApi(factId: FactId, source: DeployedResource, fn: DeployedResource, sourceArn: string): void {
    this.fromService(factId, 'apigateway.amazonaws.com', source, fn.stack.arnOf(fn), fn, 'lambda:InvokeFunction', this.functionPolicy(fn), sourceArn);
  }

  private resourcePath(s: DeployedStack, resourceId: any): string {
    const parts: string[] = [];
    let current = resourceId;
    for (let depth = 0; depth < 30; depth++) {
      const id = current?.Ref;
      const resource = typeof id === 'string' ? s.resources.get(id) : undefined;
      if (!resource || resource.type !== 'AWS::ApiGateway::Resource') break;
      parts.unshift(String(s.resolve(resource.props.PathPart)));
      current = resource.props.ParentId;
    }
    return samplePath(`/${parts.join('/')}`);
  }

  private functionInUri(s: DeployedStack, uri: any): DeployedResource | undefined {
    const text = String(s.resolve(uri) ?? '');
    const match = /arn:[^:]+:lambda:[^:]+:\d{12}:function:[^/:]+/.exec(text);
    return match ? this.app.find(match[0], SERVICE_TYPES.fn) : this.app.find(text, SERVICE_TYPES.fn);
  }

  private privateApi(api: DeployedResource): void {
    const s = api.stack;
    if (!list(api.props.EndpointConfiguration?.Types).includes('PRIVATE') || !api.props.Policy) return;
    const endpointIds = list(s.resolve(api.props.EndpointConfiguration?.VpcEndpointIds));
    const apiId = s.ref(api.logicalId);
    const policy = expandExecuteApi(s.resolve(api.props.Policy), s.arn('execute-api', `${apiId}/`));
    const caller = `arn:${s.partition}:iam::${s.account}:role/caller`;
    const callerPolicy: NamedPolicy = { name: 'caller', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] } };
    for (const vpce of endpointIds.slice(0, 1)) {
      const context: Context = { 'aws:SourceVpce': String(vpce), 'aws:PrincipalAccount': s.account };
      this.add({
        factId: 'privateApiInvoke',
        label: `a role of ${s.account} -> ${path(api)}`,
        principal: caller,
        action: 'execute-api:Invoke',
        // The evaluator's ARN pattern for execute-api wants a path after the method: a path under the root stands for it.
        resource: s.arn('execute-api', `${apiId}/prod/GET/orders`),
        resourceAccount: s.account,
        context,
        identityPolicies: [callerPolicy],
        resourcePolicy: policy,
        variants: [{ name: 'another endpoint', context: { ...context, 'aws:SourceVpce': 'vpce-0another' } }],
      });
    }
  }

  // -------------------------------------------------------------------------
  // Step Functions and CloudFront

  private stateMachine(machine: DeployedResource): void {
    const s = machine.stack;
    const role = this.app.find(s.resolve(machine.props.RoleArn), SERVICE_TYPES.role);
    if (!role) return;
    this.fromService('stateMachineAssumesRole', 'states.amazonaws.com', machine, role.stack.arnOf(role), role, 'sts:AssumeRole', role.stack.resolve(role.props.AssumeRolePolicyDocument));
    const definition = s.resolve(machine.props.DefinitionString);
    let parsed: any;
    try {
      parsed = typeof definition === 'string' ? JSON.parse(definition) : definition;
    } catch {
      return;
    }
    for (const task of tasksOf(parsed)) {
      const match = /^arn:[^:]+:states:::([a-z]+):([a-zA-Z]+)/.exec(String(task.Resource ?? ''));
      if (!match) continue;
      const [, service, api] = match;
      const p = task.Parameters ?? task.Arguments ?? {};
      const targets: Record<string, [string | undefined, string]> = {
        lambda: [p.FunctionName, 'lambda:InvokeFunction'],
        sqs: [p.QueueUrl, 'sqs:SendMessage'],
        sns: [p.TopicArn, 'sns:Publish'],
        dynamodb: [p.TableName, `dynamodb:${api[0].toUpperCase()}${api.slice(1)}`],
      };
      const [name, action] = targets[service] ?? [undefined, ''];
      // A function is invoked by its ARN, a version's or an alias's: the permission is the function's.
      const unqualified = typeof name === 'string' ? /arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+/.exec(name)?.[0] ?? name : name;
      const target = this.app.find(unqualified, [...SERVICE_TYPES.fn, ...SERVICE_TYPES.queue, ...SERVICE_TYPES.topic, ...SERVICE_TYPES.table]);
      const qualified = typeof name === 'string' && name.startsWith('arn:') && target?.type === 'AWS::Lambda::Function' ? name : undefined;
      if (target) this.roleToStore('roleCallsTarget', role, action, target, undefined, path(machine), { resource: qualified });
    }
  }

  private cloudFront(distribution: DeployedResource): void {
    const s = distribution.stack;
    for (const origin of list(s.resolve(distribution.props.DistributionConfig?.Origins))) {
      if (!origin.OriginAccessControlId) continue;
      const bucketName = String(origin.DomainName ?? '').split('.s3.')[0];
      const bucket = this.app.find(bucketName, SERVICE_TYPES.bucket);
      if (!bucket) continue;
      this.fromService('cloudFrontOac', 'cloudfront.amazonaws.com', distribution, `${bucket.stack.arnOf(bucket)}/index.html`, bucket, 's3:GetObject', this.resourcePolicyOf(bucket));
    }
  }

  // -------------------------------------------------------------------------
  // Policies of the template

  private roleOf(fn: DeployedResource): DeployedResource | undefined {
    return this.app.find(fn.stack.resolve(fn.props.Role), SERVICE_TYPES.role);
  }


  private identityPolicies(role: DeployedResource): NamedPolicy[] {
    const cached = this.identityCache.get(role);
    if (cached) return cached;
    const s = role.stack;
    const name = s.nameOf(role);
    const policies: NamedPolicy[] = list(role.props.Policies).map((p: any, i: number) => ({ name: `${role.logicalId}-inline-${i}`, policy: s.resolve(p.PolicyDocument) }));
    const attached = new Set(list(s.resolve(role.props.ManagedPolicyArns)).map(String));
    for (const p of s.ofType('AWS::IAM::Policy')) {
      if (list(s.resolve(p.props.Roles)).includes(name)) policies.push({ name: p.logicalId, policy: s.resolve(p.props.PolicyDocument) });
    }
    for (const p of s.ofType('AWS::IAM::ManagedPolicy')) {
      if (!list(s.resolve(p.props.Roles)).includes(name) && !attached.has(s.arnOf(p))) continue;
      policies.push({ name: p.logicalId, policy: s.resolve(p.props.PolicyDocument) });
    }
    this.identityCache.set(role, policies);
    return policies;
  }

  private resourcePolicyOf(store: DeployedResource): any {
    switch (store.type) {
      case 'AWS::SQS::Queue': return this.queuePolicy(store);
      case 'AWS::SNS::Topic': return this.topicPolicy(store);
      case 'AWS::Lambda::Function': return this.functionPolicy(store);
      case 'AWS::S3::Bucket': return this.attachedPolicy(store, 'AWS::S3::BucketPolicy', p => [p.Bucket]);
      case 'AWS::SecretsManager::Secret': return this.attachedPolicy(store, 'AWS::SecretsManager::ResourcePolicy', p => [p.SecretId], 'ResourcePolicy');
      case 'AWS::DynamoDB::Table': return store.props.ResourcePolicy ? store.stack.resolve(store.props.ResourcePolicy.PolicyDocument) : undefined;
      default: return undefined;
    }
  }

  private queuePolicy(queue: DeployedResource): any {
    return this.attachedPolicy(queue, 'AWS::SQS::QueuePolicy', p => list(p.Queues));
  }

  /** A topic's policy, or the default policy SNS gives a topic that has none (owner account only). */
  private topicPolicy(topic: DeployedResource): any {
    const policy = this.attachedPolicy(topic, 'AWS::SNS::TopicPolicy', p => list(p.Topics));
    if (policy) return policy;
    return {
      Version: '2008-10-17',
      Statement: [{
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: topic.stack.arnOf(topic),
        Condition: { StringEquals: { 'AWS:SourceOwner': topic.stack.account } },
      }],
    };
  }

  /** Every policy document of `type` attached to `target`, as one document. */
  private attachedPolicy(target: DeployedResource, type: string, targetsOf: (props: any) => any[], field: string = 'PolicyDocument'): any {
    const ids = new Set([target.stack.arnOf(target), String(target.stack.ref(target.logicalId)), target.stack.nameOf(target)]);
    const statements: any[] = [];
    for (const stack of this.app.stacks) {
      for (const p of stack.ofType(type)) {
        if (targetsOf(p.props).some(t => ids.has(String(stack.resolve(t))))) statements.push(...list(stack.resolve(p.props[field]).Statement));
      }
    }
    return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  /** The permissions of a function, as the resource policy Lambda builds from them. */
  private functionPolicy(fn: DeployedResource): any {
    const ids = new Set([fn.stack.arnOf(fn), fn.stack.nameOf(fn)]);
    const statements: any[] = [];
    for (const stack of this.app.stacks) {
      for (const p of stack.ofType('AWS::Lambda::Permission')) {
        const props = stack.resolve(p.props);
        if (!ids.has(String(props.FunctionName))) continue;
        const principal = String(props.Principal);
        const condition: any = {};
        if (props.SourceArn) condition.ArnLike = { 'AWS:SourceArn': props.SourceArn };
        if (props.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': props.SourceAccount };
        if (props.FunctionUrlAuthType) condition.StringEquals = { ...condition.StringEquals, 'lambda:FunctionUrlAuthType': props.FunctionUrlAuthType };
        statements.push({
          Sid: p.logicalId,
          Effect: 'Allow',
          Action: props.Action,
          Resource: fn.stack.arnOf(fn),
          Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: /^\d{12}$/.test(principal) ? root(fn.stack.partition, principal) : principal },
          ...Object.keys(condition).length > 0 ? { Condition: condition } : {},
        });
      }
    }
    return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  private keyPolicy(key: DeployedResource): any {
    return key.stack.resolve(key.props.KeyPolicy);
  }

  private keyOfStore(store: DeployedResource): DeployedResource | undefined {
    const s = store.stack;
    const p = store.props;
    const keyRef = {
      'AWS::SQS::Queue': p.KmsMasterKeyId,
      'AWS::SNS::Topic': p.KmsMasterKeyId,
      'AWS::DynamoDB::Table': p.SSESpecification?.KMSMasterKeyId,
      'AWS::SecretsManager::Secret': p.KmsKeyId,
      'AWS::S3::Bucket': list(p.BucketEncryption?.ServerSideEncryptionConfiguration)[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID,
    }[store.type];
    const value = s.resolve(keyRef);
    return this.app.find(value, SERVICE_TYPES.key) ?? this.app.find(String(value ?? '').replace(/^.*:key\//, ''), SERVICE_TYPES.key);
  }

  // -------------------------------------------------------------------------
  // Networks

  private vpcOf(fn: DeployedResource): string | undefined {
    const s = fn.stack;
    const subnets = list(s.resolve(fn.props.VpcConfig?.SubnetIds));
    if (subnets.length === 0) return undefined;
    for (const subnet of s.ofType('AWS::EC2::Subnet')) {
      if (subnets.includes(String(s.ref(subnet.logicalId)))) return String(s.resolve(subnet.props.VpcId));
    }
    return 'vpc-brought';
  }

  private endpointFor(s: DeployedStack, vpc: string, service: string): Endpoint | undefined {
    const name = `com.amazonaws.${s.region}.${service}`;
    for (const stack of this.app.stacks) {
      for (const e of stack.ofType('AWS::EC2::VPCEndpoint')) {
        if (stack.resolve(e.props.ServiceName) !== name) continue;
        const endpointVpc = String(stack.resolve(e.props.VpcId));
        if (endpointVpc !== vpc && vpc !== 'vpc-brought') continue;
        const policy = e.props.PolicyDocument ? stack.resolve(e.props.PolicyDocument)
          : { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };
        return { id: String(stack.ref(e.logicalId)), vpc: endpointVpc, policy };
      }
    }
    return undefined;
  }

  private add(request: Omit<ModeledRequest, 'fact'>): void {
    const key = JSON.stringify([request.factId, request.principal, request.action, request.resource, request.context]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.out.push({ ...request, fact: FACTS[request.factId] });
  }
}

interface Endpoint {
  readonly id: string;
  readonly vpc: string;
  readonly policy: any;
}

const STORE_SERVICES = ['dynamodb', 'sqs', 'sns', 's3', 'secretsmanager'];
const STORE_TYPES: Record<string, readonly string[]> = {
  dynamodb: SERVICE_TYPES.table, sqs: SERVICE_TYPES.queue, sns: SERVICE_TYPES.topic, s3: SERVICE_TYPES.bucket, secretsmanager: SERVICE_TYPES.secret,
};
/** Actions that name no resource, which a function's role is granted on `*`. */
const RESOURCE_LESS = ['secretsmanager:GetRandomPassword'];

/**
 * Whether a TLS-only resource policy, as AWS recommends it, covers the action:
 * every action on a queue or bucket; on a topic, publishing.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#enforce-encryption-data-in-transit
 */
function tlsOnlyCovers(store: DeployedResource, action: string): boolean {
  return store.type === 'AWS::SNS::Topic' ? action === 'sns:Publish' : ['AWS::SQS::Queue', 'AWS::S3::Bucket'].includes(store.type);
}

/** DynamoDB Streams actions, which name a stream: a grant of them on the table's ARN reads nothing through it. */
const STREAM_ACTIONS = /^dynamodb:(GetRecords|GetShardIterator|DescribeStream|ListStreams)$/;

/** S3 object actions take the object ARN; bucket actions the bucket ARN. */
function storeActionFits(store: DeployedResource, action: string, resource: string): boolean {
  if (store.type !== 'AWS::S3::Bucket') return !resource.includes('/index/') && !resource.includes('/stream/') && !STREAM_ACTIONS.test(action);
  return isObjectAction(action) === resource.endsWith('/*');
}

function isObjectAction(action: string): boolean {
  return /Object|MultipartUpload|^s3:(AbortMultipartUpload|ListMultipartUploadParts)$/.test(action) && !/^s3:ListBucket/.test(action);
}

function storeResource(store: DeployedResource, action: string): string {
  const arn = store.stack.arnOf(store);
  if (store.type === 'AWS::S3::Bucket' && isObjectAction(action)) return `${arn}/uploads/object.json`;
  return arn;
}

/** Which key actions the service makes for a role's store action, with the encryption contexts it may send. */
interface KeyUse {
  readonly service: string;
  readonly actions: string[];
  readonly contexts: Context[];
}

function keyUse(store: DeployedResource, action: string, resource: string, account: string): KeyUse | undefined {
  const name = action.split(':')[1];
  const writes = /^(Send|Put|Publish|Update|BatchWrite|Delete(Item)?$|CreateMultipartUpload)/.test(name);
  const reads = /^(Receive|Get|Query|Scan|BatchGet|Describe|ListMultipart|ChangeMessageVisibility)/.test(name);
  const s = store.stack;
  switch (store.type) {
    case 'AWS::SQS::Queue':
      if (!/^(SendMessage|ReceiveMessage)/.test(name)) return undefined;
      return { service: 'sqs', actions: [name.startsWith('Send') ? 'kms:GenerateDataKey' : 'kms:Decrypt'], contexts: [{ 'kms:EncryptionContext:aws:sqs:arn': s.arnOf(store) }] };
    case 'AWS::SNS::Topic':
      if (name !== 'Publish') return undefined;
      return { service: 'sns', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], contexts: [{ 'kms:EncryptionContext:aws:sns:topicArn': s.arnOf(store) }] };
    case 'AWS::DynamoDB::Table':
      if (!writes && !reads) return undefined;
      return { service: 'dynamodb', actions: ['kms:Decrypt'], contexts: [{ 'kms:EncryptionContext:aws:dynamodb:tableName': s.nameOf(store), 'kms:EncryptionContext:aws:dynamodb:subscriberId': account }] };
    case 'AWS::SecretsManager::Secret':
      if (!/^(GetSecretValue|PutSecretValue)$/.test(name)) return undefined;
      return { service: 'secretsmanager', actions: [name === 'GetSecretValue' ? 'kms:Decrypt' : 'kms:GenerateDataKey'], contexts: [{ 'kms:EncryptionContext:SecretARN': s.arnOf(store) }] };
    case 'AWS::S3::Bucket':
      if (!/^(GetObject|PutObject)$/.test(name)) return undefined;
      // An object keeps the context it was written with: the object ARN, or the bucket ARN under an S3 Bucket Key.
      return {
        service: 's3',
        actions: [name === 'GetObject' ? 'kms:Decrypt' : 'kms:GenerateDataKey'],
        contexts: [{ 'kms:EncryptionContext:aws:s3:arn': resource }, { 'kms:EncryptionContext:aws:s3:arn': s.arnOf(store) }],
      };
    default:
      return undefined;
  }
}

/**
 * Whether the role's key use for a secret or table is meant to name it in the
 * encryption context: aws-cdk-lib's `Secret.grantRead` and SecureTable's grants
 * condition on `kms:ViaService` only (the table through its service, the secret
 * narrowed by the issue on statements others add to a library key), so the
 * variant applies where a policy names the context (SecureSecret); queues, topics,
 * buckets and environments always do.
 */
function narrowsContext(policies: NamedPolicy[], store: DeployedResource): boolean {
  const key = { 'AWS::SecretsManager::Secret': 'kms:EncryptionContext:SecretARN', 'AWS::DynamoDB::Table': 'kms:EncryptionContext:aws:dynamodb:tableName' }[store.type];
  return key === undefined || JSON.stringify(policies.map(p => p.policy)).includes(key);
}

/**
 * A grant limited to items under given partition keys (`dynamodb:LeadingKeys`)
 * is used with one of them: a literal key, or the value of the principal tag a
 * policy variable names (the role is modeled with that tag).
 */
function leadingKeysContext(statement: any): Context {
  const conditions = Object.entries<Record<string, unknown>>(statement.Condition ?? {}).filter(([operator]) => operator !== 'Null');
  const allowed = conditions.flatMap(([, entries]) => list(entries['dynamodb:LeadingKeys'])).filter(v => typeof v === 'string')[0] as string | undefined;
  if (allowed === undefined) return {};
  const tag = /^\$\{aws:PrincipalTag\/(.+)\}$/.exec(allowed)?.[1];
  if (tag === undefined) return { 'dynamodb:LeadingKeys': [allowed.replace(/\*$/, 'value')] };
  return { 'dynamodb:LeadingKeys': ['tenant-a'], [`aws:PrincipalTag/${tag}`]: 'tenant-a' };
}

/** The same encryption context, naming a resource of another account. */
function otherContext(context: Context): Context {
  return Object.fromEntries(Object.entries(context).map(([k, v]) => [k, otherValue(k, `${v}`)]));
}

function otherValue(key: string, value: string): string {
  if (key.endsWith('subscriberId')) return OTHER_ACCOUNT;
  // S3 ARNs name no account: another bucket, its object under the same key.
  const s3 = /^(arn:[^:]+:s3:::)([^/]+)(.*)$/.exec(value);
  if (s3) return `${s3[1]}${s3[2]}-other${s3[3]}`;
  const other = inOtherAccount(value);
  return other === value ? `${value}-other` : other;
}

function tasksOf(definition: any): any[] {
  const found: any[] = [];
  const walk = (states: any): void => {
    for (const state of Object.values<any>(states ?? {})) {
      if (state.Type === 'Task') found.push(state);
      for (const branch of list(state.Branches)) walk(branch.States);
      if (state.Iterator) walk(state.Iterator.States);
      if (state.ItemProcessor) walk(state.ItemProcessor.States);
    }
  };
  walk(definition?.States);
  return found;
}

/**
 * A REST API's resource policy as API Gateway reads it: `execute-api:/<stage>/<method>/<path>`
 * stands for that path of this API.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html
 */
function expandExecuteApi(policy: any, apiArnPrefix: string): any {
  const expand = (resource: unknown) => typeof resource === 'string' && resource.startsWith('execute-api:/')
    ? `${apiArnPrefix}${resource.slice('execute-api:/'.length)}` : resource;
  const statements = list(policy?.Statement).map((statement: any) => ({
    ...statement, Resource: Array.isArray(statement.Resource) ? statement.Resource.map(expand) : expand(statement.Resource),
  }));
  return { ...policy, Statement: statements };
}

/** A concrete request path for a route path: each `{param}` (or greedy `{proxy+}`) becomes a value. */
function samplePath(routePath: string): string {
  return routePath.replace(/\{[^}]+\}/g, 'value');
}

function path(resource: DeployedResource): string {
  return `${resource.stack.name}/${resource.logicalId}`;
}

function list(value: any): any[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
