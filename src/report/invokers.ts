import { functionIn, httpRouteOf, routeOf } from './apis';
import { pushTo, ScannedResource, ScannedStack } from './app-scan';
import { SecurityReportInvoker } from './schema';
import { ruleTargets, stateMachineInvokers } from './state-machines';
import { asArray, CfnValue, isObject, renderText } from '../guardrails/cfn-values';
import { ResourceType } from '../guardrails/resource-index';

/** The order invokers are listed in: the structured ones first, raw permissions last. */
const KIND_ORDER = [
  'api-route', 'api-authorizer', 'event-source-mapping', 'sns-subscription', 'bucket-notification', 'event-rule', 'state-machine-task',
  'custom-resource', 'function-url', 'permission',
];

/**
 * Who can invoke each function of a template, by function logical id: API
 * methods, HTTP API routes and authorizers, event source mappings, SNS subscriptions,
 * S3 event notifications, EventBridge rules and schedules, state machine tasks,
 * custom resources (their `ServiceToken`), function URLs and `AWS::Lambda::Permission`s.
 */
export function invokersByFunction(scan: ScannedStack): Map<string, SecurityReportInvoker[]> {
  const result = new Map<string, SecurityReportInvoker[]>();
  const add = (fn: ScannedResource | undefined, invoker: SecurityReportInvoker): void => {
    if (fn) pushTo(result, fn.logicalId, invoker);
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
    });
  }
  for (const route of scan.resourcesOf(ResourceType.API_V2_ROUTE)) {
    const httpRoute = httpRouteOf(route, scan);
    const api = scan.referenced(route.properties.ApiId);
    add(httpRoute.handler, {
      kind: 'api-route',
      principal: 'apigateway.amazonaws.com',
      source: `${renderText(route.properties.RouteKey)} on ${api?.path ?? renderText(route.properties.ApiId)}`,
    });
  }
  for (const authorizer of scan.resourcesOf('AWS::ApiGatewayV2::Authorizer')) {
    if (authorizer.properties.AuthorizerType !== 'REQUEST') continue;
    add(functionIn(authorizer.properties.AuthorizerUri, scan), { kind: 'api-authorizer', principal: 'apigateway.amazonaws.com', source: authorizer.path });
  }
  for (const authorizer of scan.resourcesOf('AWS::ApiGateway::Authorizer')) {
    add(functionIn(authorizer.properties.AuthorizerUri, scan), { kind: 'api-authorizer', principal: 'apigateway.amazonaws.com', source: authorizer.path });
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
    add(fnNamed(subscription.properties.Endpoint), { kind: 'sns-subscription', principal: 'sns.amazonaws.com', source: scan.nameOf(subscription.properties.TopicArn) });
  }
  for (const topic of scan.resourcesOf('AWS::SNS::Topic')) {
    for (const subscription of asArray(topic.properties.Subscription).filter(isObject)) {
      if (subscription.Protocol === 'lambda') add(fnNamed(subscription.Endpoint), { kind: 'sns-subscription', principal: 'sns.amazonaws.com', source: topic.path });
    }
  }
  for (const bucket of scan.resourcesOf('AWS::S3::Bucket')) {
    for (const notification of asArray(bucket.properties.NotificationConfiguration?.LambdaConfigurations).filter(isObject)) {
      add(fnNamed(notification.Function), {
        kind: 'bucket-notification',
        principal: 's3.amazonaws.com',
        source: `${bucket.path} (${renderText(notification.Event)})`,
      });
    }
  }
  for (const target of ruleTargets(scan)) add(fnNamed(target.arn), target.invoker);
  for (const [fnId, invoker] of stateMachineInvokers(scan)) pushTo(result, fnId, invoker);
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
    add(fnNamed(props.FunctionName), {
      kind: 'permission',
      principal: renderText(props.Principal),
      source: props.SourceArn !== undefined ? scan.nameOf(props.SourceArn) : '*',
      ...props.SourceAccount !== undefined ? { sourceAccount: renderText(props.SourceAccount) } : {},
    });
  }
  for (const list of result.values()) list.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  return result;
}
