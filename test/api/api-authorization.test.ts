process.env.CDK_VALIDATION = 'false';

import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CODE, compliantUserPool, handler, newApiStack } from './support';
import { ApiAuthorization } from '../../src/api/api-authorization';
import { SecureApi } from '../../src/api/secure-api';
import { SecureServerlessError } from '../../src/core/errors';
import { logicalIdOf, thrownBy } from '../core/fixtures';

describe('a Lambda authorizer whose function is a plain lambda.Function', () => {
  // GIVEN
  const { stack } = newApiStack();
  const plain = new lambda.Function(stack, 'Plain', { code: CODE, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_LATEST });
  const api = new SecureApi(stack, 'Api');
  // WHEN
  api.addRoute('GET', '/token', handler(stack, 'Fn'), { authorization: ApiAuthorization.lambdaToken(plain, { resultsCacheTtl: Duration.seconds(0) }) });
  api.addRoute('GET', '/request', handler(stack, 'Fn2'), {
    authorization: ApiAuthorization.lambdaRequest(plain, [apigateway.IdentitySource.queryString('key')]),
  });
  const template = Template.fromStack(stack);

  test('THEN its invoke permissions still carry SourceAccount', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission', {
      Properties: { FunctionName: { 'Fn::GetAtt': [logicalIdOf(plain), 'Arn'] } },
    })) as any[];
    expect(permissions.map(p => p.Properties.SourceAccount)).toEqual(['111111111111', '111111111111']);
  });

  test('THEN the cache settings are passed on', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN', AuthorizerResultTtlInSeconds: 0 });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', AuthorizerResultTtlInSeconds: 300, IdentitySource: 'method.request.querystring.key' });
  });
});

describe('a Cognito authorization without scopes', () => {
  // GIVEN
  const { stack } = newApiStack();
  const pool = compliantUserPool(stack, 'Users');
  const api = new SecureApi(stack, 'Api');
  // WHEN
  const method = api.addRoute('GET', '/me', handler(stack, 'Fn'), { authorization: ApiAuthorization.cognito(pool) });

  test('THEN the method expects an ID token', () => {
    const properties = Template.fromStack(stack).toJSON().Resources[logicalIdOf(method)].Properties;
    expect(properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
    expect(properties.AuthorizationScopes).toBeUndefined();
  });
});

describe('the factories', () => {
  test('THEN each authorization says its kind, and none says its reason', () => {
    const { stack } = newApiStack();
    const fn = handler(stack, 'Fn');
    expect([
      ApiAuthorization.iam(),
      ApiAuthorization.cognito(compliantUserPool(stack, 'Users')),
      ApiAuthorization.lambdaToken(fn),
      ApiAuthorization.lambdaRequest(fn, ['method.request.header.X-Key']),
      ApiAuthorization.none('  public status page  '),
    ].map(a => [a.kind, a.reason])).toEqual([
      ['iam', undefined], ['cognito', undefined], ['lambdaToken', undefined], ['lambdaRequest', undefined], ['none', 'public status page'],
    ]);
    expect(ApiAuthorization.isApiAuthorization(ApiAuthorization.iam())).toBe(true);
    expect(ApiAuthorization.isApiAuthorization({ kind: 'iam' })).toBe(false);
  });

  const { stack } = newApiStack();
  const fn = handler(stack, 'Fn');
  const pool = compliantUserPool(stack, 'Users');
  test.each<[string, () => unknown, string]>([
    ['none with an empty reason', () => ApiAuthorization.none(''),
      'ApiAuthorization.none: invalid reason: received ""; allowed: a written reason of at least 3 characters explaining why the default is weakened'],
    ['cognito without a user pool', () => ApiAuthorization.cognito(undefined as any),
      'ApiAuthorization.cognito: invalid userPool: received undefined; allowed: a cognito.IUserPool'],
    ['cognito with an empty scope list', () => ApiAuthorization.cognito(pool, []),
      'ApiAuthorization.cognito: invalid scopes: received []; allowed: a non-empty list of OAuth scopes, or undefined to accept ID tokens'],
    ['cognito with a scope with a space', () => ApiAuthorization.cognito(pool, ['orders read']),
      'ApiAuthorization.cognito: invalid scopes: received "orders read"; allowed: OAuth scopes such as "orders/read": 1 to 256 printable characters without spaces, quotes or backslashes'],
    ['lambdaToken without a function', () => ApiAuthorization.lambdaToken({} as any),
      'ApiAuthorization.lambdaToken: invalid handler: received {}; allowed: a lambda.IFunction, such as a SecureFunction'],
    ['lambdaToken with a cache over an hour', () => ApiAuthorization.lambdaToken(fn, { resultsCacheTtl: Duration.hours(2) }),
      'ApiAuthorization.lambdaToken: invalid resultsCacheTtl: received 2 hours; allowed: a whole number of seconds from 0 to 3600 (1 hour)'],
    ['lambdaRequest without identity sources', () => ApiAuthorization.lambdaRequest(fn, []),
      'ApiAuthorization.lambdaRequest: invalid identitySources: received []; allowed: one or more identity sources such as apigateway.IdentitySource.header("X-Api-Token") ' +
      '(method.request.header.<name>, method.request.querystring.<name>, stageVariables.<name> or context.<name>)'],
    ['lambdaRequest with a bare header name', () => ApiAuthorization.lambdaRequest(fn, ['X-Api-Token']),
      'ApiAuthorization.lambdaRequest: invalid identitySources: received "X-Api-Token"; allowed: one or more identity sources such as apigateway.IdentitySource.header("X-Api-Token") ' +
      '(method.request.header.<name>, method.request.querystring.<name>, stageVariables.<name> or context.<name>)'],
  ])('GIVEN %s WHEN the factory is called THEN our error says what is allowed', (_name, call, message) => {
    const error = thrownBy(call);

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(message);
  });
});
