process.env.CDK_VALIDATION = 'false';

import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { findingsFor } from './harness';
import { expectKeyUseConditioned } from './key-conditions';
import { complianceMatrix, PROFILES } from './runners';
import { ApiAuthorization } from '../../src/api/api-authorization';
import { ApiCloudWatchRole } from '../../src/api/api-gateway-account';
import { SecureApi } from '../../src/api/secure-api';
import { SecureWebAcl } from '../../src/api/secure-web-acl';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureTable } from '../../src/table/secure-table';
import { compliantUserPool, ENV, handler } from '../api/support';

/**
 * SecureApi with each authorization, a reasoned `none`, CORS, a PRIVATE endpoint,
 * a custom domain, per-route options, a shared web ACL, and two stacks of one app,
 * in both profiles, under our pack, the cdk-nag packs of the profile and the
 * Control Tower guard rules. Each case is its own app; the guard rules run once
 * per profile over all of them.
 */

/** Creates a stack of the case's app, in ENV, with the profile's baseline. */
type NewStack = (id: string) => Stack;

const CASES: Record<string, (newStack: NewStack) => void> = {
  'IAM authorization (the default)': newStack => {
    const stack = newStack('S');
    const api = new SecureApi(stack, 'Api');
    api.addRoute('GET', '/orders/{id}', handler(stack, 'GetOrder'));
    api.addRoute('POST', '/orders', handler(stack, 'CreateOrder'));
  },
  'Cognito user pool authorizer with scopes': newStack => {
    const stack = newStack('S');
    const api = new SecureApi(stack, 'Api', { defaultAuthorization: ApiAuthorization.cognito(compliantUserPool(stack, 'Users'), ['orders/read']) });
    api.addRoute('GET', '/orders/{id}', handler(stack, 'GetOrder'));
  },
  'Lambda token authorizer': newStack => {
    const stack = newStack('S');
    const api = new SecureApi(stack, 'Api', { defaultAuthorization: ApiAuthorization.lambdaToken(handler(stack, 'Authorizer')) });
    api.addRoute('GET', '/orders/{id}', handler(stack, 'GetOrder'));
    api.addRoute('DELETE', '/orders/{id}', handler(stack, 'DeleteOrder'));
  },
  'Lambda request authorizer': newStack => {
    const stack = newStack('S');
    const authorization = ApiAuthorization.lambdaRequest(handler(stack, 'Authorizer'), [apigateway.IdentitySource.header('X-Api-Token')]);
    const api = new SecureApi(stack, 'Api');
    api.addRoute('GET', '/orders', handler(stack, 'ListOrders'), { authorization });
  },
  'reasoned none': newStack => {
    const stack = newStack('S');
    const api = new SecureApi(stack, 'Api');
    api.addRoute('GET', '/status', handler(stack, 'Status'), { authorization: ApiAuthorization.none('public status page') });
  },
  'CORS preflight': newStack => {
    const stack = newStack('S');
    const api = new SecureApi(stack, 'Api', { cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true } });
    api.addRoute('GET', '/orders/{id}', handler(stack, 'GetOrder'));
  },
  'CORS preflight answered with 200': newStack => {
    const stack = newStack('S');
    const api = new SecureApi(stack, 'Api', { cors: { allowOrigins: ['https://app.example.com'], statusCode: 200 } });
    api.addRoute('PUT', '/orders/{id}', handler(stack, 'PutOrder'));
  },
  'PRIVATE endpoint with a SecureFunction caller': newStack => {
    const stack = newStack('S');
    const api = new SecureApi(stack, 'Api', { endpointType: apigateway.EndpointType.PRIVATE });
    api.addRoute('GET', '/orders', handler(stack, 'ListOrders'));
    api.addRoute('GET', '/ping', handler(stack, 'Ping'), { authorization: ApiAuthorization.none('reachable only from the VPC endpoint; used by probes') });
    handler(stack, 'Caller').allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.APIGATEWAY);
  },
  'custom domain': newStack => {
    const stack = newStack('S');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:111111111111:certificate/0c9e6d8a');
    const api = new SecureApi(stack, 'Api', { domain: { domainName: 'api.example.com', certificate, basePath: 'v1' } });
    api.addRoute('ANY', '/{proxy+}', handler(stack, 'Proxy'));
  },
  'per-route throttling, request schema and test invocations': newStack => {
    const stack = newStack('S');
    const api = new SecureApi(stack, 'Api', { throttling: { rateLimit: 20, burstLimit: 40 }, allowTestInvoke: true, stageName: 'v1' });
    const fn = handler(stack, 'Orders');
    api.addRoute('GET', '/orders', fn, { throttling: { rateLimit: 5, burstLimit: 5 }, requestParameters: { 'method.request.querystring.page': false } });
    api.addRoute('POST', '/orders', fn, { requestSchema: { type: apigateway.JsonSchemaType.OBJECT, required: ['item'] } });
  },
  'a SecureWebAcl of another stack shared by two APIs': newStack => {
    const shared = newStack('Shared');
    const webAcl = new SecureWebAcl(shared, 'Firewall', { rateLimit: 1000 });
    const stack = newStack('S');
    for (const id of ['Public', 'Partner']) {
      new SecureApi(stack, id, { webAcl }).addRoute('GET', '/', handler(stack, `${id}Fn`));
    }
  },
  'CloudWatch role already configured for the account': newStack => {
    const stack = newStack('S');
    const api = new SecureApi(stack, 'Api', { cloudWatchRole: ApiCloudWatchRole.alreadyConfigured() });
    api.addRoute('GET', '/', handler(stack, 'Fn'));
  },
  'two stacks of one app, each with a SecureApi': newStack => {
    for (const id of ['Orders', 'Billing']) {
      const stack = newStack(id);
      new SecureApi(stack, 'Api').addRoute('GET', '/', handler(stack, 'Fn'));
    }
  },
  'three stacks with a SecureApi each, the first reading the second\'s table': newStack => {
    const stacks = ['A', 'B', 'C'].map(id => newStack(id));
    const table = new SecureTable(stacks[1], 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    stacks.forEach(stack => {
      const fn = handler(stack, 'Fn');
      if (stack === stacks[0]) table.grants.readItems(fn);
      new SecureApi(stack, 'Api').addRoute('GET', '/', fn);
    });
  },
};
const CASE_NAMES = Object.keys(CASES);

function buildApp(name: string, profile: ComplianceProfile): App {
  const app = new App();
  CASES[name](id => {
    const stack = new Stack(app, id, { env: ENV });
    if (profile === ComplianceProfile.REGULATED) new SecurityBaseline(stack, 'SecurityBaseline', { profile });
    return stack;
  });
  return app;
}

const matrix = complianceMatrix(CASE_NAMES, buildApp);
expectKeyUseConditioned(matrix);

describe.each(PROFILES)('%s profile', profile => {

  test('two stacks of one app create AWS::ApiGateway::Account once', () => {
    const app = matrix.apps(profile)[CASE_NAMES.indexOf('two stacks of one app, each with a SecureApi')];
    const stacks = app.node.children.filter(Stack.isStack);

    const counts = stacks.map(stack => Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Account')).length);

    expect(stacks.map(s => s.node.id)).toEqual(['Orders', 'ApiGatewayAccount-111111111111-eu-west-1', 'Billing']);
    expect(counts).toEqual([0, 1, 0]);
  });
});

/**
 * Without the acknowledgements taking effect, the packs report exactly the
 * findings the API constructs acknowledge: each acknowledgement is needed, and
 * none covers more than the finding it names.
 */
test('the acknowledgements SecureApi adds are exactly the findings they silence', () => {
  const acknowledge = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
  let app: App;
  try {
    app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new SecurityBaseline(stack, 'SecurityBaseline', { profile: ComplianceProfile.REGULATED });
    const authorizer = handler(stack, 'Authorizer');
    const fn = handler(stack, 'Fn');
    const api = new SecureApi(stack, 'Api', { cors: { allowOrigins: ['https://app.example.com'], statusCode: 200 } });
    api.addRoute('GET', '/iam', fn);
    api.addRoute('GET', '/token', fn, { authorization: ApiAuthorization.lambdaToken(authorizer) });
    api.addRoute('GET', '/request', fn, { authorization: ApiAuthorization.lambdaRequest(authorizer, ['method.request.header.X-Key']) });
    api.addRoute('GET', '/cognito', fn, { authorization: ApiAuthorization.cognito(compliantUserPool(stack, 'Users')) });
    api.addRoute('GET', '/open', fn, { authorization: ApiAuthorization.none('public status page') });
  } finally {
    acknowledge.mockRestore();
  }
  const scopes = ['S/Api/', 'ApiGatewayAccount-111111111111-eu-west-1/ApiGatewayAccount/', 'S/SecurityBaseline/WebAcl/'];
  const inScope = (path: string) => scopes.some(scope => path.startsWith(scope));

  const [findings] = findingsFor([app], { profile: ComplianceProfile.REGULATED, guard: false });
  const acknowledged = app.node.findAll()
    .filter((c: IConstruct) => inScope(`${c.node.path}/`))
    .flatMap(c => c.node.metadata
      .filter(entry => entry.type === LIBRARY_ACKNOWLEDGEMENT_METADATA)
      .map(entry => `${(entry.data as { id: string }).id} ${c.node.path}`));
  const found = findings
    .filter(f => inScope(f.path))
    .map(f => `${f.rule} ${f.path.replace(/\/Resource$/, '')}`);

  expect(found.sort()).toEqual(acknowledged.sort());
  expect(acknowledged).toHaveLength(13);
}, 120_000);
