process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { tempOutdir } from './fixture';
import { ApiAuthorization } from '../../src/api/api-authorization';
import { SecureApi } from '../../src/api/secure-api';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureUserPool } from '../../src/identity/secure-user-pool';
import { SecurityReportStack } from '../../src/report/schema';
import { SecurityReport } from '../../src/report/security-report';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { CODE, ENV, HANDLER } from '../core/fixtures';

/** The report of an app with a notifying SecureBucket and a SecureApi authorized by a SecureUserPool. */
describe('the report of buckets and user pools', () => {
  let report: SecurityReportStack;

  beforeAll(() => {
    const outdir = tempOutdir();
    const app = new App({ outdir });
    const stack = new Stack(app, 'Shop', { env: ENV });
    const uploads = new SecureBucket(stack, 'Uploads');
    const thumbnailer = new SecureFunction(stack, 'Thumbnailer', { code: CODE, handler: HANDLER });
    const uploader = new SecureFunction(stack, 'Uploader', { code: CODE, handler: HANDLER });
    uploads.objectGrants.readObjects(thumbnailer, { prefix: 'images/' });
    uploads.objectGrants.writeObjects(uploader);
    uploads.notifyFunction(thumbnailer, { prefix: 'images/' });
    const api = new SecureApi(stack, 'Api', { defaultAuthorization: ApiAuthorization.cognito(new SecureUserPool(stack, 'Customers')) });
    api.addRoute('POST', '/uploads', uploader);
    Validations.of(app).addPlugins(new SecurityReport());
    app.synth();
    report = JSON.parse(fs.readFileSync(path.join(outdir, 'security-report.json'), 'utf-8')).stages[0].stacks
      .find((reported: SecurityReportStack) => reported.path === 'Shop');
  });

  test('the bucket lists its readers and writers, though their statements name it by an ARN built from its name', () => {
    const bucket = report.dataStores.find(store => store.path === 'Shop/Uploads');
    expect(bucket).toMatchObject({ kind: 'bucket', key: 'Shop/SecurityBaseline/Key', versioning: true, removalPolicy: 'Retain' });
    expect(bucket?.readers).toEqual(['Shop/Thumbnailer']);
    expect(bucket?.writers).toEqual(['Shop/Uploader']);
  });

  test('the notified function lists the bucket and its event among its invokers', () => {
    const thumbnailer = report.functions.find(fn => fn.path === 'Shop/Thumbnailer');
    expect(thumbnailer?.invokers).toContainEqual({ kind: 'bucket-notification', principal: 's3.amazonaws.com', source: 'Shop/Uploads (s3:ObjectCreated:*)' });
  });

  test('the route names the user pool whose tokens its authorizer accepts', () => {
    const route = report.apis[0].routes.find(r => r.path === '/uploads');
    expect(route?.authorization).toBe('COGNITO_USER_POOLS');
    expect(route?.authorizer).toMatch(/^Shop\/Api\/.+ \(COGNITO_USER_POOLS\)$/);
    expect(route?.userPools).toEqual(['Shop/Customers']);
    // A Cognito authorizer of a REST API accepts every client of its pool.
    expect(route?.clients).toBeUndefined();
  });
});
