import { Lazy, Names, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_THROTTLE, HTTP_ACCESS_LOG_FORMAT } from './api-defaults';
import { checkHandler } from './authorizer-checks';
import { HttpApiAuthorization } from './http-api-authorization';
import { checkCorsOrigins, checkDomain, checkHttpMethod, checkPath, checkThrottle, HTTP_METHODS, Throttle } from './route-checks';
import { invokedPath, SecureHttpRoute } from './route-grants';
import { ApiDomainOptions } from './secure-api';
import { SecurityBaseline } from '../baseline/security-baseline';
import { invalidProp } from '../core/errors';
import { checkPropKinds, kinds } from '../core/prop-types';

const ROUTE_METADATA = 'cdk-secure-serverless:route';
/** The stage every request goes through: API Gateway deploys it on every change. */
const STAGE_NAME = '$default';


/**
 * Options of a route added with `SecureHttpApi.addRoute`.
 */
export interface HttpApiRouteOptions {
  /**
   * How callers of this route are authorized.
   *
   * @default - the API's `defaultAuthorization`
   */
  readonly authorization?: HttpApiAuthorization;

  /**
   * Throttling of this route; an unset limit is the stage's.
   *
   * @default - the stage's throttling
   */
  readonly throttling?: apigatewayv2.ThrottleSettings;
}

/**
 * Properties of a SecureHttpApi.
 */
export interface SecureHttpApiProps {
  /**
   * The name of the HTTP API.
   *
   * @default - the construct id
   */
  readonly apiName?: string;

  /**
   * A description of the HTTP API.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * How routes are authorized unless `addRoute` says otherwise.
   *
   * @default HttpApiAuthorization.iam()
   */
  readonly defaultAuthorization?: HttpApiAuthorization;

  /**
   * Requests per second (`rateLimit`) and burst (`burstLimit`) of the `$default`
   * stage, for every route; `addRoute` can set its own. The burst must be at least
   * the rate.
   *
   * @default - rateLimit 100, burstLimit 200
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
   */
  readonly throttling?: apigatewayv2.ThrottleSettings;

  /**
   * CORS: API Gateway answers the browser's preflight `OPTIONS` request itself,
   * without authorization and without calling a function, and adds the CORS headers
   * to every response. Origins must be explicit. The allowed headers always include
   * those authorized routes need (`Authorization`, `Content-Type` and the SigV4
   * headers `X-Amz-Date`, `X-Amz-Security-Token`, `X-Amz-Content-Sha256`), and the
   * allowed methods default to the methods of the API's routes.
   *
   * @default - no CORS
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
   */
  readonly cors?: apigatewayv2.CorsPreflightOptions;

  /**
   * A custom domain name, with TLS 1.2 as the minimum; the default `execute-api`
   * endpoint is then disabled so that callers cannot go around the domain.
   * `basePath` is the API mapping key.
   *
   * @default - the API is reached at its execute-api URL
   */
  readonly domain?: ApiDomainOptions;

  /**
   * The baseline providing the log key and log retention.
   *
   * @default SecurityBaseline.of(this)
   */
  readonly baseline?: SecurityBaseline;
}

/**
 * An HTTP API (API Gateway v2) that is authenticated, throttled and logged by
 * default:
 *
 * - every route authorized (`HttpApiAuthorization.iam()` unless told otherwise);
 *   the CORS preflight alone is open, answered by API Gateway;
 * - JSON access logs to a log group encrypted with the baseline key and retained;
 *   detailed metrics;
 * - stage and per-route throttling;
 * - function invoke permissions for the route on the `$default` stage only, with
 *   `SourceArn` and `SourceAccount`; `route.grantInvoke` names that stage too;
 * - custom domains with TLS 1.2, the execute-api endpoint then disabled.
 *
 * HTTP APIs cannot be associated with AWS WAF, validate requests, cache responses,
 * present a client certificate to the backend or trace with X-Ray: use a
 * SecureApi (REST) where those are needed.
 */
export class SecureHttpApi extends Construct {
  /** The HTTP API, for what this construct does not cover. */
  public readonly httpApi: apigatewayv2.HttpApi;
  /** The `$default` stage, deployed automatically. */
  public readonly stage: apigatewayv2.HttpStage;
  /** The log group of the stage's access logs. */
  public readonly accessLogGroup: logs.ILogGroup;
  /** The baseline this API uses. */
  public readonly baseline: SecurityBaseline;
  /** The custom domain name, when one is set. */
  public readonly domain?: apigatewayv2.DomainName;

  private readonly defaultAuthorization: HttpApiAuthorization;
  private readonly stageThrottle: Throttle;
  private readonly corsPreflight: boolean;
  private readonly domainUrl?: string;
  private readonly authorizers = new Map<string, apigatewayv2.HttpRouteAuthorizerConfig>();
  private readonly integrations = new Map<lambda.IFunction, LambdaHttpRouteIntegration>();
  private readonly routeThrottles = new Map<string, Throttle>();
  private readonly routeKeys = new Set<string>();
  /** The variable name used at each position under a literal prefix, e.g. `orders/{}` -> `{id}`. */
  private readonly variables = new Map<string, string>();

  constructor(scope: Construct, id: string, props: SecureHttpApiProps = {}) {
    super(scope, id);
    checkPropKinds(this.node.path, props, {
      apiName: kinds.string(128),
      description: kinds.string(1024),
      baseline: kinds.instance(SecurityBaseline, 'a SecurityBaseline'),
    });
    this.defaultAuthorization = props.defaultAuthorization ?? HttpApiAuthorization.iam();
    if (!HttpApiAuthorization.isHttpApiAuthorization(this.defaultAuthorization)) {
      invalidProp(this, 'defaultAuthorization', this.defaultAuthorization, 'an HttpApiAuthorization, e.g. HttpApiAuthorization.iam()');
    }
    this.stageThrottle = checkThrottle(this, 'throttling', props.throttling, DEFAULT_THROTTLE) ?? DEFAULT_THROTTLE;
    checkHttpCors(this, props.cors);
    this.corsPreflight = props.cors !== undefined;
    checkDomain(this, props.domain, false);

    this.baseline = props.baseline ?? SecurityBaseline.of(this);
    this.accessLogGroup = this.baseline.createLogGroup(this, 'AccessLogs', `access logs of ${this.node.path}`);

    this.httpApi = new apigatewayv2.HttpApi(this, 'Resource', {
      apiName: props.apiName ?? id,
      description: props.description,
      createDefaultStage: false,
      corsPreflight: props.cors && this.corsForRoutes(props.cors),
      disableExecuteApiEndpoint: props.domain ? true : undefined,
    });

    if (props.domain) {
      this.domain = new apigatewayv2.DomainName(this, 'CustomDomain', {
        domainName: props.domain.domainName,
        certificate: props.domain.certificate,
        endpointType: apigatewayv2.EndpointType.REGIONAL,
        securityPolicy: apigatewayv2.SecurityPolicy.TLS_1_2,
      });
      this.domainUrl = `https://${props.domain.domainName}/${props.domain.basePath ?? ''}`;
    }

    this.stage = new apigatewayv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: STAGE_NAME,
      autoDeploy: true,
      throttle: this.stageThrottle,
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigatewayv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(HTTP_ACCESS_LOG_FORMAT),
      },
      domainMapping: this.domain ? { domainName: this.domain, mappingKey: props.domain!.basePath } : undefined,
    });
    // Per-route settings are known only once every route is added.
    (this.stage.node.defaultChild as apigatewayv2.CfnStage).routeSettings = Lazy.any({ produce: () => this.renderRouteSettings() });
  }

  /**
   * The URL of the API: its custom domain when one is set, else the stage's
   * execute-api URL.
   */
  public get url(): string {
    return this.domainUrl ?? this.stage.url;
  }

  /**
   * Sends requests for `method` and `path` to `handler` (a Lambda proxy integration,
   * payload format 2.0).
   *
   * The handler may be invoked by this route on the `$default` stage only
   * (`SourceArn`, `SourceAccount`).
   *
   * @param method an HTTP method: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (unless CORS answers it) or ANY
   * @param path the route path, e.g. `/orders/{id}`, or `/{proxy+}` for every path
   * @param handler the function handling the requests
   * @param options authorization and throttling of the route
   * @returns the route
   */
  public addRoute(method: string, path: string, handler: lambda.IFunction, options: HttpApiRouteOptions = {}): apigatewayv2.HttpRoute {
    const httpMethod = checkHttpMethod(this, method, this.corsPreflight);
    const segments = checkPath(this, path);
    const routeKey = `${httpMethod} ${path}`;
    if (this.routeKeys.has(routeKey)) invalidProp(this, 'path', path, `a method and path not already routed (${routeKey} is)`);
    checkHandler(this.node.path, handler);
    if (options === null || typeof options !== 'object') invalidProp(this, 'options', options, 'HttpApiRouteOptions');
    const authorization = options.authorization ?? this.defaultAuthorization;
    if (!HttpApiAuthorization.isHttpApiAuthorization(authorization)) {
      invalidProp(this, 'authorization', authorization, 'an HttpApiAuthorization, e.g. HttpApiAuthorization.iam()');
    }
    const throttle = checkThrottle(this, 'throttling', options.throttling, this.stageThrottle);
    this.checkVariables(path, segments.map(segment => segment.variable ? `{${segment.variable}}` : segment.part), segments.map(s => s.variable !== undefined));
    this.routeKeys.add(routeKey);

    let integration = this.integrations.get(handler);
    if (!integration) {
      integration = new LambdaHttpRouteIntegration(handler);
      this.integrations.set(handler, integration);
    }
    const bound = authorization._bind(this.httpApi, this.httpApi, this.authorizers);
    const route = new SecureHttpRoute(this.httpApi, `Route ${httpMethod} ${path.replace(/\//g, '|')}`, {
      httpApi: this.httpApi,
      routeKey: apigatewayv2.HttpRouteKey.with(path, httpMethod as apigatewayv2.HttpMethod),
      integration,
      authorizer: bound.authorizer ?? new apigatewayv2.HttpNoneAuthorizer(),
      authorizationScopes: bound.authorizationScopes,
    }, { method: httpMethod, path, api: this.node.path }, STAGE_NAME, authorization.kind);
    authorization._acknowledgeOn(route);
    const stack = Stack.of(this);
    handler.addPermission('InvokePermission', {
      scope: route,
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      // The route's method and path on the stage it serves; a path variable matches the path requested.
      sourceArn: stack.formatArn({
        service: 'execute-api',
        resource: this.httpApi.apiId,
        resourceName: `${STAGE_NAME}/${httpMethod === 'ANY' ? '*' : httpMethod}${invokedPath(path)}`,
      }),
      sourceAccount: stack.account,
    });
    if (throttle) {
      this.routeThrottles.set(routeKey, throttle);
      // The stage names the route in its settings: CloudFormation must create the route first.
      this.stage.node.addDependency(route);
    }
    this.node.addMetadata(ROUTE_METADATA, {
      method: httpMethod,
      path,
      authorization: authorization.kind,
      ...authorization.reason ? { reason: authorization.reason } : {},
      throttling: throttle ?? this.stageThrottle,
    });
    return route;
  }

  /** Two routes may not name the variable at the same position differently: API Gateway sees one route. */
  private checkVariables(path: string, parts: string[], isVariable: boolean[]): void {
    parts.forEach((part, index) => {
      if (!isVariable[index]) return;
      const position = [...parts.slice(0, index).map((p, i) => isVariable[i] ? '{}' : p), '{}'].join('/');
      const existing = this.variables.get(position);
      if (existing !== undefined && existing !== part) {
        invalidProp(this, 'path', path, `one variable per path level: ${existing} is already routed there, use it here too`);
      }
      this.variables.set(position, part);
    });
  }

  private renderRouteSettings(): { [routeKey: string]: unknown } | undefined {
    if (this.routeThrottles.size === 0) return undefined;
    return Object.fromEntries([...this.routeThrottles].map(([routeKey, throttle]) => [routeKey, {
      ThrottlingRateLimit: throttle.rateLimit,
      ThrottlingBurstLimit: throttle.burstLimit,
      DetailedMetricsEnabled: true,
    }]));
  }

  /**
   * What a browser needs to call an authorized route: its `Authorization` (JWT,
   * Lambda authorizers) or SigV4 headers (IAM) and the route's method, which a
   * preflight without them refuses.
   */
  private corsForRoutes(cors: apigatewayv2.CorsPreflightOptions): apigatewayv2.CorsPreflightOptions {
    const given = cors.allowHeaders ?? [];
    const allowHeaders = [...given, ...CORS_AUTH_HEADERS.filter(h => !given.some(g => g.toLowerCase() === h.toLowerCase()))];
    const allowMethods = cors.allowMethods ?? Lazy.list({
      produce: () => [...new Set([...this.routeKeys].map(key => key.split(' ')[0]).map(m => m === 'ANY' ? '*' : m))],
    }) as unknown as apigatewayv2.CorsHttpMethod[];
    return { ...cors, allowHeaders, allowMethods };
  }
}

/**
 * A Lambda proxy integration (payload 2.0), shared by the routes of one function,
 * without the invoke permission aws-cdk-lib's `HttpLambdaIntegration` adds (every
 * stage and method, no `SourceAccount`): `addRoute` adds one per route.
 */
class LambdaHttpRouteIntegration extends apigatewayv2.HttpRouteIntegration {
  constructor(private readonly handler: lambda.IFunction) {
    super(`Integration${Names.nodeUniqueId(handler.node)}`);
  }

  public bind(): apigatewayv2.HttpRouteIntegrationConfig {
    return {
      type: apigatewayv2.HttpIntegrationType.AWS_PROXY,
      uri: this.handler.functionArn,
      payloadFormatVersion: apigatewayv2.PayloadFormatVersion.VERSION_2_0,
    };
  }

}

/** Headers an authorized request carries: a bearer token, or a SigV4 signature. */
const CORS_AUTH_HEADERS = ['Authorization', 'Content-Type', 'X-Amz-Date', 'X-Amz-Security-Token', 'X-Amz-Content-Sha256'];

function checkHttpCors(scope: Construct, cors: apigatewayv2.CorsPreflightOptions | undefined): void {
  if (cors === undefined) return;
  if (cors === null || typeof cors !== 'object') invalidProp(scope, 'cors', cors, 'apigatewayv2.CorsPreflightOptions with explicit allowOrigins');
  checkCorsOrigins(scope, cors.allowOrigins);
  const methods = cors.allowMethods;
  const allowed = [...HTTP_METHODS.filter(m => m !== 'ANY'), '*'];
  if (methods !== undefined && (!Array.isArray(methods) || methods.length === 0 || methods.some(m => !allowed.includes(m)))) {
    invalidProp(scope, 'cors.allowMethods', methods, `methods among ${allowed.join(', ')} (CorsHttpMethod values)`);
  }
  if (cors.allowCredentials !== undefined && typeof cors.allowCredentials !== 'boolean') {
    invalidProp(scope, 'cors.allowCredentials', cors.allowCredentials, 'true or false');
  }
}
