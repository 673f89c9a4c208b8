import { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { grantAcknowledged } from '../core/acknowledgements';
import { invalidProp } from '../core/errors';
import { renderText } from '../guardrails/cfn-values';

/** What a route is, for the grant's checks and the acknowledgement's reason. */
interface RouteFacts {
  /** The route's method, `ANY` included. */
  readonly method: string;
  /** The route's path template, e.g. `/orders/{id}`. */
  readonly path: string;
  /** The construct path of the API, for the reason. */
  readonly api: string;
}

/**
 * An HTTP API route whose `grantInvoke` names the one stage the API serves
 * (`$default`) instead of aws-cdk-lib's `*`, and acknowledges exactly the
 * wildcards that remain in the nature of the route.
 */
export class SecureHttpRoute extends apigatewayv2.HttpRoute {
  constructor(
    scope: Construct, id: string, props: apigatewayv2.HttpRouteProps,
    private readonly facts: RouteFacts,
    private readonly stageName: string,
    private readonly authorizationKind: string,
  ) {
    super(scope, id, props);
  }

  /**
   * Grants `execute-api:Invoke` on this route, on the `$default` stage, for the
   * route's method (or the methods given, for an `ANY` route).
   */
  public grantInvoke(grantee: iam.IGrantable, options: apigatewayv2.GrantInvokeOptions = {}): iam.Grant {
    if (this.authorizationKind !== 'iam') {
      invalidProp(this, 'grantInvoke', `a route authorized by ${this.authorizationKind}`,
        'a route authorized with HttpApiAuthorization.iam(): API Gateway checks execute-api:Invoke on IAM-authorized routes only');
    }
    if (options === null || typeof options !== 'object') invalidProp(this, 'options', options, 'GrantInvokeOptions { httpMethods }');
    const known = Object.values(apigatewayv2.HttpMethod) as string[];
    if (options.httpMethods !== undefined && (!Array.isArray(options.httpMethods) || options.httpMethods.length === 0
      || options.httpMethods.some(method => !known.includes(method)))) {
      invalidProp(this, 'httpMethods', options.httpMethods, `a non-empty list of apigatewayv2.HttpMethod values (${known.join(', ')})`);
    }
    const methods = [...new Set(options.httpMethods ?? [this.facts.method as apigatewayv2.HttpMethod])];
    if (this.facts.method !== 'ANY' && methods.some(method => method !== this.facts.method)) {
      invalidProp(this, 'httpMethods', methods, `${this.facts.method}, the method of this route`);
    }
    const stack = Stack.of(this);
    const grants = methods.map(method => ({
      method,
      arn: stack.formatArn({
        service: 'execute-api',
        resource: this.httpApi.apiId,
        resourceName: `${this.stageName}/${method === 'ANY' ? '*' : method}${invokedPath(this.facts.path)}`,
      }),
    }));
    return grantRoute(this, grantee, grants, this.facts);
  }
}

/**
 * A REST API method whose `grantExecute` (exact on the deployed stage already)
 * acknowledges exactly the wildcards that remain in the nature of the route.
 */
export class SecureMethod extends apigateway.Method {
  constructor(scope: Construct, id: string, props: apigateway.MethodProps, private readonly facts: RouteFacts) {
    super(scope, id, props);
  }

  /**
   * Grants `execute-api:Invoke` on this method on the deployed stage.
   */
  public grantExecute(grantee: iam.IGrantable): iam.Grant {
    return grantRoute(this, grantee, [{ method: this.facts.method, arn: this.methodArn }], this.facts);
  }
}

/**
 * The request path as an execute-api ARN names it: API Gateway names the path
 * requested, so each path variable (`{id}`, `{proxy+}`) is any value.
 */
export function invokedPath(path: string): string {
  return path.replace(/\{[^}]+\}/g, '*');
}

/**
 * Grants `execute-api:Invoke` on the route's ARNs. An execute-api ARN holds `*`
 * where the route matches any value: a path variable, or the method of an `ANY`
 * route. Such a grant is written into the grantee role's policy of the library's
 * grants, where the AwsSolutions-IAM5 finding of each such ARN is acknowledged,
 * naming the route; the role's own policy, where the app's statements land,
 * carries no acknowledgement.
 */
function grantRoute(route: Construct, grantee: iam.IGrantable, grants: Array<{ method: string; arn: string }>, facts: RouteFacts): iam.Grant {
  const stack = Stack.of(route);
  const wildcards = (method: string) => [
    ...method === 'ANY' ? ['any method (the route is ANY)'] : [],
    ...facts.path.includes('{') ? [`any value of the path variables of ${facts.path}`] : [],
  ];
  const acknowledged = grants.filter(({ method }) => wildcards(method).length > 0);
  const props = { actions: ['execute-api:Invoke'], resourceArns: grants.map(g => g.arn) };
  if (acknowledged.length === 0) return iam.Grant.addToPrincipal({ grantee, ...props });
  return grantAcknowledged(grantee, props, acknowledged.map(({ method, arn }) => ({
    id: `AwsSolutions-IAM5[Resource::${renderText(stack.resolve(arn))}]`,
    reason: `execute-api:Invoke on the route ${facts.method} ${facts.path} of ${facts.api} only: "*" stands for ${wildcards(method).join(' and ')}; the API and stage are exact`,
  })));
}
