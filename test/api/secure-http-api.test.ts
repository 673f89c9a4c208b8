process.env.CDK_VALIDATION = 'false';

import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CODE, handler, newApiStack } from './support';
import { HttpApiAuthorization } from '../../src/api/http-api-authorization';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA, WAIVER_METADATA } from '../../src/core/acknowledgements';
import { SecureFunction } from '../../src/function/secure-function';
import { expectSameStatements, logicalIdOf, managedPolicyStatementsOf, metadataOf, PARTITION } from '../core/fixtures';

const V2 = 'AWS::ApiGatewayV2';

/** The execute-api ARN of `api` with `resourceName`, as the template writes it. */
function executeApiArn(apiId: string, resourceName: string): object {
  const head = PARTITION === 'aws' ? ['arn:aws:execute-api:eu-west-1:111111111111:'] : ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:eu-west-1:111111111111:'];
  return { 'Fn::Join': ['', [...head, { Ref: apiId }, resourceName]] };
}

function apiIdOf(template: Template): string {
  return Object.keys(template.findResources(`${V2}::Api`))[0];
}

describe('SecureHttpApi defaults', () => {
  let template: Template;
  let stack: Stack;
  let api: SecureHttpApi;

  beforeAll(() => {
    ({ stack } = newApiStack());
    api = new SecureHttpApi(stack, 'Api');
    const fn = handler(stack, 'Orders');
    api.addRoute('GET', '/orders/{id}', fn);
    api.addRoute('ANY', '/orders', fn);
    template = Template.fromStack(stack);
  });

  test('every route is authorized with IAM', () => {
    template.hasResourceProperties(`${V2}::Route`, { RouteKey: 'GET /orders/{id}', AuthorizationType: 'AWS_IAM' });
    template.hasResourceProperties(`${V2}::Route`, { RouteKey: 'ANY /orders', AuthorizationType: 'AWS_IAM' });
  });

  test('the $default stage deploys automatically, throttles and logs JSON to an encrypted retained log group', () => {
    template.hasResourceProperties(`${V2}::Stage`, {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, DetailedMetricsEnabled: true },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] }, Format: Match.anyValue() },
      RouteSettings: Match.absent(),
    });
    const stage = Object.values(template.findResources(`${V2}::Stage`))[0];
    expect(Object.keys(JSON.parse(stage.Properties.AccessLogSettings.Format))).toEqual(expect.arrayContaining(
      ['requestId', 'ip', 'routeKey', 'status', 'caller', 'user', 'authorizerError', 'integrationError']));
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: Match.anyValue() },
    });
    expect(stack.resolve(api.url)).toEqual({ 'Fn::Join': ['', ['https://', { Ref: apiIdOf(template) }, '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/']] });
  });

  // API Gateway names the path requested in the source ARN: a path variable is any value there.
  test('one integration per function, one invoke permission per route naming the route on the stage and the account', () => {
    const apiId = apiIdOf(template);
    template.resourceCountIs(`${V2}::Integration`, 1);
    template.hasResourceProperties(`${V2}::Integration`, { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    const permissions = template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } });
    expect(Object.values(permissions).map(p => p.Properties)).toEqual([
      expect.objectContaining({ SourceAccount: '111111111111', SourceArn: executeApiArn(apiId, '/$default/GET/orders/*') }),
      expect.objectContaining({ SourceAccount: '111111111111', SourceArn: executeApiArn(apiId, '/$default/*/orders') }),
    ]);
  });

  test('the execute-api endpoint stays enabled and no CORS is configured', () => {
    template.hasResourceProperties(`${V2}::Api`, { ProtocolType: 'HTTP', DisableExecuteApiEndpoint: Match.absent(), CorsConfiguration: Match.absent() });
  });
});

describe('SecureHttpApi options', () => {
  test('per-route throttling is a route setting, created after the route', () => {
    const { stack } = newApiStack();
    const api = new SecureHttpApi(stack, 'Api', { throttling: { rateLimit: 20, burstLimit: 40 } });
    const fn = handler(stack, 'Fn');
    const route = api.addRoute('GET', '/orders', fn, { throttling: { rateLimit: 5 } });
    api.addRoute('POST', '/orders', fn);

    const template = Template.fromStack(stack);
    template.hasResource(`${V2}::Stage`, {
      Properties: {
        DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
        RouteSettings: { 'GET /orders': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 40, DetailedMetricsEnabled: true } },
      },
      DependsOn: Match.arrayWith([stack.getLogicalId(route.node.defaultChild as any)]),
    });
  });

  test('a JWT authorizer accepts the pool\'s tokens issued to its clients, with scopes on the route', () => {
    const { stack } = newApiStack();
    const pool = new cognito.UserPool(stack, 'Users');
    const client = pool.addClient('Web');
    const api = new SecureHttpApi(stack, 'Api', { defaultAuthorization: HttpApiAuthorization.cognito(pool, [client], ['orders/read']) });
    api.addRoute('GET', '/a', handler(stack, 'A'));
    api.addRoute('GET', '/b', handler(stack, 'B'));

    const template = Template.fromStack(stack);
    template.resourceCountIs(`${V2}::Authorizer`, 1);
    template.hasResourceProperties(`${V2}::Authorizer`, {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp('^UsersWeb') }],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: Match.stringLikeRegexp('^Users') }]] },
      },
    });
    template.hasResourceProperties(`${V2}::Route`, { RouteKey: 'GET /a', AuthorizationType: 'JWT', AuthorizationScopes: ['orders/read'] });
  });

  test('a Lambda authorizer uses simple responses and may be invoked by this API\'s authorizer and account only, even for a plain function', () => {
    const { stack } = newApiStack();
    const plain = new lambda.Function(stack, 'Plain', { code: CODE, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X });
    const api = new SecureHttpApi(stack, 'Api');
    api.addRoute('GET', '/token', handler(stack, 'Fn'), { authorization: HttpApiAuthorization.lambdaToken(plain, { resultsCacheTtl: Duration.seconds(0) }) });
    api.addRoute('GET', '/request', handler(stack, 'Fn2'), {
      authorization: HttpApiAuthorization.lambdaRequest(plain, ['$request.header.X-Api-Token', '$context.sourceIp']),
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties(`${V2}::Authorizer`, {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['$request.header.Authorization'],
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerResultTtlInSeconds: 0,
    });
    template.hasResourceProperties(`${V2}::Authorizer`, { IdentitySource: ['$request.header.X-Api-Token', '$context.sourceIp'], AuthorizerResultTtlInSeconds: 300 });
    template.hasResourceProperties(`${V2}::Route`, { RouteKey: 'GET /token', AuthorizationType: 'CUSTOM', AuthorizerId: Match.anyValue() });
    const authorizerIds = Object.keys(template.findResources(`${V2}::Authorizer`));
    for (const authorizerId of authorizerIds) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Plain'), 'Arn'] },
        SourceAccount: '111111111111',
        SourceArn: { 'Fn::Join': ['', Match.arrayWith(['/authorizers/', { Ref: authorizerId }])] },
      });
    }
  });

  test('none opens the route only, and records the reason', () => {
    const { stack } = newApiStack();
    const api = new SecureHttpApi(stack, 'Api');
    const open = api.addRoute('GET', '/status', handler(stack, 'Status'), { authorization: HttpApiAuthorization.none('public status page') });
    api.addRoute('GET', '/orders', handler(stack, 'Orders'));

    const template = Template.fromStack(stack);
    template.hasResourceProperties(`${V2}::Route`, { RouteKey: 'GET /status', AuthorizationType: 'NONE' });
    template.hasResourceProperties(`${V2}::Route`, { RouteKey: 'GET /orders', AuthorizationType: 'AWS_IAM' });
    expect(open.node.metadata.filter(m => m.type === WAIVER_METADATA).map(m => m.data))
      .toEqual([{ setting: 'authorization', value: 'none', reason: 'public status page' }]);
    expect(api.node.metadata.filter(m => m.type === 'cdk-secure-serverless:route').map(m => m.data)).toEqual([
      { method: 'GET', path: '/status', authorization: 'none', reason: 'public status page', throttling: { rateLimit: 100, burstLimit: 200 } },
      { method: 'GET', path: '/orders', authorization: 'iam', throttling: { rateLimit: 100, burstLimit: 200 } },
    ]);
  });

  test('CORS is answered by API Gateway for explicit origins', () => {
    const { stack } = newApiStack();
    new SecureHttpApi(stack, 'Api', { cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true } });

    Template.fromStack(stack).hasResourceProperties(`${V2}::Api`, {
      CorsConfiguration: { AllowOrigins: ['https://app.example.com'], AllowCredentials: true },
    });
  });

  test('a custom domain requires TLS 1.2, maps the API and disables the execute-api endpoint', () => {
    const { stack } = newApiStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
    const api = new SecureHttpApi(stack, 'Api', { domain: { domainName: 'api.example.com', certificate, basePath: 'v1' } });

    const template = Template.fromStack(stack);
    template.hasResourceProperties(`${V2}::DomainName`, {
      DomainName: 'api.example.com',
      DomainNameConfigurations: [Match.objectLike({ SecurityPolicy: 'TLS_1_2', EndpointType: 'REGIONAL' })],
    });
    template.hasResourceProperties(`${V2}::ApiMapping`, { ApiMappingKey: 'v1', Stage: Match.anyValue() });
    template.hasResourceProperties(`${V2}::Api`, { DisableExecuteApiEndpoint: true });
    expect(api.url).toBe('https://api.example.com/v1');
  });
});

describe('route.grantInvoke', () => {
  let template: Template;
  let caller: SecureFunction;
  let apiId: string;

  beforeAll(() => {
    const { stack } = newApiStack();
    const api = new SecureHttpApi(stack, 'Api');
    const fn = handler(stack, 'Orders');
    caller = handler(stack, 'Caller');
    api.addRoute('GET', '/orders', fn).grantInvoke(caller);
    api.addRoute('GET', '/orders/{id}', fn).grantInvoke(caller);
    api.addRoute('ANY', '/carts', fn).grantInvoke(caller, { httpMethods: [apigatewayv2.HttpMethod.GET, apigatewayv2.HttpMethod.ANY] });
    template = Template.fromStack(stack);
    apiId = apiIdOf(template);
  });

  test('names the $default stage, the method and the path, with "*" only for path variables and ANY', () => {
    const invoke = managedPolicyStatementsOf(template, logicalIdOf(caller.role!)).filter(s => s.Action === 'execute-api:Invoke');
    const invokeOn = (...resources: object[]) => ({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources.length === 1 ? resources[0] : resources });
    expectSameStatements(invoke, [
      invokeOn(executeApiArn(apiId, '/$default/GET/orders')),
      invokeOn(executeApiArn(apiId, '/$default/GET/orders/*')),
      invokeOn(executeApiArn(apiId, '/$default/GET/carts'), executeApiArn(apiId, '/$default/*/carts')),
    ]);
  });

  test('acknowledges on the caller\'s role exactly the ARNs with a wildcard, naming the route', () => {
    const arn = (resourceName: string) => `AwsSolutions-IAM5[Resource::arn:${PARTITION}:execute-api:eu-west-1:111111111111:<${apiId}>${resourceName}]`;
    expect(metadataOf(caller.role!, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([
      { id: arn('/$default/GET/orders/*'), reason: expect.stringContaining('on the route GET /orders/{id} of S/Api only: "*" stands for any value of the path variables') },
      { id: arn('/$default/*/carts'), reason: expect.stringContaining('on the route ANY /carts of S/Api only: "*" stands for any method (the route is ANY)') },
    ]);
  });

  test('is our error on a route without IAM authorization, or for a method the route does not serve', () => {
    const { stack } = newApiStack();
    const api = new SecureHttpApi(stack, 'Api');
    const open = api.addRoute('GET', '/status', handler(stack, 'Status'), { authorization: HttpApiAuthorization.none('public status page') });
    const get = api.addRoute('GET', '/orders', handler(stack, 'Orders'));
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => open.grantInvoke(role)).toThrow(
      'invalid grantInvoke: received "a route authorized by none"; allowed: a route authorized with HttpApiAuthorization.iam()');
    expect(() => get.grantInvoke(role, { httpMethods: [apigatewayv2.HttpMethod.POST] })).toThrow(
      'invalid httpMethods: received ["POST"]; allowed: GET, the method of this route');
  });
});

describe('SecureHttpApi errors', () => {
  const fn = () => {
    const { stack } = newApiStack();
    return { stack, fn: handler(stack, 'Fn') };
  };

  test.each([
    ['a wildcard CORS origin', (s: Stack) => new SecureHttpApi(s, 'Api', { cors: { allowOrigins: ['*'] } }),
      'S/Api: invalid cors.allowOrigins: received ["*"]; allowed: one or more explicit origins'],
    ['an unknown CORS method', (s: Stack) => new SecureHttpApi(s, 'Api', { cors: { allowOrigins: ['https://a.example.com'], allowMethods: ['FETCH' as any] } }),
      'S/Api: invalid cors.allowMethods: received ["FETCH"]; allowed: methods among GET'],
    ['a burst under the rate', (s: Stack) => new SecureHttpApi(s, 'Api', { throttling: { rateLimit: 50, burstLimit: 10 } }),
      'S/Api: invalid throttling.burstLimit: received 10; allowed: at least the rate limit (50 requests per second)'],
    ['a REST authorization', (s: Stack) => new SecureHttpApi(s, 'Api', { defaultAuthorization: {} as any }),
      'S/Api: invalid defaultAuthorization: received {}; allowed: an HttpApiAuthorization'],
    ['a domain name with a path', (s: Stack) => new SecureHttpApi(s, 'Api', {
      domain: { domainName: 'api.example.com/x', certificate: acm.Certificate.fromCertificateArn(s, 'C', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc') },
    }), 'S/Api: invalid domain.domainName: received "api.example.com/x"; allowed: a lower-case DNS name'],
  ])('%s', (_name, build, message) => {
    const { stack } = newApiStack();
    expect(() => build(stack)).toThrow(message);
  });

  test('routes: method, path, duplicates, variables, OPTIONS under CORS', () => {
    const { stack, fn: f } = fn();
    const api = new SecureHttpApi(stack, 'Api', { cors: { allowOrigins: ['https://app.example.com'] } });
    api.addRoute('GET', '/orders/{id}', f);

    expect(() => api.addRoute('FETCH', '/x', f)).toThrow('S/Api: invalid method: received "FETCH"; allowed: one of GET, HEAD, POST, PUT, PATCH, DELETE, ANY');
    expect(() => api.addRoute('OPTIONS', '/x', f)).toThrow('(OPTIONS is answered by the CORS preflight)');
    expect(() => api.addRoute('GET', 'orders', f)).toThrow('S/Api: invalid path: received "orders"; allowed: a path starting with "/"');
    expect(() => api.addRoute('get', '/orders/{id}', f)).toThrow('a method and path not already routed (GET /orders/{id} is)');
    expect(() => api.addRoute('PUT', '/orders/{orderId}', f)).toThrow('one variable per path level: {id} is already routed there');
    expect(() => api.addRoute('GET', '/y', {} as any)).toThrow('S/Api: invalid handler: received {}; allowed: a lambda.IFunction');
  });

  test('authorization factories', () => {
    const { stack, fn: f } = fn();
    const pool = new cognito.UserPool(stack, 'Users');
    expect(() => HttpApiAuthorization.cognito(pool, [])).toThrow('HttpApiAuthorization.cognito: invalid userPoolClients: received []; allowed: one or more cognito.IUserPoolClient');
    expect(() => HttpApiAuthorization.cognito(pool, [pool.addClient('Web')], ['has space'])).toThrow('HttpApiAuthorization.cognito: invalid scopes: received "has space"; allowed: OAuth scopes');
    expect(() => HttpApiAuthorization.lambdaRequest(f, ['method.request.header.X'])).toThrow('HttpApiAuthorization.lambdaRequest: invalid identitySources: received "method.request.header.X"; allowed: one or more identity sources');
    expect(() => HttpApiAuthorization.lambdaToken(f, { resultsCacheTtl: Duration.hours(2) })).toThrow('HttpApiAuthorization.lambdaToken: invalid resultsCacheTtl');
    expect(() => HttpApiAuthorization.none('')).toThrow('HttpApiAuthorization.none: invalid reason: received ""; allowed: a written reason');
  });
});
