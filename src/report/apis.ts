import { compareText, pushTo, ScannedResource, ScannedStack } from './app-scan';
import { referencedIds } from './references';
import { SecurityReportApi, SecurityReportApiStage, SecurityReportRoute, SecurityReportThrottling } from './schema';
import { asArray, CfnValue, decodeResourcePath, isObject, isTrue, numberValue, referencedLogicalId, renderText } from '../guardrails/cfn-values';
import { ResourceType } from '../guardrails/resource-index';

const REST_API = 'AWS::ApiGateway::RestApi';
const AUTHORIZER = 'AWS::ApiGateway::Authorizer';
const HTTP_API = 'AWS::ApiGatewayV2::Api';
const HTTP_AUTHORIZER = 'AWS::ApiGatewayV2::Authorizer';
const HTTP_INTEGRATION = 'AWS::ApiGatewayV2::Integration';
const USER_POOL = 'AWS::Cognito::UserPool';

/** A method of a REST API, with the function behind it. */
export interface ApiRoute {
  readonly method: ScannedResource;
  readonly httpMethod: string;
  readonly path: string;
  /** The function the integration invokes, when it is one of this template. */
  readonly handler?: ScannedResource;
}

/** Reads a method: its path, and the function its integration URI names. */
export function routeOf(method: ScannedResource, scan: ScannedStack): ApiRoute {
  const props = method.properties;
  return {
    method,
    httpMethod: renderText(props.HttpMethod),
    path: scan.template.apiPathOf(props.ResourceId) ?? renderText(props.ResourceId),
    handler: functionIn(props.Integration?.Uri, scan),
  };
}

/** The function of this template that a value (a URI, an ARN) refers to. */
export function functionIn(value: CfnValue, scan: ScannedStack): ScannedResource | undefined {
  if (value === undefined) return undefined;
  for (const id of referencedIds(value)) {
    const fn = scan.resource(id, ResourceType.LAMBDA_FUNCTION);
    if (fn) return fn;
  }
  return undefined;
}

/** A route of an HTTP API, with the function behind it. */
export interface HttpApiRoute {
  readonly route: ScannedResource;
  readonly httpMethod: string;
  readonly path: string;
  /** The function the integration invokes, when it is one of this template. */
  readonly handler?: ScannedResource;
}

/** Reads an HTTP API route: its route key, and the function its integration (`integrations/<id>`) invokes. */
export function httpRouteOf(route: ScannedResource, scan: ScannedStack): HttpApiRoute {
  const routeKey = renderText(route.properties.RouteKey);
  const space = routeKey.indexOf(' ');
  const integration = integrationOf(route, scan);
  return {
    route,
    httpMethod: space < 0 ? routeKey : routeKey.slice(0, space),
    path: space < 0 ? '' : routeKey.slice(space + 1),
    handler: functionIn(integration?.properties.IntegrationUri, scan),
  };
}

/** The integration an HTTP API route targets (`integrations/<id>`). */
function integrationOf(route: ScannedResource, scan: ScannedStack): ScannedResource | undefined {
  for (const id of referencedIds(route.properties.Target)) {
    const integration = scan.resource(id, HTTP_INTEGRATION);
    if (integration) return integration;
  }
  return undefined;
}

/**
 * Every REST API and HTTP API of a template, read from its `AWS::ApiGateway::*`,
 * `AWS::ApiGatewayV2::*` and `AWS::WAFv2::WebACLAssociation` resources, so it
 * works for any API.
 */
export function describeApis(scan: ScannedStack): SecurityReportApi[] {
  const stagesByApi = new Map<string, ScannedResource[]>();
  for (const type of [ResourceType.API_STAGE, ResourceType.API_DEPLOYMENT]) {
    for (const stage of scan.resourcesOf(type)) {
      if (type === ResourceType.API_DEPLOYMENT && stage.properties.StageName === undefined) continue;
      const apiId = referencedLogicalId(stage.properties.RestApiId);
      if (apiId !== undefined) pushTo(stagesByApi, apiId, stage);
    }
  }
  const webAcls = webAclsByStage(scan);
  const restApis = scan.resourcesOf(REST_API).map((api) => {
    const stages = stagesByApi.get(api.logicalId) ?? [];
    const firstStageSettings = stages.length > 0 ? methodSettingsOf(stages[0]) : [];
    const routes = scan.template.methodsOf(api.logicalId)
      .map((method) => describeRoute(routeOf(method as ScannedResource, scan), scan, firstStageSettings))
      .sort((a, b) => compareText(a.path, b.path) || compareText(a.method, b.method));
    return {
      path: api.path,
      logicalId: api.logicalId,
      protocol: 'REST',
      endpointType: renderText(asArray(api.properties.EndpointConfiguration?.Types)[0] ?? 'EDGE'),
      stages: stages.map((stage) => describeStage(api, stage, scan, webAcls)),
      routes,
    };
  });
  return [...restApis, ...describeHttpApis(scan)];
}

/** HTTP APIs (WebSocket APIs are not served by the library and not listed). */
function describeHttpApis(scan: ScannedStack): SecurityReportApi[] {
  const stagesByApi = new Map<string, ScannedResource[]>();
  for (const stage of scan.resourcesOf(ResourceType.API_V2_STAGE)) {
    const apiId = referencedLogicalId(stage.properties.ApiId);
    if (apiId !== undefined) pushTo(stagesByApi, apiId, stage);
  }
  return scan.resourcesOf(HTTP_API).filter((api) => api.properties.ProtocolType === 'HTTP').map((api) => {
    const stages = stagesByApi.get(api.logicalId) ?? [];
    const routes = scan.template.routesOf(api.logicalId)
      .map((route) => describeHttpRoute(httpRouteOf(route as ScannedResource, scan), scan, stages[0]))
      .sort((a, b) => compareText(a.path, b.path) || compareText(a.method, b.method));
    return {
      path: api.path,
      logicalId: api.logicalId,
      protocol: 'HTTP',
      endpointType: 'REGIONAL',
      stages: stages.map((stage) => {
        const throttling = throttlingOf(stage.properties.DefaultRouteSettings);
        const accessLogs = stage.properties.AccessLogSettings?.DestinationArn;
        return {
          name: renderText(stage.properties.StageName),
          ...throttling ? { throttling } : {},
          tracing: false,
          ...accessLogs !== undefined ? { accessLogs: scan.nameOfResource(accessLogs, ResourceType.LOG_GROUP) } : {},
        };
      }),
      routes,
    };
  });
}

function describeHttpRoute(route: HttpApiRoute, scan: ScannedStack, stage: ScannedResource | undefined): SecurityReportRoute {
  const props = route.route.properties;
  const authorizer = scan.referenced(props.AuthorizerId, HTTP_AUTHORIZER);
  const routeSettings = isObject(stage?.properties.RouteSettings) ? stage!.properties.RouteSettings : {};
  const throttling = throttlingOf(routeSettings[renderText(props.RouteKey)]) ?? throttlingOf(stage?.properties.DefaultRouteSettings);
  const integration = integrationOf(route.route, scan);
  return {
    method: route.httpMethod,
    path: route.path,
    authorization: renderText(props.AuthorizationType ?? 'NONE'),
    ...authorizer ? describeJwtAuthorizer(authorizer, scan) : {},
    apiKeyRequired: isTrue(props.ApiKeyRequired),
    integration: renderText(integration?.properties.IntegrationType ?? 'NONE'),
    ...route.handler ? { handler: route.handler.path } : {},
    ...throttling ? { throttling } : {},
  };
}

function describeStage(api: ScannedResource, stage: ScannedResource, scan: ScannedStack, webAcls: Map<string, string>): SecurityReportApiStage {
  // A deployment's stage keeps its settings in `StageDescription`.
  const settings = stage.type === ResourceType.API_DEPLOYMENT && isObject(stage.properties.StageDescription)
    ? stage.properties.StageDescription : stage.properties;
  const name = renderText(stage.properties.StageName ?? stage.logicalId);
  const apiName = `<${api.logicalId}>`;
  const webAcl = webAcls.get(`${apiName}|${name}`) ?? webAcls.get(`${apiName}|<${stage.logicalId}>`);
  const throttling = (stage.type === ResourceType.API_DEPLOYMENT ? throttlingOf(settings) : undefined)
    ?? throttlingOf(methodSettingsOf(stage).find(isStageWide));
  const accessLogs = settings.AccessLogSetting?.DestinationArn;
  return {
    name,
    ...webAcl !== undefined ? { webAcl } : {},
    ...throttling ? { throttling } : {},
    tracing: isTrue(settings.TracingEnabled),
    ...accessLogs !== undefined ? { accessLogs: scan.nameOfResource(accessLogs, ResourceType.LOG_GROUP) } : {},
  };
}

function describeRoute(route: ApiRoute, scan: ScannedStack, stageSettings: readonly CfnValue[]): SecurityReportRoute {
  const props = route.method.properties;
  const authorizer = scan.referenced(props.AuthorizerId, AUTHORIZER);
  const own = stageSettings.find((setting) => decodeResourcePath(setting.ResourcePath) === route.path && setting.HttpMethod === route.httpMethod);
  const throttling = throttlingOf(own) ?? throttlingOf(stageSettings.find(isStageWide));
  return {
    method: route.httpMethod,
    path: route.path,
    authorization: renderText(props.AuthorizationType ?? 'NONE'),
    ...authorizer ? describeAuthorizer(authorizer, scan) : {},
    apiKeyRequired: isTrue(props.ApiKeyRequired),
    integration: renderText(props.Integration?.Type ?? 'MOCK'),
    ...route.handler ? { handler: route.handler.path } : {},
    ...throttling ? { throttling } : {},
  };
}

type AuthorizerFields = Pick<SecurityReportRoute, 'authorizer' | 'userPools' | 'clients'>;

/** A REST API authorizer's path and type, and for a Cognito authorizer the user pools whose tokens it accepts. */
function describeAuthorizer(authorizer: ScannedResource, scan: ScannedStack): AuthorizerFields {
  const pools = asArray(authorizer.properties.ProviderARNs).map((arn) => scan.nameOf(arn));
  return { authorizer: `${authorizer.path} (${renderText(authorizer.properties.Type)})`, ...pools.length > 0 ? { userPools: pools } : {} };
}

/**
 * An HTTP API authorizer's path and type, and for a JWT authorizer the user
 * pool its issuer names (`https://cognito-idp.<region>.<suffix>/<pool id>`)
 * and the app clients of its audience.
 */
function describeJwtAuthorizer(authorizer: ScannedResource, scan: ScannedStack): AuthorizerFields {
  const type = renderText(authorizer.properties.AuthorizerType);
  const jwt = isObject(authorizer.properties.JwtConfiguration) ? authorizer.properties.JwtConfiguration : undefined;
  if (type !== 'JWT' || !jwt) return { authorizer: `${authorizer.path} (${type})` };
  return {
    authorizer: `${authorizer.path} (${type})`,
    userPools: jwt.Issuer !== undefined ? [scan.nameOfResource(jwt.Issuer, USER_POOL)] : [],
    clients: asArray(jwt.Audience).map((audience) => scan.nameOf(audience)),
  };
}

function isStageWide(setting: CfnValue): boolean {
  return setting.ResourcePath === '/*' && setting.HttpMethod === '*';
}

function methodSettingsOf(stage: ScannedResource): CfnValue[] {
  const settings = stage.type === ResourceType.API_DEPLOYMENT ? stage.properties.StageDescription?.MethodSettings : stage.properties.MethodSettings;
  return asArray(settings).filter(isObject);
}

function throttlingOf(settings: CfnValue): SecurityReportThrottling | undefined {
  if (!isObject(settings)) return undefined;
  const rateLimit = numberValue(settings.ThrottlingRateLimit);
  const burstLimit = numberValue(settings.ThrottlingBurstLimit);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  return { ...rateLimit !== undefined ? { rateLimit } : {}, ...burstLimit !== undefined ? { burstLimit } : {} };
}


/** Web ACLs by `<api>|<stage>` as the association's resource ARN names them. */
function webAclsByStage(scan: ScannedStack): Map<string, string> {
  const result = new Map<string, string>();
  for (const association of scan.resourcesOf(ResourceType.WAF_ASSOCIATION)) {
    // arn:<partition>:apigateway:<region>::/restapis/<api>/stages/<stage>
    const match = /\/restapis\/([^/]+)\/stages\/(.+)$/.exec(renderText(association.properties.ResourceArn));
    if (match) result.set(`${match[1]}|${match[2]}`, scan.nameOf(association.properties.WebACLArn));
  }
  return result;
}
