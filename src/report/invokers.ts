import { functionIn, routeOf } from './apis';
import { pushTo, ScannedResource, ScannedStack } from './app-scan';
import { SecurityReportInvoker } from './schema';
import { asArray, CfnValue, isObject, renderText } from '../guardrails/cfn-values';
import { ResourceType } from '../guardrails/resource-index';

/** The order invokers are listed in: the structured ones first, raw permissions last. */
const KIND_ORDER = [
  'api-route', 'api-authorizer', 'event-source-mapping', 'sns-subscription', 'bucket-notification', 'event-rule', 'function-url', 'permission',
];

/**
 * Who can invoke each function of a template, by function logical id: API
 * methods and authorizers, event source mappings, SNS subscriptions, S3 event
 * notifications, EventBridge rules and schedules, function URLs and `AWS::Lambda::Permission`s.
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
  for (const [type, principal, targetsOf] of [
    ['AWS::Events::Rule', 'events.amazonaws.com', (props: CfnValue) => asArray(props.Targets)],
    ['AWS::Scheduler::Schedule', 'scheduler.amazonaws.com', (props: CfnValue) => asArray(props.Target)],
  ] as const) {
    for (const rule of scan.resourcesOf(type)) {
      const schedule = rule.properties.ScheduleExpression;
      const source = schedule !== undefined ? `${rule.path} (${renderText(schedule)})` : rule.path;
      for (const target of targetsOf(rule.properties).filter(isObject)) add(fnNamed(target.Arn), { kind: 'event-rule', principal, source });
    }
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
