import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { LambdaAuthorizationOptions } from './api-authorization';
import { checkHandler, checkResultsCacheTtl, checkScopes } from './authorizer-checks';
import { acknowledgeFindings, recordWaiver } from '../core/acknowledgements';
import { checkReason, invalidProp } from '../core/errors';
import { controlTowerFindingId } from '../core/finding-ids';

/** An HTTP API identity source: a header, a query string, a context or a stage variable. */
const IDENTITY_SOURCE = /^\$(request\.(header|querystring)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)$/;
const AUTHORIZATION_HEADER = '$request.header.Authorization';
const DEFAULT_RESULTS_CACHE_TTL = Duration.minutes(5);

/** The kinds of authorization, as recorded in metadata and the report. */
const Kind = {
  IAM: 'iam',
  COGNITO: 'cognito',
  LAMBDA_TOKEN: 'lambdaToken',
  LAMBDA_REQUEST: 'lambdaRequest',
  NONE: 'none',
} as const;

/** What a route of an HTTP API needs from its authorization. */
export interface HttpRouteAuthorization {
  readonly authorizer?: apigatewayv2.IHttpRouteAuthorizer;
  readonly authorizationScopes?: string[];
}

/**
 * How callers of an HTTP API route are authenticated and authorized: the
 * factories of `ApiAuthorization`, for API Gateway v2.
 *
 * Every route is authorized: AWS IAM by default, a JWT of a Cognito user pool,
 * or a Lambda authorizer. `none(reason)` is the only way to open a route, and its
 * reason is recorded and acknowledges exactly the findings it causes.
 */
export class HttpApiAuthorization {
  /**
   * AWS IAM (Signature Version 4): callers sign requests with IAM credentials and
   * need `execute-api:Invoke` on the route.
   */
  public static iam(): HttpApiAuthorization {
    return new HttpApiAuthorization(Kind.IAM, {
      key: Kind.IAM,
      create: () => ({ authorizationType: 'AWS_IAM' }),
    });
  }

  /**
   * A JWT authorizer for the tokens of a Cognito user pool: callers send an ID or
   * access token in the `Authorization` header, issued by the pool to one of
   * `userPoolClients` (the token's audience).
   *
   * @param userPool the user pool whose tokens are accepted, e.g. a SecureUserPool
   * @param userPoolClients the app clients whose tokens are accepted
   * @param scopes OAuth scopes an access token must carry
   */
  public static cognito(userPool: cognito.IUserPool, userPoolClients: cognito.IUserPoolClient[], scopes?: string[]): HttpApiAuthorization {
    const where = 'HttpApiAuthorization.cognito';
    if (!userPool || typeof (userPool as cognito.IUserPool).userPoolId !== 'string' || !Construct.isConstruct(userPool)) {
      invalidProp(where, 'userPool', userPool, 'a cognito.IUserPool');
    }
    if (!Array.isArray(userPoolClients) || userPoolClients.length === 0 ||
      userPoolClients.some(client => !client || typeof client.userPoolClientId !== 'string' || !Construct.isConstruct(client))) {
      invalidProp(where, 'userPoolClients', userPoolClients,
        'one or more cognito.IUserPoolClient of the pool: a JWT authorizer accepts only tokens issued to them (their ids are the audience)');
    }
    const checkedScopes = checkScopes(where, scopes, 'accept tokens without scopes');
    const clients = [...userPoolClients];
    return new HttpApiAuthorization(Kind.COGNITO, {
      key: `cognito:${userPool.node.addr}:${clients.map(c => c.node.addr).join(',')}`,
      target: userPool,
      scopes: checkedScopes,
      create: (scope, api, id) => {
        const authorizer = new apigatewayv2.HttpAuthorizer(scope, id, {
          httpApi: api,
          type: apigatewayv2.HttpAuthorizerType.JWT,
          identitySource: [AUTHORIZATION_HEADER],
          jwtIssuer: `https://cognito-idp.${userPool.env.region}.${Stack.of(scope).urlSuffix}/${userPool.userPoolId}`,
          jwtAudience: clients.map(client => client.userPoolClientId),
        });
        return { authorizerId: authorizer.authorizerId, authorizationType: 'JWT' };
      },
    });
  }

  /**
   * A Lambda authorizer that receives the `Authorization` header, with the simple
   * response format (payload 2.0: the function returns `{ isAuthorized, context }`).
   *
   * @param handler the authorizer function
   * @param options caching of its decisions
   */
  public static lambdaToken(handler: lambda.IFunction, options: LambdaAuthorizationOptions = {}): HttpApiAuthorization {
    return HttpApiAuthorization.lambda('HttpApiAuthorization.lambdaToken', Kind.LAMBDA_TOKEN, handler, [AUTHORIZATION_HEADER], options);
  }

  /**
   * A Lambda authorizer that receives the request's identity sources, with the
   * simple response format (payload 2.0). A request that lacks any of them is
   * refused with 401 without calling the function.
   *
   * @param handler the authorizer function
   * @param identitySources where the caller's identity is, e.g. `$request.header.X-Api-Token`
   * @param options caching of its decisions
   */
  public static lambdaRequest(handler: lambda.IFunction, identitySources: string[], options: LambdaAuthorizationOptions = {}): HttpApiAuthorization {
    const where = 'HttpApiAuthorization.lambdaRequest';
    const allowed = 'one or more identity sources such as "$request.header.X-Api-Token" ' +
      '($request.header.<name>, $request.querystring.<name>, $context.<name> or $stageVariables.<name>)';
    if (!Array.isArray(identitySources) || identitySources.length === 0) invalidProp(where, 'identitySources', identitySources, allowed);
    for (const source of identitySources) {
      if (typeof source !== 'string' || (!Token.isUnresolved(source) && !IDENTITY_SOURCE.test(source))) {
        invalidProp(where, 'identitySources', source, allowed);
      }
    }
    return HttpApiAuthorization.lambda(where, Kind.LAMBDA_REQUEST, handler, [...new Set(identitySources)], options);
  }

  /**
   * No authorization: anyone who can reach the API may call the route. The reason is
   * recorded in the security report and acknowledges, on that route only, the
   * findings an open route causes (AwsSolutions-APIG4 and ControlTower-CT.APIGATEWAY.PR.5).
   *
   * @param reason why the route must be open, e.g. "public status page"
   */
  public static none(reason: string): HttpApiAuthorization {
    return new HttpApiAuthorization(Kind.NONE, { reason: checkReason('HttpApiAuthorization.none', 'reason', reason) });
  }

  /**
   * Whether `x` is an HttpApiAuthorization.
   */
  public static isHttpApiAuthorization(x: unknown): x is HttpApiAuthorization {
    return x instanceof HttpApiAuthorization;
  }

  private static lambda(
    where: string, kind: string, handler: lambda.IFunction, identitySources: string[], options: LambdaAuthorizationOptions,
  ): HttpApiAuthorization {
    checkHandler(where, handler);
    if (options === null || typeof options !== 'object') invalidProp(where, 'options', options, 'LambdaAuthorizationOptions');
    const ttl = checkResultsCacheTtl(where, options.resultsCacheTtl) ?? DEFAULT_RESULTS_CACHE_TTL;
    return new HttpApiAuthorization(kind, {
      key: `${kind}:${handler.node.addr}:${identitySources.join(',')}:${ttl.toSeconds()}`,
      target: handler,
      create: (scope, api, id) => {
        const stack = Stack.of(scope);
        const authorizer = new apigatewayv2.HttpAuthorizer(scope, id, {
          httpApi: api,
          type: apigatewayv2.HttpAuthorizerType.LAMBDA,
          identitySource: identitySources,
          authorizerUri: `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${handler.functionArn}/invocations`,
          enableSimpleResponses: true,
          payloadFormatVersion: apigatewayv2.AuthorizerPayloadVersion.VERSION_2_0,
          resultsCacheTtl: ttl,
        });
        // aws-cdk-lib's HttpLambdaAuthorizer leaves out SourceAccount (confused-deputy protection).
        handler.addPermission(`${id}Permission`, {
          scope,
          principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
          sourceArn: stack.formatArn({ service: 'execute-api', resource: api.apiId, resourceName: `authorizers/${authorizer.authorizerId}` }),
          sourceAccount: stack.account,
        });
        return { authorizerId: authorizer.authorizerId, authorizationType: 'CUSTOM' };
      },
    });
  }

  /** The kind: `iam`, `cognito`, `lambdaToken`, `lambdaRequest` or `none`. */
  public readonly kind: string;
  /** Why a route is open; set for `none` only. */
  public readonly reason?: string;

  private readonly details: AuthorizerDetails;

  private constructor(kind: string, details: AuthorizerDetails) {
    this.kind = kind;
    this.details = details;
    this.reason = details.reason;
  }

  /**
   * Whether the authorization is AWS IAM.
   *
   * @internal
   */
  public get _isIam(): boolean {
    return this.kind === Kind.IAM;
  }

  /**
   * What a route of `api` needs. Authorizers are created once per API and
   * authorization, in `scope`, and kept in `authorizers`.
   *
   * @internal
   */
  public _bind(
    scope: Construct, api: apigatewayv2.IHttpApi, authorizers: Map<string, apigatewayv2.HttpRouteAuthorizerConfig>,
  ): HttpRouteAuthorization {
    const { key, create, target, scopes } = this.details;
    if (key === undefined || create === undefined) return {};
    let config = authorizers.get(key);
    if (!config) {
      // The same function may back several authorizers (other identity sources or caching).
      const base = `${this.kind.charAt(0).toUpperCase()}${this.kind.slice(1)}Authorizer${target ? Names.nodeUniqueId(target.node) : ''}`;
      let id = base;
      for (let n = 2; scope.node.tryFindChild(id); n++) id = `${base}${n}`;
      config = create(scope, api, id);
      authorizers.set(key, config);
    }
    const bound = config;
    return { authorizer: { bind: () => bound }, authorizationScopes: scopes };
  }

  /**
   * Records a waiver and acknowledges, on `route` only, exactly the findings this
   * authorization causes there.
   *
   * @internal
   */
  public _acknowledgeOn(route: IConstruct): void {
    if (this.kind !== Kind.NONE) return;
    recordWaiver(route, 'authorization', 'none', this.reason!);
    acknowledgeFindings(route, ['AwsSolutions-APIG4', controlTowerFindingId('CT.APIGATEWAY.PR.5')], this.reason!);
  }
}

interface AuthorizerDetails {
  /** Identifies the authorizer within one API. */
  readonly key?: string;
  readonly target?: IConstruct;
  readonly scopes?: string[];
  readonly reason?: string;
  readonly create?: (scope: Construct, api: apigatewayv2.IHttpApi, id: string) => apigatewayv2.HttpRouteAuthorizerConfig;
}
