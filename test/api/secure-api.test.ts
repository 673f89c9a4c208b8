process.env.CDK_VALIDATION = 'false';

import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { compliantUserPool, handler, newApiStack } from './support';
import { ApiAuthorization } from '../../src/api/api-authorization';
import { SecureApi } from '../../src/api/secure-api';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA, WAIVER_METADATA } from '../../src/core/acknowledgements';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { logicalIdOf, metadataOf, onlyResource, PARTITION, statementsOf } from '../core/fixtures';

const ROUTE_METADATA = 'cdk-secure-serverless:route';

/** The MethodSettings entry of a stage for one resource path and HTTP method. */
function methodSetting(template: Template, resourcePath: string, httpMethod: string): any {
  const { resource } = onlyResource(template, 'AWS::ApiGateway::Stage');
  return resource.Properties.MethodSettings.find((s: any) => s.ResourcePath === resourcePath && s.HttpMethod === httpMethod);
}

/** The rendered `Fn::Join` of a value as text, references written `<LogicalId>`. */
function joined(value: any): string {
  if (typeof value === 'string') return value;
  if (value?.Ref) return `<${value.Ref}>`;
  if (value?.['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (value?.['Fn::Join']) return value['Fn::Join'][1].map(joined).join(value['Fn::Join'][0]);
  return JSON.stringify(value);
}

describe('a SecureApi with defaults and two routes', () => {
  // GIVEN
  const { stack } = newApiStack();
  const getOrder = handler(stack, 'GetOrder');
  const createOrder = handler(stack, 'CreateOrder');
  // WHEN
  const api = new SecureApi(stack, 'Api');
  const get = api.addRoute('GET', '/orders/{id}', getOrder);
  const post = api.addRoute('post', '/orders', createOrder);
  const template = Template.fromStack(stack);
  const apiId = logicalIdOf(api.restApi);
  const stageId = logicalIdOf(api.stage);

  test('THEN the REST API is regional and creates no CloudWatch role of its own', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'Api',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      DisableExecuteApiEndpoint: Match.absent(),
      Policy: Match.absent(),
    });
    const managedPolicyArns = Object.values(template.findResources('AWS::IAM::Role')).flatMap((r: any) => r.Properties.ManagedPolicyArns ?? []);
    expect(managedPolicyArns.map(joined).filter(arn => arn.includes(':iam::aws:policy/'))).toEqual([]);
  });

  test('THEN every method is authorized with AWS IAM and checked by the request validator', () => {
    const validatorId = logicalIdOf(api.requestValidator as any);
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      RestApiId: { Ref: apiId },
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const method of [get, post]) {
      expect(template.toJSON().Resources[logicalIdOf(method)].Properties).toMatchObject({
        AuthorizationType: 'AWS_IAM',
        RequestValidatorId: { Ref: validatorId },
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
    }
    expect(get.httpMethod).toBe('GET');
    expect(post.httpMethod).toBe('POST');
  });

  test('THEN the stage logs errors without data, traces, measures and throttles every method', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      CacheClusterEnabled: Match.absent(),
      ClientCertificateId: Match.absent(),
      MethodSettings: [{
        ResourcePath: '/*',
        HttpMethod: '*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: true,
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
        CachingEnabled: Match.absent(),
      }],
    });
  });

  test('THEN access logs are JSON with the standard fields, in an encrypted, retained log group', () => {
    const { resource: stage } = onlyResource(template, 'AWS::ApiGateway::Stage');
    const accessLogs = logicalIdOf(api.accessLogGroup);
    expect(stage.Properties.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [accessLogs, 'Arn'] });
    expect(Object.keys(JSON.parse(stage.Properties.AccessLogSetting.Format))).toEqual(
      ['requestId', 'ip', 'user', 'caller', 'requestTime', 'httpMethod', 'resourcePath', 'status', 'protocol', 'responseLength']);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: 365, LogGroupName: Match.absent() },
      DeletionPolicy: 'Retain',
    });
  });

  test('THEN the execution log group is in the template before the stage, encrypted and retained', () => {
    const executionLogs = logicalIdOf(api.executionLogGroup);
    const group = template.toJSON().Resources[executionLogs];
    expect(joined(group.Properties.LogGroupName)).toBe(`API-Gateway-Execution-Logs_<${apiId}>/prod`);
    expect(group.Properties.KmsKeyId).toBeDefined();
    expect(group.Properties.RetentionInDays).toBe(365);
    expect(group.DeletionPolicy).toBe('Retain');
    expect(template.toJSON().Resources[stageId].DependsOn).toContain(executionLogs);
  });

  test('THEN the stage is associated with the shared web ACL after it exists', () => {
    const { resource } = onlyResource(template, 'AWS::WAFv2::WebACLAssociation');
    expect(joined(resource.Properties.ResourceArn)).toBe(`arn:${PARTITION}:apigateway:eu-west-1::/restapis/<${apiId}>/stages/<${stageId}>`);
    expect(resource.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(api.webAcl.node.defaultChild as any), 'Arn'] });
    // The ResourceArn's reference to the stage orders it; no DependsOn repeats that (cfn-lint W3005).
    expect(resource.DependsOn).toBeUndefined();
  });

  test('THEN each function may be invoked by its own route on the deployed stage only, with SourceAccount', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } }));
    expect(permissions.map((p: any) => [p.Properties.FunctionName, joined(p.Properties.SourceArn), p.Properties.SourceAccount])).toEqual([
      [{ 'Fn::GetAtt': [logicalIdOf(getOrder), 'Arn'] }, `arn:${PARTITION}:execute-api:eu-west-1:111111111111:<${apiId}>/<${stageId}>/GET/orders/*`, '111111111111'],
      [{ 'Fn::GetAtt': [logicalIdOf(createOrder), 'Arn'] }, `arn:${PARTITION}:execute-api:eu-west-1:111111111111:<${apiId}>/<${stageId}>/POST/orders`, '111111111111'],
    ]);
  });

  test('THEN AwsSolutions-COG4 is acknowledged on each IAM method, and no waiver is recorded', () => {
    for (const method of [get, post]) {
      expect(metadataOf(method, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([{
        id: 'AwsSolutions-COG4',
        reason: 'the method is authorized with AWS IAM (SigV4); a Cognito user pool is one way to authenticate callers, not the only one',
      }]);
      expect(metadataOf(method, WAIVER_METADATA)).toEqual([]);
    }
  });

  test('THEN each route is recorded for the security report', () => {
    expect(metadataOf(api, ROUTE_METADATA)).toEqual([
      { method: 'GET', path: '/orders/{id}', authorization: 'iam', throttling: { rateLimit: 100, burstLimit: 200 } },
      { method: 'POST', path: '/orders', authorization: 'iam', throttling: { rateLimit: 100, burstLimit: 200 } },
    ]);
  });

  test('THEN the stack waits for the one account-level CloudWatch role setting, kept in a stack of its own', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const accountStack = Stack.of(api.cloudWatchAccount!);
    onlyResource(Template.fromStack(accountStack), 'AWS::ApiGateway::Account');
    expect(stack.dependencies).toEqual([accountStack]);
  });

  test('THEN the url is the stage URL', () => {
    expect(joined(Stack.of(api).resolve(api.url))).toBe(`https://<${apiId}>.execute-api.eu-west-1.<AWS::URLSuffix>/<${stageId}>/`);
  });
});

describe('a SecureApi with CORS, per-route options and every authorization', () => {
  // GIVEN
  const { stack } = newApiStack();
  const fn = handler(stack, 'Handler');
  const authorizerFn = handler(stack, 'Authorizer');
  const pool = compliantUserPool(stack, 'Users');
  // WHEN
  const api = new SecureApi(stack, 'Api', {
    stageName: 'v1',
    throttling: { rateLimit: 50, burstLimit: 80 },
    cors: { allowOrigins: ['https://app.example.com'] },
    defaultAuthorization: ApiAuthorization.cognito(pool, ['orders/read']),
    allowTestInvoke: true,
  });
  const cognitoRoute = api.addRoute('GET', '/orders', fn, {
    throttling: { rateLimit: 5 },
    requestParameters: { 'method.request.querystring.page': false },
  });
  const token = ApiAuthorization.lambdaToken(authorizerFn);
  const tokenRoute = api.addRoute('POST', '/orders', fn, {
    authorization: token,
    requestSchema: { type: apigateway.JsonSchemaType.OBJECT, required: ['item'], properties: { item: { type: apigateway.JsonSchemaType.STRING } } },
  });
  const tokenRoute2 = api.addRoute('DELETE', '/orders/{id}', fn, { authorization: token });
  const requestRoute = api.addRoute('PUT', '/orders/{id}', fn, {
    authorization: ApiAuthorization.lambdaRequest(authorizerFn, [apigateway.IdentitySource.header('X-Api-Token')]),
  });
  const openRoute = api.addRoute('GET', '/health', fn, { authorization: ApiAuthorization.none('load balancer health check') });
  const iamRoute = api.addRoute('ANY', '/admin/{proxy+}', fn, { authorization: ApiAuthorization.iam() });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;

  test('THEN each route has its authorization type and authorizer', () => {
    expect([cognitoRoute, tokenRoute, requestRoute, openRoute, iamRoute].map(m => resources[logicalIdOf(m)].Properties.AuthorizationType))
      .toEqual(['COGNITO_USER_POOLS', 'CUSTOM', 'CUSTOM', 'NONE', 'AWS_IAM']);
    expect(resources[logicalIdOf(cognitoRoute)].Properties.AuthorizationScopes).toEqual(['orders/read']);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS', ProviderARNs: [{ 'Fn::GetAtt': [logicalIdOf(pool), 'Arn'] }] });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN', IdentitySource: 'method.request.header.Authorization' });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', IdentitySource: 'method.request.header.X-Api-Token' });
  });

  test('THEN an authorization used by several routes creates one authorizer', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 3);
    expect(resources[logicalIdOf(tokenRoute)].Properties.AuthorizerId).toEqual(resources[logicalIdOf(tokenRoute2)].Properties.AuthorizerId);
  });

  test('THEN the authorizer function may be invoked by its authorizers, with SourceArn and SourceAccount', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission', {
      Properties: { FunctionName: { 'Fn::GetAtt': [logicalIdOf(authorizerFn), 'Arn'] } },
    }));
    expect(permissions).toHaveLength(2);
    for (const permission of permissions as any[]) {
      expect(permission.Properties.SourceAccount).toBe('111111111111');
      expect(joined(permission.Properties.SourceArn)).toMatch(new RegExp(`^arn:${PARTITION}:execute-api:eu-west-1:111111111111:<Api\\w+>/authorizers/<ApiLambda\\w+Authorizer\\w+>$`));
    }
  });

  test('THEN exactly the findings each authorization causes are acknowledged on its method', () => {
    const ids = (m: apigateway.Method) => metadataOf(m, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id);
    expect(ids(cognitoRoute)).toEqual([]);
    expect(ids(tokenRoute)).toEqual(['AwsSolutions-COG4']);
    expect(ids(requestRoute)).toEqual(['AwsSolutions-COG4']);
    expect(ids(iamRoute)).toEqual(['AwsSolutions-COG4']);
    expect(metadataOf(openRoute, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([
      { id: 'AwsSolutions-APIG4', reason: 'load balancer health check' },
      { id: 'AwsSolutions-COG4', reason: 'load balancer health check' },
    ]);
    expect(metadataOf(openRoute, WAIVER_METADATA)).toEqual([{ setting: 'authorization', value: 'none', reason: 'load balancer health check' }]);
    expect(metadataOf(tokenRoute, LIBRARY_ACKNOWLEDGEMENT_METADATA)[0].reason).toBe(
      `the method is authorized with a Lambda token authorizer (${authorizerFn.node.path}); a Cognito user pool is one way to authenticate callers, not the only one`);
  });

  test('THEN every resource answers the CORS preflight without authorization, from a mock integration', () => {
    const preflights = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } })) as any[];
    // root, /orders, /orders/{id}, /health, /admin, /admin/{proxy+}
    expect(preflights).toHaveLength(6);
    for (const preflight of preflights) {
      expect(preflight.Properties).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
      expect(preflight.Properties.MethodResponses).toEqual([expect.objectContaining({ StatusCode: '204' })]);
    }
  });

  test('THEN a 204 preflight needs no acknowledgement', () => {
    const preflights = api.restApi.methods.filter(m => m.httpMethod === 'OPTIONS');
    expect(preflights.flatMap(m => metadataOf(m, LIBRARY_ACKNOWLEDGEMENT_METADATA))).toEqual([]);
  });

  test('THEN a route with its own throttling overrides only what it sets, repeating the stage logging', () => {
    expect(methodSetting(template, '/~1orders', 'GET')).toEqual({
      ResourcePath: '/~1orders',
      HttpMethod: 'GET',
      LoggingLevel: 'ERROR',
      DataTraceEnabled: false,
      MetricsEnabled: true,
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 80,
    });
    expect(methodSetting(template, '/*', '*')).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 });
    expect(methodSetting(template, '/~1orders', 'POST')).toBeUndefined();
  });

  test('THEN the request schema validates JSON bodies and bodies of any other content type', () => {
    const { id: modelId, resource: model } = onlyResource(template, 'AWS::ApiGateway::Model');
    expect(model.Properties).toMatchObject({ ContentType: 'application/json', Schema: { type: 'object', required: ['item'] } });
    expect(resources[logicalIdOf(tokenRoute)].Properties.RequestModels).toEqual({ 'application/json': { Ref: modelId }, '$default': { Ref: modelId } });
    expect(resources[logicalIdOf(cognitoRoute)].Properties.RequestParameters).toEqual({ 'method.request.querystring.page': false });
  });

  test('THEN allowTestInvoke adds a test-invoke-stage permission per route', () => {
    const sourceArns = Object.values(template.findResources('AWS::Lambda::Permission', {
      Properties: { FunctionName: { 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] } },
    })).map((p: any) => joined(p.Properties.SourceArn));
    expect(sourceArns.filter(arn => arn.includes('/test-invoke-stage/'))).toHaveLength(6);
    expect(sourceArns).toContain(`arn:${PARTITION}:execute-api:eu-west-1:111111111111:<${logicalIdOf(api.restApi)}>/test-invoke-stage/*/admin/*`);
    expect(sourceArns).toHaveLength(12);
  });

  test('THEN the stage has the given name', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1' });
    const group = resources[logicalIdOf(api.executionLogGroup)];
    expect(joined(group.Properties.LogGroupName)).toBe(`API-Gateway-Execution-Logs_<${logicalIdOf(api.restApi)}>/v1`);
  });
});

describe('a CORS preflight answered with 200', () => {
  // GIVEN
  const { stack } = newApiStack();
  // WHEN
  const api = new SecureApi(stack, 'Api', { cors: { allowOrigins: ['https://app.example.com'], statusCode: 200 } });
  api.addRoute('GET', '/a/b', handler(stack, 'Fn'));

  test('THEN AwsSolutions-APIG4 is acknowledged on each OPTIONS method, which it does not recognise as CORS', () => {
    const preflights = api.restApi.methods.filter(m => m.httpMethod === 'OPTIONS');
    expect(preflights.map(m => m.resource.path)).toEqual(['/', '/a', '/a/b']);
    for (const preflight of preflights) {
      expect(metadataOf(preflight, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([{
        id: 'AwsSolutions-APIG4',
        reason: 'CORS preflight: browsers send it without credentials, so it cannot be authorized; a mock integration answers it with the CORS headers only and reaches no function',
      }]);
    }
  });
});

describe('a PRIVATE SecureApi', () => {
  // GIVEN
  const { stack } = newApiStack();
  const caller = handler(stack, 'Caller');
  // WHEN
  const api = new SecureApi(stack, 'Api', { endpointType: apigateway.EndpointType.PRIVATE });
  api.addRoute('GET', '/items', handler(stack, 'Fn'));
  api.addRoute('GET', '/public', handler(stack, 'Open'), { authorization: ApiAuthorization.none('readable by anything in the VPC') });
  caller.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.APIGATEWAY);
  const template = Template.fromStack(stack);
  const endpointId = logicalIdOf(api.privateEndpoint as ec2.InterfaceVpcEndpoint);

  test('THEN it is reachable only through the execute-api endpoint of the baseline network', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: [{ Ref: endpointId }] },
      Policy: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/*',
            Condition: { StringNotEquals: { 'aws:SourceVpce': [{ Ref: endpointId }] } },
          },
          { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
        ],
      },
    });
    expect(api.privateEndpoint?.node.path).toBe('S/SecurityBaseline/Network/ExecuteApiEndpoint');
    // Gateway endpoints are created only for functions whose permissions name S3 or DynamoDB.
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
  });

  test('THEN the endpoint opens 443 only to callers that asked for it', () => {
    const { resource } = onlyResource(template, 'AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ExecuteApiEndpointSecurityGroup'), 'GroupId'] } },
    });
    expect(resource.Properties).toMatchObject({ FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(caller.securityGroup!), 'GroupId'] } });
  });

  test('THEN the endpoint policy lets callers without IAM credentials reach this account\'s APIs only', () => {
    const endpoint = template.toJSON().Resources[endpointId];
    const statements = statementsOf(endpoint.Properties.PolicyDocument);
    expect(statements.map((s: any) => s.Sid)).toEqual(['OnlyThisAccount', 'InvokeThisAccountsApisWithoutIam']);
    expect(joined(statements[1].Resource)).toBe(`arn:${PARTITION}:execute-api:eu-west-1:111111111111:*`);
    expect(statements[1].Action).toBe('execute-api:Invoke');
  });
});

describe('a SecureApi with a custom domain', () => {
  // GIVEN
  const { stack } = newApiStack();
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:111111111111:certificate/0c9e6d8a');
  // WHEN
  const api = new SecureApi(stack, 'Api', { domain: { domainName: 'api.example.com', certificate, basePath: 'orders' } });
  api.addRoute('GET', '/', handler(stack, 'Fn'));
  const template = Template.fromStack(stack);

  test('THEN the domain requires TLS 1.2 and maps the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      SecurityPolicy: 'TLS_1_2',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      RegionalCertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/0c9e6d8a',
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: 'orders', Stage: { Ref: logicalIdOf(api.stage) } });
  });

  test('THEN the execute-api endpoint is disabled, so callers cannot go around the domain', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    expect(Stack.of(api).resolve(api.url)).toBe('https://api.example.com/orders');
  });
});

describe('a SecureApi in the REGULATED profile', () => {
  // GIVEN
  const { stack } = newApiStack(ComplianceProfile.REGULATED);
  const authorizerFn = handler(stack, 'Authorizer');
  const pool = compliantUserPool(stack, 'Users');
  // WHEN
  const api = new SecureApi(stack, 'Api', { defaultAuthorization: ApiAuthorization.cognito(pool) });
  const fn = handler(stack, 'Fn');
  const cachedGet = api.addRoute('GET', '/orders/{id}', fn, { requestParameters: { 'method.request.querystring.fields': false } });
  api.addRoute('GET', '/reports', fn, { cacheTtl: Duration.minutes(1) });
  api.addRoute('GET', '/live', fn, { cacheTtl: Duration.seconds(0) });
  api.addRoute('POST', '/orders', fn);
  api.addRoute('GET', '/signed', fn, { authorization: ApiAuthorization.iam() });
  const requestGet = api.addRoute('GET', '/by-key', fn, {
    authorization: ApiAuthorization.lambdaRequest(authorizerFn, [apigateway.IdentitySource.header('X-Api-Key'), apigateway.IdentitySource.context('identity.sourceIp')]),
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;

  test('THEN the stage has an encrypted cache on all methods and a client certificate', () => {
    const { id: certificateId } = onlyResource(template, 'AWS::ApiGateway::ClientCertificate');
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      CacheClusterEnabled: true,
      CacheClusterSize: '0.5',
      ClientCertificateId: { Ref: certificateId },
    });
    expect(methodSetting(template, '/*', '*')).toMatchObject({ CachingEnabled: true, CacheDataEncrypted: true, CacheTtlInSeconds: 300 });
  });

  test('THEN a cached GET is keyed on the caller\'s identity, its path parameters and declared parameters', () => {
    const method = resources[logicalIdOf(cachedGet)].Properties;
    expect(method.Integration.CacheKeyParameters).toEqual([
      'method.request.header.Authorization', 'method.request.path.id', 'method.request.querystring.fields',
    ]);
    expect(method.RequestParameters).toEqual({
      'method.request.header.Authorization': false,
      'method.request.path.id': true,
      'method.request.querystring.fields': false,
    });
    expect(methodSetting(template, '/~1orders~1{id}', 'GET')).toBeUndefined();
  });

  test('THEN a GET behind a Lambda request authorizer is keyed on its request identity sources', () => {
    expect(resources[logicalIdOf(requestGet)].Properties.Integration.CacheKeyParameters).toEqual(['method.request.header.X-Api-Key']);
  });

  test('THEN responses that must not be replayed are never cached: non-GET, IAM-signed, opted out', () => {
    for (const [path, method] of [['/~1orders', 'POST'], ['/~1signed', 'GET'], ['/~1live', 'GET']]) {
      expect(methodSetting(template, path, method)).toMatchObject({ CachingEnabled: false, CacheDataEncrypted: true, LoggingLevel: 'ERROR' });
    }
    expect(methodSetting(template, '/~1reports', 'GET')).toMatchObject({ CacheTtlInSeconds: 60 });
    expect(methodSetting(template, '/~1reports', 'GET').CachingEnabled).toBe(true);
  });

  test('THEN no method setting disables cache encryption', () => {
    const { resource } = onlyResource(template, 'AWS::ApiGateway::Stage');
    expect(resource.Properties.MethodSettings.every((s: any) => s.CacheDataEncrypted === true)).toBe(true);
  });
});

describe('a SecureFunction handler', () => {
  // GIVEN
  const { stack } = newApiStack();
  const fn: SecureFunction = handler(stack, 'Fn');
  const api = new SecureApi(stack, 'Api');
  // WHEN
  api.addRoute('GET', '/a', fn);
  const template = Template.fromStack(stack);

  test('THEN its role gains nothing, and only its route may invoke it', () => {
    const policy = template.toJSON().Resources[logicalIdOf(fn.policy)];
    expect(JSON.stringify(policy)).not.toContain('execute-api');
    const permissions = template.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: { 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] } } });
    expect(Object.keys(permissions)).toHaveLength(1);
  });
});
