process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fc from 'fast-check';
import { mostly, propertyRuns } from './runners';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureUserPool } from '../../src/identity/secure-user-pool';
import { NoncurrentVersions } from '../../src/storage/bucket-options';
import { SecureBucket } from '../../src/storage/secure-bucket';

/**
 * Over generated SecureBucket props, grant prefixes and notification filters,
 * and SecureUserPool props and client token validity, construction either
 * throws our error or the app synthesizes with zero findings under STANDARD
 * (the guard rules run once over a sample). No other exception type is allowed.
 */

const ENV = { account: '111111111111', region: 'eu-west-1' };
const CODE = lambda.Code.fromInline('exports.handler = async () => 1');

const generated = fc.record({
  bucketName: mostly(fc.constantFrom('orders-archive', 'a.b-c9', 'reports-111111111111'), fc.string({ maxLength: 70 })),
  noncurrentDays: mostly(fc.integer({ min: 1, max: 3650 }), fc.oneof(fc.integer({ min: 0, max: 40000 }), fc.constant(0.5))),
  keepNewest: mostly(fc.integer({ min: 1, max: 100 }), fc.integer({ min: -3, max: 200 })),
  lockDays: mostly(fc.integer({ min: 1, max: 3650 }), fc.integer({ min: 1, max: 3650 })),
  prefix: mostly(fc.constantFrom('uploads/', 'a', 'reports/2026/'), fc.string({ maxLength: 8 })),
  suffix: mostly(fc.constantFrom('.csv', '.jpg'), fc.string({ maxLength: 4 })),
  passwordMinLength: mostly(fc.integer({ min: 8, max: 99 }), fc.integer({ min: -5, max: 200 })),
  accessTokenMinutes: mostly(fc.integer({ min: 5, max: 1440 }), fc.integer({ min: 0, max: 5000 })),
});

type Generated = typeof generated extends fc.Arbitrary<infer T> ? T : never;

function build(value: Generated): App {
  const app = new App();
  const stack = new Stack(app, 'P', { env: ENV });
  const bucket = new SecureBucket(stack, 'Bucket', {
    bucketName: value.bucketName,
    noncurrentVersions: value.noncurrentDays === undefined ? undefined
      : NoncurrentVersions.expireAfter(Duration.days(value.noncurrentDays), value.keepNewest),
    objectLockRetention: value.lockDays === undefined ? undefined : s3.ObjectLockRetention.governance(Duration.days(value.lockDays)),
  });
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: 'index.handler' });
  bucket.objectGrants.readObjects(fn, { prefix: value.prefix });
  bucket.notifyFunction(fn, { prefix: value.prefix, suffix: value.suffix });
  const pool = new SecureUserPool(stack, 'Users', { passwordMinLength: value.passwordMinLength });
  pool.addClient('Web', { accessTokenValidity: value.accessTokenMinutes === undefined ? undefined : Duration.minutes(value.accessTokenMinutes) });
  return app;
}

propertyRuns(generated, build, { numRuns: 30, guardSample: 4, what: 'SecureBucket and SecureUserPool settings' });
