import { functionIn, httpRouteOf, routeOf } from './apis';
import { pushTo, ScannedResource, ScannedStack } from './app-scan';
import { referencedIds } from './references';
import { SecurityReportInvoker } from './schema';
import { ruleTargets, stateMachineInvokers } from './state-machines';
import { asArray, CfnValue, isObject, isTrue, referencedLogicalId, renderText } from '../guardrails/cfn-values';
import { ResourceType } from '../guardrails/resource-index';

/** The order invokers are listed in: the structured ones first, raw permissions last. */
const KIND_ORDER = [
  'api-route', 'api-authorizer', 'event-source-mapping', 'sns-subscription', 'bucket-notification', 'event-rule', 'state-machine-task',
  'custom-resource', 'function-url', 'permission',
];

/** An invoker being collected, with what a permission that admits it must name. */
interface FoundInvoker {
  readonly invoker: SecurityReportInvoker & { permissions?: string[]; sourceAccount?: string };
  /** Logical ids one of which the permission's `SourceArn` must name: the API, topic, bucket, rule or authorizer. */
  readonly sources: ReadonlySet<string>;
  /** For a route, its method and path, which the `SourceArn` must cover. */
  readonly route?: { readonly method: string; readonly path: string };
}

/**
 * Who can invoke each function of a template, by function logical id: API
 * methods, HTTP API routes and authorizers, event source mappings, SNS subscriptions,
 * S3 event notifications, EventBridge rules and schedules, state machine tasks,
 * custom resources (their `ServiceToken`), function URLs and `AWS::Lambda::Permission`s.
 *
 * The permission that API Gateway, SNS, EventBridge or S3 needs to invoke the
 * function is folded into the route, subscription, rule or notification it
 * serves (`permissions`), so that each invoker is listed once; a permission
 * that serves none of them is an invoker of its own (`permission`).
 */
export function invokersByFunction(scan: ScannedStack): Map<string, SecurityReportInvoker[]> {
  const found = new Map<string, FoundInvoker[]>();
  const add = (fn: ScannedResource | undefined, invoker: SecurityReportInvoker, sources: CfnValue[] = [], route?: FoundInvoker['route']): void => {
    const ids = new Set(sources.map(referencedLogicalId).filter((id): id is string => id !== undefined));
    if (fn) pushTo(found, fn.logicalId, { invoker: { ...invoker }, sources: ids, route });
  };
  const fnNamed = (value: CfnValue): ScannedResource | undefined =>
    functionIn(value, scan) ?? (typeof value === 'string' ? scan.resource(scan.template.functionNamed(value)?.logicalId) : undefined);

  for (const method of scan.resourcesOf(ResourceType.API_METHOD)) {
    const route = routeOf(method, scan);
    const api = scan.referenced(method.properties.RestApiId);
    add(route.handler, {
      kind: 'api-route',
      principal: 'apigateway.amazonaws.com',
      source: `${route.httpMethod} ${route.path} on ${api?.path ?? renderText(method.properties.RestApiId)}`,
    }, [method.properties.RestApiId], { method: route.httpMethod, path: route.path });
  }
  for (const route of scan.resourcesOf(ResourceType.API_V2_ROUTE)) {
    const httpRoute = httpRouteOf(route, scan);
    const api = scan.referenced(route.properties.ApiId);
    add(httpRoute.handler, {
      kind: 'api-route',
      principal: 'apigateway.amazonaws.com',
      source: `${renderText(route.properties.RouteKey)} on ${api?.path ?? renderText(route.properties.ApiId)}`,
    }, [route.properties.ApiId], { method: httpRoute.httpMethod, path: httpRoute.path });
  }
  for (const authorizer of scan.resourcesOf('AWS::ApiGatewayV2::Authorizer')) {
    if (authorizer.properties.AuthorizerType !== 'REQUEST') continue;
    add(functionIn(authorizer.properties.AuthorizerUri, scan),
      { kind: 'api-authorizer', principal: 'apigateway.amazonaws.com', source: authorizer.path }, [{ Ref: authorizer.logicalId }]);
  }
  for (const authorizer of scan.resourcesOf('AWS::ApiGateway::Authorizer')) {
    add(functionIn(authorizer.properties.AuthorizerUri, scan),
      { kind: 'api-authorizer', principal: 'apigateway.amazonaws.com', source: authorizer.path }, [{ Ref: authorizer.logicalId }]);
  }
  for (const mapping of scan.resourcesOf(ResourceType.LAMBDA_EVENT_SOURCE_MAPPING)) {
    const source = mapping.properties.EventSourceArn;
    add(fnNamed(mapping.properties.FunctionName), {
      kind: 'event-source-mapping',
      principal: 'lambda.amazonaws.com',
      source: source !== undefined ? scan.nameOf(source) : 'a self-managed or Kafka event source',
    });
  }
  for (const subscription of scan.resourcesOf('AWS::SNS::Subscription')) {
    if (subscription.properties.Protocol !== 'lambda') continue;
    add(fnNamed(subscription.properties.Endpoint),
      { kind: 'sns-subscription', principal: 'sns.amazonaws.com', source: scan.nameOf(subscription.properties.TopicArn) }, [subscription.properties.TopicArn]);
  }
  for (const topic of scan.resourcesOf('AWS::SNS::Topic')) {
    for (const subscription of asArray(topic.properties.Subscription).filter(isObject)) {
      if (subscription.Protocol !== 'lambda') continue;
      add(fnNamed(subscription.Endpoint), { kind: 'sns-subscription', principal: 'sns.amazonaws.com', source: topic.path }, [{ Ref: topic.logicalId }]);
    }
  }
  for (const bucket of scan.resourcesOf('AWS::S3::Bucket')) {
    for (const notification of asArray(bucket.properties.NotificationConfiguration?.LambdaConfigurations).filter(isObject)) {
      add(fnNamed(notification.Function), {
        kind: 'bucket-notification',
        principal: 's3.amazonaws.com',
        source: `${bucket.path} (${renderText(notification.Event)})`,
      }, [{ Ref: bucket.logicalId }]);
    }
  }
  for (const target of ruleTargets(scan)) add(fnNamed(target.arn), target.invoker, [{ Ref: target.rule.logicalId }]);
  for (const [fnId, invoker] of stateMachineInvokers(scan)) add(scan.resource(fnId), invoker);
  // CloudFormation invokes the function a custom resource's ServiceToken names, on each
  // create, update and delete, e.g. the handler of aws-cdk-lib's `Custom::VpcRestrictDefaultSG`.
  for (const resource of scan.allResources()) {
    if (!resource.type.startsWith('Custom::') && resource.type !== 'AWS::CloudFormation::CustomResource') continue;
    add(fnNamed(resource.properties.ServiceToken), {
      kind: 'custom-resource',
      principal: 'cloudformation.amazonaws.com',
      source: `${resource.path} (${resource.type})`,
    });
  }
  for (const url of scan.resourcesOf(ResourceType.LAMBDA_URL)) {
    const authType = renderText(url.properties.AuthType);
    add(fnNamed(url.properties.TargetFunctionArn), {
      kind: 'function-url',
      principal: authType === 'NONE' ? '*' : 'IAM principals allowed lambda:InvokeFunctionUrl',
      source: `function URL (${authType})`,
    });
  }
  for (const permission of scan.resourcesOf(ResourceType.LAMBDA_PERMISSION)) {
    const props = permission.properties;
    const fn = fnNamed(props.FunctionName);
    if (!fn) continue;
    const principal = renderText(props.Principal);
    const sourceArn = props.SourceArn !== undefined ? scan.nameOf(props.SourceArn) : '*';
    const served = (found.get(fn.logicalId) ?? []).filter((candidate) => candidate.invoker.principal === principal && admits(props, candidate));
    // A function URL's permission names no source: its action says what it allows.
    const folded = props.SourceArn !== undefined ? sourceArn : renderText(props.Action);
    for (const { invoker } of served) {
      invoker.permissions = [...invoker.permissions ?? [], folded];
      if (props.SourceAccount !== undefined) invoker.sourceAccount = renderText(props.SourceAccount);
    }
    if (served.length > 0) continue;
    add(fn, {
      kind: 'permission',
      principal,
      source: sourceArn,
      ...props.SourceAccount !== undefined ? { sourceAccount: renderText(props.SourceAccount) } : {},
    });
  }
  const result = new Map<string, SecurityReportInvoker[]>();
  for (const [fnId, list] of found) {
    result.set(fnId, list.map((entry) => entry.invoker).sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)));
  }
  return result;
}

/**
 * Whether a permission (its resolved properties) admits an invoker: its
 * `SourceArn` names the invoker's API, topic, bucket, rule or authorizer, and
 * for a route covers its method and path (`<api>/<stage>/<METHOD>/<path>`,
 * path parameters as `*`); a function URL's permissions name its auth type or
 * allow invocation only through the URL.
 */
function admits(permission: CfnValue, candidate: FoundInvoker): boolean {
  // A function URL's permissions: `InvokeFunctionUrl` for its auth type, and `InvokeFunction` only through the URL.
  if (candidate.invoker.kind === 'function-url') return permission.FunctionUrlAuthType !== undefined || isTrue(permission.InvokedViaFunctionUrl);
  if (permission.SourceArn === undefined || ![...referencedIds(permission.SourceArn)].some((id) => candidate.sources.has(id))) return false;
  const text = renderText(permission.SourceArn);
  if (candidate.invoker.kind === 'api-authorizer') return text.includes('/authorizers/');
  if (!candidate.route) return true;
  if (text.includes('/authorizers/')) return false;
  const [, , method = '*', ...rest] = text.split('/');
  const methodMatches = method === '*' || method === candidate.route.method;
  const routePath = (candidate.route.path || '/').replace(/\{[^}]*\}/g, '*');
  return methodMatches && wildcard(`/${rest.join('/')}`).test(routePath);
}

/** An ARN path pattern, `*` matching anything, as a regular expression. */
function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
