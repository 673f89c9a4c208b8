process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { tempOutdir } from './fixture';
import { HttpApiAuthorization } from '../../src/api/http-api-authorization';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { SecurityReportDocument } from '../../src/report/schema';
import { SecurityReport } from '../../src/report/security-report';
import { handler } from '../api/support';
import { ENV } from '../core/fixtures';

describe('SecurityReport on a SecureHttpApi', () => {
  // GIVEN
  const outdir = tempOutdir();
  const app = new App({ outdir });
  const stack = new Stack(app, 'Http', { env: ENV });
  const api = new SecureHttpApi(stack, 'Api', { throttling: { rateLimit: 50, burstLimit: 60 } });
  const orders = handler(stack, 'Orders');
  api.addRoute('GET', '/orders/{id}', orders, { throttling: { rateLimit: 5, burstLimit: 5 } });
  api.addRoute('POST', '/orders', orders, { authorization: HttpApiAuthorization.lambdaToken(handler(stack, 'Authorizer')) });
  api.addRoute('GET', '/status', handler(stack, 'Status'), { authorization: HttpApiAuthorization.none('public status page') });

  // WHEN
  Validations.of(app).addPlugins(new SecurityReport(app));
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  app.synth();
  write.mockRestore();
  const report: SecurityReportDocument = JSON.parse(fs.readFileSync(path.join(outdir, 'security-report.json'), 'utf-8'));
  const [reported] = report.stages[0].stacks;

  test('lists the HTTP API with its stage, routes, authorization and throttles', () => {
    expect(reported.apis).toEqual([expect.objectContaining({
      path: 'Http/Api',
      protocol: 'HTTP',
      endpointType: 'REGIONAL',
      stages: [{ name: '$default', throttling: { rateLimit: 50, burstLimit: 60 }, tracing: false, accessLogs: 'Http/Api/AccessLogs' }],
    })]);
    expect(reported.apis[0].routes.map(r => [r.method, r.path, r.authorization, r.authorizer?.replace(/Authorizer.*\(/, '('), r.handler, r.throttling])).toEqual([
      ['POST', '/orders', 'CUSTOM', 'Http/Api/Resource/LambdaToken(REQUEST)', 'Http/Orders', { rateLimit: 50, burstLimit: 60 }],
      ['GET', '/orders/{id}', 'AWS_IAM', undefined, 'Http/Orders', { rateLimit: 5, burstLimit: 5 }],
      ['GET', '/status', 'NONE', undefined, 'Http/Status', { rateLimit: 50, burstLimit: 60 }],
    ]);
    expect(report.summary.routesWithoutAuthorization).toBe(1);
  });

  test('lists the routes and the authorizer as invokers of their functions', () => {
    const invokers = (name: string) => reported.functions.find(fn => fn.path === `Http/${name}`)!.invokers.filter(i => i.kind.startsWith('api-'));
    expect(invokers('Orders').map(i => i.source)).toEqual(['GET /orders/{id} on Http/Api', 'POST /orders on Http/Api']);
    expect(invokers('Authorizer').map(i => i.kind)).toEqual(['api-authorizer']);
  });
});
