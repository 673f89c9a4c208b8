process.env.CDK_VALIDATION = 'false';

import { App, Stack, Validations } from 'aws-cdk-lib';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { findingsFor } from './harness';
import { expectKeyUseConditioned } from './key-conditions';
import { complianceMatrix } from './runners';
import { HttpApiAuthorization } from '../../src/api/http-api-authorization';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { acknowledgeFindings, LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { ComplianceProfile } from '../../src/core/profile';
import { compliantUserPool, ENV, handler } from '../api/support';

/**
 * SecureHttpApi with each authorization, a reasoned `none`, throttling, CORS and a
 * custom domain, and the aws-cdk-lib idioms users write around it, in both
 * profiles, under our pack, the cdk-nag packs of the profile and the Control
 * Tower guard rules. Each case is its own app; the guard rules run once per
 * profile over all of them.
 */

/**
 * A plain user pool as a user brings one, with the findings of the pool itself
 * (not of the API) acknowledged: SecureUserPool is the library's answer to those.
 */
function plainUserPool(stack: Stack): { pool: cognito.UserPool; client: cognito.UserPoolClient } {
  const pool = new cognito.UserPool(stack, 'Users');
  acknowledgeFindings(pool, ['AwsSolutions-COG1', 'AwsSolutions-COG2', 'AwsSolutions-COG3', 'AwsSolutions-COG8'],
    'the test is about the HTTP API; the hardening of the pool is SecureUserPool\'s');
  return { pool, client: pool.addClient('Web') };
}

const CASES: Record<string, (stack: Stack) => void> = {
  'IAM authorization (the default)': stack => {
    const api = new SecureHttpApi(stack, 'Api');
    api.addRoute('GET', '/orders/{id}', handler(stack, 'GetOrder'));
    api.addRoute('POST', '/orders', handler(stack, 'CreateOrder'));
  },
  'JWT authorizer of a compliant user pool, with scopes': stack => {
    const pool = compliantUserPool(stack, 'Users');
    const api = new SecureHttpApi(stack, 'Api', { defaultAuthorization: HttpApiAuthorization.cognito(pool, [pool.addClient('Web')], ['orders/read']) });
    api.addRoute('GET', '/orders/{id}', handler(stack, 'GetOrder'));
  },
  'Lambda token authorizer': stack => {
    const api = new SecureHttpApi(stack, 'Api', { defaultAuthorization: HttpApiAuthorization.lambdaToken(handler(stack, 'Authorizer')) });
    api.addRoute('GET', '/orders/{id}', handler(stack, 'GetOrder'));
    api.addRoute('DELETE', '/orders/{id}', handler(stack, 'DeleteOrder'));
  },
  'Lambda request authorizer': stack => {
    const authorization = HttpApiAuthorization.lambdaRequest(handler(stack, 'Authorizer'), ['$request.header.X-Api-Token']);
    new SecureHttpApi(stack, 'Api').addRoute('GET', '/orders', handler(stack, 'ListOrders'), { authorization });
  },
  'reasoned none': stack => {
    const api = new SecureHttpApi(stack, 'Api');
    api.addRoute('GET', '/status', handler(stack, 'Status'), { authorization: HttpApiAuthorization.none('public status page') });
  },
  'stage and per-route throttling': stack => {
    const api = new SecureHttpApi(stack, 'Api', { throttling: { rateLimit: 20, burstLimit: 40 } });
    const fn = handler(stack, 'Orders');
    api.addRoute('GET', '/orders', fn, { throttling: { rateLimit: 5, burstLimit: 5 } });
    api.addRoute('POST', '/orders', fn);
  },
  'CORS with explicit origins': stack => {
    const api = new SecureHttpApi(stack, 'Api', {
      cors: { allowOrigins: ['https://app.example.com'], allowMethods: [apigatewayv2.CorsHttpMethod.GET], allowCredentials: true },
    });
    api.addRoute('GET', '/orders/{id}', handler(stack, 'GetOrder'));
  },
  'custom domain': stack => {
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:111111111111:certificate/0c9e6d8a');
    const api = new SecureHttpApi(stack, 'Api', { domain: { domainName: 'api.example.com', certificate, basePath: 'v1' } });
    api.addRoute('ANY', '/{proxy+}', handler(stack, 'Proxy'));
  },
  'an imported function and a JWT authorizer of a plain user pool': stack => {
    const { pool, client } = plainUserPool(stack);
    const api = new SecureHttpApi(stack, 'Api', { defaultAuthorization: HttpApiAuthorization.cognito(pool, [client]) });
    api.addRoute('GET', '/legacy', lambda.Function.fromFunctionArn(stack, 'Legacy', 'arn:aws:lambda:eu-west-1:111111111111:function:legacy'));
  },
};
const CASE_NAMES = Object.keys(CASES);

function buildApp(name: string, profile: ComplianceProfile): App {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  if (profile === ComplianceProfile.REGULATED) new SecurityBaseline(stack, 'SecurityBaseline', { profile });
  CASES[name](stack);
  return app;
}

expectKeyUseConditioned(complianceMatrix(CASE_NAMES, buildApp));

/**
 * Without the acknowledgements taking effect, the packs report exactly the
 * findings SecureHttpApi acknowledges: each is needed, and none covers more than
 * the finding it names.
 */
test('the acknowledgements SecureHttpApi adds are exactly the findings they silence', () => {
  const acknowledge = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
  let app: App;
  try {
    app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new SecurityBaseline(stack, 'SecurityBaseline', { profile: ComplianceProfile.REGULATED });
    const fn = handler(stack, 'Fn');
    const api = new SecureHttpApi(stack, 'Api');
    api.addRoute('GET', '/iam', fn);
    api.addRoute('GET', '/token', fn, { authorization: HttpApiAuthorization.lambdaToken(handler(stack, 'Authorizer')) });
    api.addRoute('GET', '/open', fn, { authorization: HttpApiAuthorization.none('public status page') });
  } finally {
    acknowledge.mockRestore();
  }
  const inScope = (path: string) => path.startsWith('S/Api/');
  const [findings] = findingsFor([app], { profile: ComplianceProfile.REGULATED });
  const acknowledged = app.node.findAll()
    .filter((c: IConstruct) => inScope(`${c.node.path}/`))
    .flatMap(c => c.node.metadata
      .filter(entry => entry.type === LIBRARY_ACKNOWLEDGEMENT_METADATA)
      .map(entry => `${(entry.data as { id: string }).id} ${c.node.path}`));
  const found = findings.filter(f => inScope(f.path)).map(f => `${f.rule} ${f.path.replace(/\/Resource$/, '')}`);

  expect(found.sort()).toEqual(acknowledged.sort());
  expect(acknowledged).toEqual(expect.arrayContaining([
    'AwsSolutions-APIG4 S/Api/Resource/Route GET |open',
    'ControlTower-CT.APIGATEWAY.PR.5 S/Api/Resource/Route GET |open',
  ]));
}, 120_000);
