import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { checkHandler, checkResultsCacheTtl, checkScopes } from './authorizer-checks';
import { acknowledgeFinding, acknowledgeFindings, recordWaiver } from '../core/acknowledgements';
import { checkReason, invalidProp } from '../core/errors';

/** A Lambda authorizer identity source: a header, a query string, a stage variable or a context variable. */
const IDENTITY_SOURCE = /^(method\.request\.(header|querystring)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$/;
const AUTHORIZATION_HEADER = 'method.request.header.Authorization';

/** The kinds of authorization, as recorded in metadata and the report. */
const Kind = {
  IAM: 'iam',
  COGNITO: 'cognito',
  LAMBDA_TOKEN: 'lambdaToken',
  LAMBDA_REQUEST: 'lambdaRequest',
  NONE: 'none',
} as const;

/**
 * Options of a Lambda authorizer.
 */
export interface LambdaAuthorizationOptions {
  /**
   * How long API Gateway caches the authorizer's decision for the same identity,
   * from 0 (no caching) to 1 hour. A revoked token stays accepted for up to this long.
   *
   * @default Duration.minutes(5)
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-lambda-authorizer-output.html
   */
  readonly resultsCacheTtl?: Duration;
}

/** What a method needs from its authorization. */
export interface MethodAuthorization {
  readonly authorizationType: apigateway.AuthorizationType;
  readonly authorizer?: apigateway.IAuthorizer;
  readonly authorizationScopes?: string[];
}

/**
 * How callers of an API route are authenticated and authorized.
 *
 * Every method is authorized: AWS IAM by default, a Cognito user pool, or a
 * Lambda authorizer. `none(reason)` is the only way to open a route, and its
 * reason is recorded and acknowledges exactly the findings it causes.
 */
export class ApiAuthorization {
  /**
   * AWS IAM (Signature Version 4): callers sign requests with IAM credentials and
   * need `execute-api:Invoke` on the route.
   */
  public static iam(): ApiAuthorization {
    return new ApiAuthorization(Kind.IAM, 'AWS IAM (SigV4)');
  }

  /**
   * A Cognito user pool authorizer: callers send an ID or access token of the pool in
   * the `Authorization` header.
   *
   * @param userPool the user pool whose tokens are accepted
   * @param scopes OAuth scopes an access token must carry; without scopes an ID token is expected
   */
  public static cognito(userPool: cognito.IUserPool, scopes?: string[]): ApiAuthorization {
    const where = 'ApiAuthorization.cognito';
    if (!userPool || typeof (userPool as cognito.IUserPool).userPoolArn !== 'string') {
      invalidProp(where, 'userPool', userPool, 'a cognito.IUserPool');
    }
    const checkedScopes = checkScopes(where, scopes, 'accept ID tokens');
    return new ApiAuthorization(Kind.COGNITO, 'a Cognito user pool', {
      key: `cognito:${userPool.node.addr}`,
      target: userPool,
      scopes: checkedScopes,
      create: (scope, id) => new apigateway.CognitoUserPoolsAuthorizer(scope, id, { cognitoUserPools: [userPool] }),
    });
  }

  /**
   * A Lambda authorizer that receives the bearer token of the `Authorization` header.
   *
   * @param handler the authorizer function
   * @param options caching of its decisions
   */
  public static lambdaToken(handler: lambda.IFunction, options: LambdaAuthorizationOptions = {}): ApiAuthorization {
    const where = 'ApiAuthorization.lambdaToken';
    checkHandler(where, handler);
    const resultsCacheTtl = checkResultsCacheTtl(where, options.resultsCacheTtl);
    return new ApiAuthorization(Kind.LAMBDA_TOKEN, 'a Lambda token authorizer', {
      key: `token:${handler.node.addr}:${resultsCacheTtl?.toSeconds()}`,
      target: handler,
      identitySources: [AUTHORIZATION_HEADER],
      create: (scope, id) => hardenPermission(handler, new apigateway.TokenAuthorizer(scope, id, { handler, resultsCacheTtl })),
    });
  }

  /**
   * A Lambda authorizer that receives the request's headers, query strings, stage and
   * context variables, and is called when the identity sources change.
   *
   * @param handler the authorizer function
   * @param identitySources where the caller's identity is, e.g. `apigateway.IdentitySource.header('X-Api-Token')`
   * @param options caching of its decisions
   */
  public static lambdaRequest(handler: lambda.IFunction, identitySources: string[], options: LambdaAuthorizationOptions = {}): ApiAuthorization {
    const where = 'ApiAuthorization.lambdaRequest';
    checkHandler(where, handler);
    const allowed = 'one or more identity sources such as apigateway.IdentitySource.header("X-Api-Token") ' +
      '(method.request.header.<name>, method.request.querystring.<name>, stageVariables.<name> or context.<name>)';
    if (!Array.isArray(identitySources) || identitySources.length === 0) invalidProp(where, 'identitySources', identitySources, allowed);
    for (const source of identitySources) {
      if (typeof source !== 'string' || (!Token.isUnresolved(source) && !IDENTITY_SOURCE.test(source))) {
        invalidProp(where, 'identitySources', source, allowed);
      }
    }
    const resultsCacheTtl = checkResultsCacheTtl(where, options.resultsCacheTtl);
    const sources = [...new Set(identitySources)];
    return new ApiAuthorization(Kind.LAMBDA_REQUEST, 'a Lambda request authorizer', {
      key: `request:${handler.node.addr}:${sources.join(',')}:${resultsCacheTtl?.toSeconds()}`,
      target: handler,
      identitySources: sources,
      create: (scope, id) => hardenPermission(handler, new apigateway.RequestAuthorizer(scope, id, {
        handler,
        identitySources: sources,
        resultsCacheTtl,
      })),
    });
  }

  /**
   * No authorization: anyone who can reach the API may call the route. The reason is
   * recorded in the security report and acknowledges, on that method only, the
   * findings an open method causes (AwsSolutions-APIG4 and AwsSolutions-COG4).
   *
   * @param reason why the route must be open, e.g. "public status page"
   */
  public static none(reason: string): ApiAuthorization {
    return new ApiAuthorization(Kind.NONE, 'none', { reason: checkReason('ApiAuthorization.none', 'reason', reason) });
  }

  /**
   * Whether `x` is an ApiAuthorization.
   */
  public static isApiAuthorization(x: unknown): x is ApiAuthorization {
    return x instanceof ApiAuthorization;
  }

  /** The kind: `iam`, `cognito`, `lambdaToken`, `lambdaRequest` or `none`. */
  public readonly kind: string;
  /** Why a route is open; set for `none` only. */
  public readonly reason?: string;

  private readonly description: string;
  private readonly details: AuthorizerDetails;

  private constructor(kind: string, description: string, details: AuthorizerDetails = {}) {
    this.kind = kind;
    this.description = description;
    this.details = details;
    this.reason = details.reason;
  }

  /**
   * The request parameters that identify a caller to this authorization: they key the
   * API cache, so callers never share cached responses.
   *
   * @internal
   */
  public get _identityParameters(): string[] {
    const sources = this.details.identitySources ?? [AUTHORIZATION_HEADER];
    return sources.filter(source => source.startsWith('method.request.'));
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
   * What a method of the API needs. Authorizers are created once per API and
   * authorization target, in `scope`, and kept in `authorizers`.
   *
   * @internal
   */
  public _bind(scope: Construct, authorizers: Map<string, apigateway.IAuthorizer>): MethodAuthorization {
    switch (this.kind) {
      case Kind.IAM:
        return { authorizationType: apigateway.AuthorizationType.IAM };
      case Kind.NONE:
        return { authorizationType: apigateway.AuthorizationType.NONE };
      default: {
        const { key, create, target, scopes } = this.details;
        let authorizer = authorizers.get(key!);
        if (!authorizer) {
          // The same function may back several authorizers (other identity sources or caching).
          const base = `${this.kind.charAt(0).toUpperCase()}${this.kind.slice(1)}Authorizer${Names.nodeUniqueId(target!.node)}`;
          let id = base;
          for (let n = 2; scope.node.tryFindChild(id); n++) id = `${base}${n}`;
          authorizer = create!(scope, id);
          authorizers.set(key!, authorizer);
        }
        return { authorizationType: authorizer.authorizationType!, authorizer, authorizationScopes: scopes };
      }
    }
  }

  /**
   * Records a waiver and acknowledges, on `method` only, exactly the findings this
   * authorization causes there.
   *
   * @internal
   */
  public _acknowledgeOn(method: IConstruct): void {
    switch (this.kind) {
      case Kind.COGNITO:
        return;
      case Kind.NONE:
        recordWaiver(method, 'authorization', 'none', this.reason!);
        acknowledgeFindings(method, ['AwsSolutions-APIG4', 'AwsSolutions-COG4'], this.reason!);
        return;
      default:
        acknowledgeFinding(method, 'AwsSolutions-COG4',
          `the method is authorized with ${this.description}${this.details.target ? ` (${this.details.target.node.path})` : ''}; ` +
          'a Cognito user pool is one way to authenticate callers, not the only one');
    }
  }
}

interface AuthorizerDetails {
  /** Identifies the authorizer within one API. */
  readonly key?: string;
  readonly target?: IConstruct;
  readonly scopes?: string[];
  readonly identitySources?: string[];
  readonly reason?: string;
  readonly create?: (scope: Construct, id: string) => apigateway.IAuthorizer;
}

/**
 * aws-cdk-lib's Lambda authorizers let API Gateway invoke the function with a
 * `SourceArn` only; add `SourceAccount` (confused-deputy protection). A
 * SecureFunction adds it itself.
 */
function hardenPermission<T extends apigateway.Authorizer>(handler: lambda.IFunction, authorizer: T): T {
  const permission = handler.node.tryFindChild(`${Names.nodeUniqueId(authorizer.node)}:Permissions`);
  if (permission instanceof lambda.CfnPermission && permission.sourceAccount === undefined) {
    permission.sourceAccount = Stack.of(authorizer).account;
  }
  return authorizer;
}
