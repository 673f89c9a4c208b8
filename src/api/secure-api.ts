import { Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiAuthorization } from './api-authorization';
import { accessLogFormat, CACHE_CLUSTER_SIZE, DEFAULT_THROTTLE, executionLogGroupName, STAGE_CACHE, STAGE_LOGGING } from './api-defaults';
import { ApiCloudWatchRole, ApiGatewayAccount } from './api-gateway-account';
import { LambdaRouteIntegration } from './lambda-route-integration';
import {
  checkCacheTtl, checkCors, checkDomain, checkHttpMethod, checkPath, checkRequestParameters, checkThrottle, methodSettingPath, PathSegment, Throttle,
} from './route-checks';
import { invokedPath, SecureMethod } from './route-grants';
import { SecureWebAcl } from './secure-web-acl';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeFinding } from '../core/acknowledgements';
import { invalidProp } from '../core/errors';
import { checkPropKinds, kinds } from '../core/prop-types';
import { PrivateNetwork } from '../network/private-network';

const ROUTE_METADATA = 'cdk-secure-serverless:route';
const STAGE_NAME = /^[A-Za-z0-9_]{1,128}$/;
/** Endpoint policies that already let callers without IAM credentials reach this account's APIs. */
const OPENED_ENDPOINTS = new WeakSet<ec2.IInterfaceVpcEndpoint>();

/**
 * A custom domain name for a SecureApi.
 */
export interface ApiDomainOptions {
  /**
   * The domain name, e.g. `api.example.com`.
   */
  readonly domainName: string;

  /**
   * An ACM certificate for the domain name, in the API's region.
   */
  readonly certificate: acm.ICertificate;

  /**
   * The path under which the API is mapped, e.g. `orders` for `https://api.example.com/orders`.
   *
   * @default - the API is mapped at the root of the domain
   */
  readonly basePath?: string;
}

/**
 * Options of a route added with `SecureApi.addRoute`.
 */
export interface RouteOptions {
  /**
   * How callers of this route are authorized.
   *
   * @default - the API's `defaultAuthorization`
   */
  readonly authorization?: ApiAuthorization;

  /**
   * Throttling of this route; an unset limit is the stage's.
   *
   * @default - the stage's throttling
   */
  readonly throttling?: apigateway.ThrottleSettings;

  /**
   * A JSON schema the request body must match; requests with any other content type
   * are validated against it too, so a changed `Content-Type` cannot skip validation.
   *
   * @default - the body is not checked against a schema
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
   */
  readonly requestSchema?: apigateway.JsonSchema;

  /**
   * Query strings and headers the route reads, each marked required or not, such as
   * `{ 'method.request.querystring.page': false }`. Required ones are enforced by the
   * request validator; in the REGULATED profile every declared one is also a key of
   * the API cache.
   *
   * @default - none declared
   */
  readonly requestParameters?: { [name: string]: boolean };

  /**
   * How long the stage cache of a REGULATED API keeps a response of this GET route,
   * from 0 (not cached) to 1 hour. Only GET routes that are not authorized with IAM
   * are cached, keyed on the caller's identity (`Authorization` header or the Lambda
   * authorizer's identity sources), the path parameters and `requestParameters`; an
   * open (`none`) route has no caller identity, so its public responses are shared.
   * Not allowed on a STANDARD API, which has no cache.
   *
   * @default - Duration.minutes(5) for GET routes of a REGULATED API
   */
  readonly cacheTtl?: Duration;
}

/**
 * Properties of a SecureApi.
 */
export interface SecureApiProps {
  /**
   * The name of the REST API.
   *
   * @default - the construct id
   */
  readonly restApiName?: string;

  /**
   * A description of the REST API.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The name of the deployed stage: letters, digits and underscores.
   *
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * How routes are authorized unless `addRoute` says otherwise.
   *
   * @default ApiAuthorization.iam()
   */
  readonly defaultAuthorization?: ApiAuthorization;

  /**
   * Requests per second (`rateLimit`) and burst (`burstLimit`) of the stage, for every
   * method; `addRoute` can set its own. The burst must be at least the rate.
   *
   * The default suits a SecureFunction's reserved concurrency of 10 at about 100 ms a
   * request, and stays far below the account's quota of 10,000 requests per second.
   *
   * @default - rateLimit 100, burstLimit 200
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
   */
  readonly throttling?: apigateway.ThrottleSettings;

  /**
   * CORS: every resource answers the browser's preflight `OPTIONS` request without
   * authorization, from a mock integration that reaches no function. Origins must be
   * explicit. The functions must still return the CORS headers of their own responses.
   *
   * @default - no CORS preflight
   */
  readonly cors?: apigateway.CorsOptions;

  /**
   * Where the API is reachable: `EndpointType.REGIONAL` (the internet, through the web
   * ACL) or `EndpointType.PRIVATE` (only through the execute-api interface endpoint of
   * `network`, enforced by the API's resource policy).
   *
   * @default apigateway.EndpointType.REGIONAL
   */
  readonly endpointType?: apigateway.EndpointType;

  /**
   * The network whose execute-api interface endpoint a PRIVATE API is reached through;
   * the endpoint is created there on first use, or reused. Open it to a caller with
   * `fn.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.APIGATEWAY)` (a
   * SecureFunction) or `api.privateEndpoint.connections.allowFrom(peer, ec2.Port.tcp(443))`.
   * Only for a PRIVATE API.
   *
   * @default - the baseline's network
   */
  readonly network?: PrivateNetwork;

  /**
   * A custom domain name, with TLS 1.2 as the minimum; the default `execute-api`
   * endpoint is then disabled so that callers cannot go around the domain.
   *
   * @default - the API is reached at its execute-api URL
   */
  readonly domain?: ApiDomainOptions;

  /**
   * The web ACL protecting the stage.
   *
   * @default SecureWebAcl.of(this), one web ACL shared by the SecureApis of the stack
   */
  readonly webAcl?: SecureWebAcl;

  /**
   * The role API Gateway writes logs with, an account-wide setting.
   *
   * @default ApiCloudWatchRole.appManaged()
   */
  readonly cloudWatchRole?: ApiCloudWatchRole;

  /**
   * Whether the API Gateway console's test invocations may call the functions: adds a
   * second permission per route, for the `test-invoke-stage` stage.
   *
   * @default false
   */
  readonly allowTestInvoke?: boolean;

  /**
   * The baseline providing the log key, log retention, network and profile.
   *
   * @default SecurityBaseline.of(this)
   */
  readonly baseline?: SecurityBaseline;
}

interface RouteSettings {
  readonly throttle?: Throttle;
  /** Whether a stage cache may keep its responses. */
  readonly cacheable: boolean;
  readonly cacheTtlSeconds?: number;
}

/**
 * A REST API that is authenticated, validated, throttled, logged and behind
 * AWS WAF by default.
 *
 * - every method authorized (`ApiAuthorization.iam()` unless told otherwise);
 *   the CORS preflight alone is open;
 * - a request validator for bodies and parameters, with JSON-schema models per route;
 * - JSON access logs with the standard fields, and execution logs at ERROR without
 *   request or response data, both to log groups in the template, encrypted with
 *   the baseline key and retained; detailed metrics and X-Ray tracing;
 * - stage and per-route throttling;
 * - a WAFv2 web ACL (AWS managed rules and a rate limit per IP) with logging;
 * - function invoke permissions for the deployed stage only, with `SourceArn` and
 *   `SourceAccount`;
 * - REGIONAL or PRIVATE endpoint; custom domains with TLS 1.2;
 * - at most one API Gateway CloudWatch role per app and environment (see
 *   ApiGatewayAccount);
 * - in the REGULATED profile: an encrypted stage cache keyed on the caller's
 *   identity, and a client certificate for the backend.
 */
export class SecureApi extends Construct {
  /** The REST API, for what this construct does not cover. */
  public readonly restApi: apigateway.RestApi;
  /** The deployed stage. */
  public readonly stage: apigateway.Stage;
  /** The log group of the stage's access logs. */
  public readonly accessLogGroup: logs.ILogGroup;
  /** The log group of the stage's execution logs, `API-Gateway-Execution-Logs_{restApiId}/{stageName}`. */
  public readonly executionLogGroup: logs.ILogGroup;
  /** The web ACL protecting the stage. */
  public readonly webAcl: SecureWebAcl;
  /** The request validator of every route. */
  public readonly requestValidator: apigateway.IRequestValidator;
  /** The baseline this API uses. */
  public readonly baseline: SecurityBaseline;
  /** The account-wide CloudWatch role setting the stage logs through; undefined when it is configured outside the app. */
  public readonly cloudWatchAccount?: ApiGatewayAccount;
  /** The execute-api interface endpoint of a PRIVATE API. */
  public readonly privateEndpoint?: ec2.IInterfaceVpcEndpoint;
  /** The custom domain name, when one is set. */
  public readonly domain?: apigateway.DomainName;

  private readonly defaultAuthorization: ApiAuthorization;
  private readonly stageThrottle: Throttle;
  private readonly cached: boolean;
  private readonly allowTestInvoke: boolean;
  private readonly corsStatusCode?: number;
  private readonly domainUrl?: string;
  private readonly authorizers = new Map<string, apigateway.IAuthorizer>();
  private readonly routes = new Map<apigateway.Method, RouteSettings>();
  private readonly routeKeys = new Set<string>();
  private readonly acknowledgedPreflights = new Set<apigateway.Method>();
  private readonly stageName: string;
  private preflightsOpened = false;

  constructor(scope: Construct, id: string, props: SecureApiProps = {}) {
    super(scope, id);
    checkPropKinds(this.node.path, props, {
      restApiName: kinds.string(1024),
      description: kinds.string(1024),
      allowTestInvoke: kinds.boolean,
      cloudWatchRole: kinds.instance(ApiCloudWatchRole, 'an ApiCloudWatchRole, e.g. ApiCloudWatchRole.alreadyConfigured()'),
      webAcl: kinds.instance(SecureWebAcl, 'a SecureWebAcl'),
      baseline: kinds.instance(SecurityBaseline, 'a SecurityBaseline'),
    });
    const stageName = props.stageName ?? 'prod';
    if (typeof stageName !== 'string' || (!Token.isUnresolved(stageName) && !STAGE_NAME.test(stageName))) {
      invalidProp(this, 'stageName', stageName, 'letters, digits and underscores (1 to 128)');
    }
    this.defaultAuthorization = props.defaultAuthorization ?? ApiAuthorization.iam();
    if (!ApiAuthorization.isApiAuthorization(this.defaultAuthorization)) {
      invalidProp(this, 'defaultAuthorization', this.defaultAuthorization, 'an ApiAuthorization, e.g. ApiAuthorization.iam()');
    }
    this.stageThrottle = checkThrottle(this, 'throttling', props.throttling, DEFAULT_THROTTLE) ?? DEFAULT_THROTTLE;
    checkCors(this, props.cors);
    this.corsStatusCode = props.cors ? props.cors.statusCode ?? 204 : undefined;
    this.allowTestInvoke = props.allowTestInvoke ?? false;
    const endpointType = props.endpointType ?? apigateway.EndpointType.REGIONAL;
    if (endpointType !== apigateway.EndpointType.REGIONAL && endpointType !== apigateway.EndpointType.PRIVATE) {
      invalidProp(this, 'endpointType', endpointType,
        'EndpointType.REGIONAL or EndpointType.PRIVATE (an edge-optimized API is served by a CloudFront distribution that a regional web ACL cannot protect)');
    }
    const isPrivate = endpointType === apigateway.EndpointType.PRIVATE;
    if (!isPrivate && props.network !== undefined) {
      invalidProp(this, 'network', pathOf(props.network), 'undefined for a REGIONAL API (a network applies to a PRIVATE API only)');
    }
    checkDomain(this, props.domain, isPrivate);

    this.baseline = props.baseline ?? SecurityBaseline.of(this);
    this.cached = this.baseline.regulated;

    if (isPrivate) {
      const network = props.network ?? this.baseline.network;
      if (!(network instanceof PrivateNetwork)) {
        invalidProp(this, 'network', pathOf(network), 'a PrivateNetwork to host the execute-api interface endpoint of a PRIVATE API (by default the baseline\'s)');
      }
      // No caller yet: each is opened on port 443 on its own (see the `network` prop).
      this.privateEndpoint = network.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.APIGATEWAY, new ec2.Connections());
    }

    this.accessLogGroup = this.baseline.createLogGroup(this, 'AccessLogs', `access logs of ${this.node.path}`);
    const clientCertificate = this.baseline.regulated
      ? new apigateway.CfnClientCertificate(this, 'ClientCertificate', { description: `Lets the backends of ${this.node.path} verify that requests come from API Gateway` })
      : undefined;

    this.restApi = new apigateway.RestApi(this, 'Resource', {
      restApiName: props.restApiName ?? id,
      description: props.description,
      endpointConfiguration: {
        types: [endpointType],
        vpcEndpoints: this.privateEndpoint ? [this.privateEndpoint] : undefined,
      },
      cloudWatchRole: false,
      disableExecuteApiEndpoint: props.domain ? true : undefined,
      defaultCorsPreflightOptions: props.cors,
      deployOptions: {
        // Logging, metrics, throttling and caching are method settings: see renderMethodSettings.
        stageName,
        tracingEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        cacheClusterEnabled: this.cached ? true : undefined,
        cacheClusterSize: this.cached ? CACHE_CLUSTER_SIZE : undefined,
        clientCertificateId: clientCertificate?.ref,
      },
    });
    this.stage = this.restApi.deploymentStage;
    // Per-route settings are known only once every route is added.
    (this.stage.node.defaultChild as apigateway.CfnStage).methodSettings = Lazy.any({ produce: () => this.renderMethodSettings() });
    this.stageName = stageName;
    if (this.privateEndpoint) this.denyOutsideTheEndpoint(this.privateEndpoint);

    // API Gateway creates this log group on first error, unencrypted and never
    // expiring, unless it already exists.
    this.executionLogGroup = this.baseline.createLogGroup(this, 'ExecutionLogs', `execution logs of ${this.node.path}`);
    (this.executionLogGroup.node.defaultChild as logs.CfnLogGroup).logGroupName = executionLogGroupName(this.restApi.restApiId, stageName);
    this.stage.node.addDependency(this.executionLogGroup);

    this.cloudWatchAccount = (props.cloudWatchRole ?? ApiCloudWatchRole.appManaged())._bind(this.stage);

    this.requestValidator = this.restApi.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    this.webAcl = props.webAcl ?? SecureWebAcl.of(this);
    // The stage ARN refers to the stage, so CloudFormation creates the stage first.
    this.webAcl._associate(this, 'WebAclAssociation', this.stage.stageArn);

    if (props.domain) {
      this.domainUrl = `https://${props.domain.domainName}/${props.domain.basePath ?? ''}`;
      this.domain = this.restApi.addDomainName('CustomDomain', {
        domainName: props.domain.domainName,
        certificate: props.domain.certificate,
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
        basePath: props.domain.basePath,
      });
    }
    this.acknowledgePreflights();
  }

  /**
   * The URL of the API: its custom domain when one is set, else the stage's
   * execute-api URL.
   */
  public get url(): string {
    return this.domainUrl ?? this.restApi.url;
  }

  /**
   * Sends requests for `method` and `path` to `handler` (a Lambda proxy integration).
   *
   * The handler may be invoked by this route on the deployed stage only
   * (`SourceArn`, `SourceAccount`).
   *
   * @param method an HTTP method: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (unless CORS answers it) or ANY
   * @param path the resource path, e.g. `/orders/{id}`
   * @param handler the function handling the requests
   * @param options authorization, throttling, validation and caching of the route
   * @returns the method
   */
  public addRoute(method: string, path: string, handler: lambda.IFunction, options: RouteOptions = {}): apigateway.Method {
    const httpMethod = checkHttpMethod(this, method, this.corsStatusCode !== undefined);
    const segments = checkPath(this, path);
    const routeKey = `${httpMethod} ${path}`;
    if (this.routeKeys.has(routeKey)) invalidProp(this, 'path', path, `a method and path not already routed (${routeKey} is)`);
    if (!handler || typeof handler.functionArn !== 'string' || typeof handler.addPermission !== 'function') {
      invalidProp(this, 'handler', handler, 'a lambda.IFunction, such as a SecureFunction');
    }
    if (options === null || typeof options !== 'object') invalidProp(this, 'options', options, 'RouteOptions');
    const authorization = options.authorization ?? this.defaultAuthorization;
    if (!ApiAuthorization.isApiAuthorization(authorization)) {
      invalidProp(this, 'authorization', authorization, 'an ApiAuthorization, e.g. ApiAuthorization.iam()');
    }
    const throttle = checkThrottle(this, 'throttling', options.throttling, this.stageThrottle);
    const declared = checkRequestParameters(this, options.requestParameters);
    const cacheTtlSeconds = checkCacheTtl(this, 'cacheTtl', options.cacheTtl);
    if (cacheTtlSeconds !== undefined && !this.cached) {
      invalidProp(this, 'cacheTtl', options.cacheTtl, 'undefined: only the stage of a REGULATED API has a cache');
    }
    if (options.requestSchema !== undefined && (options.requestSchema === null || typeof options.requestSchema !== 'object')) {
      invalidProp(this, 'requestSchema', options.requestSchema, 'an apigateway.JsonSchema');
    }
    const resource = this.resourceFor(path, segments);
    this.routeKeys.add(routeKey);

    const cacheable = this.cached && httpMethod === 'GET' && !authorization._isIam && cacheTtlSeconds !== 0;
    const cacheKeys = cacheable
      ? [...new Set([
        ...authorization._identityParameters,
        ...segments.filter(s => s.variable).map(s => `method.request.path.${s.variable}`),
        ...Object.keys(declared ?? {}),
      ])]
      : undefined;
    const requestParameters = cacheKeys
      ? { ...Object.fromEntries(cacheKeys.map(key => [key, key.startsWith('method.request.path.')])), ...declared }
      : declared;

    const model = options.requestSchema
      ? this.restApi.addModel(`Model ${httpMethod} ${path.replace(/\//g, '|')}`, {
        contentType: 'application/json',
        schema: options.requestSchema,
      })
      : undefined;
    const bound = authorization._bind(this, this.authorizers);
    const apiMethod = new SecureMethod(resource, httpMethod, {
      resource,
      httpMethod,
      integration: new LambdaRouteIntegration(handler, this.allowTestInvoke, { cacheKeyParameters: cacheKeys }),
      options: {
        authorizationType: bound.authorizationType,
        authorizer: bound.authorizer,
        authorizationScopes: bound.authorizationScopes,
        requestValidator: this.requestValidator,
        requestModels: model ? { 'application/json': model, '$default': model } : undefined,
        requestParameters,
      },
    }, { method: httpMethod, path, api: this.node.path });
    authorization._acknowledgeOn(apiMethod);
    if (!authorization._isIam) this.admitCallersWithoutIam(httpMethod, path);
    this.routes.set(apiMethod, { throttle, cacheable, cacheTtlSeconds: cacheable ? cacheTtlSeconds : undefined });
    this.node.addMetadata(ROUTE_METADATA, {
      method: httpMethod,
      path,
      authorization: authorization.kind,
      ...authorization.reason ? { reason: authorization.reason } : {},
      throttling: throttle ?? this.stageThrottle,
    });
    this.acknowledgePreflights();
    return apiMethod;
  }

  /** The resource for `path`, created as needed; two variables may not share a parent. */
  private resourceFor(path: string, segments: PathSegment[]): apigateway.IResource {
    let resource: apigateway.IResource = this.restApi.root;
    for (const segment of segments) {
      const existing = resource.getResource(segment.part);
      if (existing) {
        resource = existing;
        continue;
      }
      if (segment.variable) {
        const sibling = resource.node.children.find(child =>
          child instanceof apigateway.Resource && lastPart(child.path).startsWith('{')) as apigateway.Resource | undefined;
        if (sibling) {
          invalidProp(this, 'path', path, `one variable per path level: ${sibling.path} is already routed, use ${lastPart(sibling.path)} here too`);
        }
      }
      resource = resource.addResource(segment.part);
    }
    return resource;
  }

  /**
   * A preflight with a status other than 204 is one AwsSolutions-APIG4 does not
   * recognise as CORS: acknowledge it on each such OPTIONS method.
   */
  private acknowledgePreflights(): void {
    if (this.corsStatusCode !== undefined && this.privateEndpoint && !this.preflightsOpened) {
      // The browser's preflight carries no credentials: on a PRIVATE API it is allowed, as OPTIONS only.
      this.preflightsOpened = true;
      this.allowAnonymous('OPTIONS/*');
      this.openPrivateEndpointToCallersWithoutIam();
    }
    if (this.corsStatusCode === undefined || this.corsStatusCode === 204) return;
    for (const method of this.restApi.methods) {
      if (method.httpMethod !== 'OPTIONS' || this.routes.has(method) || this.acknowledgedPreflights.has(method)) continue;
      acknowledgeFinding(method, 'AwsSolutions-APIG4',
        'CORS preflight: browsers send it without credentials, so it cannot be authorized; a mock integration answers it with the CORS headers only and reaches no function');
      this.acknowledgedPreflights.add(method);
    }
  }

  /**
   * A PRIVATE API's resource policy denies every call that does not come through
   * its execute-api endpoint, and allows nobody: a method authorized with IAM is
   * then decided by the caller's identity policy (`method.grantExecute(caller)`),
   * since for a caller of the API's account "either the IAM user policy or the
   * resource policy must explicitly allow the caller" (API Gateway developer
   * guide, "How API Gateway resource policies affect authorization workflow",
   * Table A). An `Allow` for `*` would admit every principal of the account.
   * Methods that IAM does not authorize are allowed for `*` one by one.
   *
   * Resources are written in the abbreviated `execute-api:/...` form, which API
   * Gateway expands to this API's ARN: the API's own id would be a reference of
   * the API to itself.
   */
  private denyOutsideTheEndpoint(endpoint: ec2.IInterfaceVpcEndpoint): void {
    this.restApi.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OnlyThroughTheExecuteApiEndpoint',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: ['execute-api:/*'],
      conditions: { StringNotEquals: { 'aws:SourceVpce': endpoint.vpcEndpointId } },
    }));
  }

  /**
   * Callers of a method that IAM does not authorize (a Cognito or Lambda
   * authorizer, or none) are anonymous to IAM: on a PRIVATE API, the resource
   * policy allows them on that method only, and the endpoint lets them through.
   */
  private admitCallersWithoutIam(httpMethod: string, path: string): void {
    if (!this.privateEndpoint) return;
    this.allowAnonymous(`${httpMethod === 'ANY' ? '*' : httpMethod}${invokedPath(path)}`);
    this.openPrivateEndpointToCallersWithoutIam();
  }

  private allowAnonymous(methodAndPath: string): void {
    this.restApi.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: [`execute-api:/${this.stageName}/${methodAndPath}`],
    }));
  }

  /**
   * The execute-api endpoint policy of the PrivateNetwork admits this account's
   * principals only; callers with a Cognito or Lambda authorizer token, or none, are
   * anonymous to IAM. Let them reach this account's APIs (and no other's) through it.
   */
  private openPrivateEndpointToCallersWithoutIam(): void {
    const endpoint = this.privateEndpoint;
    if (!(endpoint instanceof ec2.InterfaceVpcEndpoint) || OPENED_ENDPOINTS.has(endpoint)) return;
    OPENED_ENDPOINTS.add(endpoint);
    endpoint.addToPolicy(new iam.PolicyStatement({
      sid: 'InvokeThisAccountsApisWithoutIam',
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: [Stack.of(endpoint).formatArn({ service: 'execute-api', resource: '*' })],
    }));
  }

  private renderMethodSettings(): apigateway.CfnStage.MethodSettingProperty[] {
    const stageSettings: apigateway.CfnStage.MethodSettingProperty = {
      ...STAGE_LOGGING,
      throttlingRateLimit: this.stageThrottle.rateLimit,
      throttlingBurstLimit: this.stageThrottle.burstLimit,
      ...this.cached ? STAGE_CACHE : {},
    };
    const settings: apigateway.CfnStage.MethodSettingProperty[] = [{ resourcePath: '/*', httpMethod: '*', ...stageSettings }];
    for (const method of this.restApi.methods) {
      const route = this.routes.get(method);
      const throttle = route?.throttle;
      // A cache may keep only what is safe to replay: GET responses keyed on the caller.
      const uncached = this.cached && !route?.cacheable;
      const ttl = route?.cacheTtlSeconds;
      if (!throttle && !uncached && ttl === undefined) continue;
      settings.push({
        ...stageSettings,
        resourcePath: methodSettingPath(method.resource.path),
        httpMethod: method.httpMethod,
        ...throttle ? { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit } : {},
        ...uncached ? { cachingEnabled: false } : {},
        ...ttl !== undefined ? { cacheTtlInSeconds: ttl } : {},
      });
    }
    return settings;
  }
}

/** A construct by its path, anything else as it is. */
function pathOf(value: unknown): unknown {
  return Construct.isConstruct(value) ? value.node.path : value;
}

function lastPart(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
