process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { expectKeyUseConditioned } from './key-conditions';
import { complianceMatrix } from './runners';
import { ApiAuthorization } from '../../src/api/api-authorization';
import { SecureApi } from '../../src/api/secure-api';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureUserPool } from '../../src/identity/secure-user-pool';
import { UserPoolMfa, UserPoolSignUp, UserPoolThreatProtection } from '../../src/identity/user-pool-options';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { BucketReplication, NoncurrentVersions } from '../../src/storage/bucket-options';
import { SecureBucket } from '../../src/storage/secure-bucket';

/**
 * SecureBucket and SecureUserPool, by default and with each documented option,
 * in both profiles, under our pack, the cdk-nag packs of the profile and the
 * Control Tower guard rules, with the idioms users write around them.
 */

const ENV = { account: '111111111111', region: 'eu-west-1' };
const CODE = lambda.Code.fromInline('exports.handler = async () => 1');
const WAIVED = BucketReplication.waiver('the objects are rebuilt from the orders table');

function fn(stack: Stack, id: string): SecureFunction {
  return new SecureFunction(stack, id, { code: CODE, handler: 'index.handler' });
}

/** Each case builds its app for one profile; REGULATED needs a replication choice, so cases pass one. */
const CASES: Record<string, (stack: Stack, replication: BucketReplication | undefined) => void> = {
  'SecureBucket default (REGULATED: replication waived)': (stack, replication) => {
    new SecureBucket(stack, 'Bucket', { replication });
  },
  'SecureBucket with object lock retention, kept noncurrent versions and a name': (stack, replication) => {
    new SecureBucket(stack, 'Bucket', {
      replication,
      bucketName: 'orders-archive-111111111111',
      objectLockRetention: s3.ObjectLockRetention.governance(Duration.days(30)),
      noncurrentVersions: NoncurrentVersions.keepAll(),
    });
  },
  'SecureBucket replicated to another SecureBucket': stack => {
    const replica = new SecureBucket(stack, 'Replica', { replication: WAIVED, noncurrentVersions: NoncurrentVersions.expireAfter(Duration.days(30), 3) });
    new SecureBucket(stack, 'Bucket', { replication: BucketReplication.toBucket(replica) });
  },
  'SecureBucket granted to SecureFunctions (objectGrants with prefixes, classic grants)': (stack, replication) => {
    const bucket = new SecureBucket(stack, 'Bucket', { replication });
    bucket.objectGrants.readObjects(fn(stack, 'Reader'), { prefix: 'reports/' });
    bucket.objectGrants.writeObjects(fn(stack, 'Writer'), { prefix: 'uploads/' });
    bucket.objectGrants.deleteObjects(fn(stack, 'Deleter'));
    const classic = fn(stack, 'Classic');
    bucket.grantReadWrite(classic);
    bucket.grantPut(classic, 'incoming/*');
    bucket.grants.read(fn(stack, 'GrantsFacade'));
  },
  'SecureBucket notifying a SecureFunction that reads it and a SecureQueue': (stack, replication) => {
    const bucket = new SecureBucket(stack, 'Bucket', { replication });
    const handler = new SecureFunction(stack, 'Handler', { code: CODE, handler: 'index.handler', environment: { BUCKET: bucket.bucketName } });
    bucket.grantRead(handler);
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(handler), { prefix: 'uploads/', suffix: '.csv' });
    const queue = new SecureQueue(stack, 'Queue');
    bucket.addObjectRemovedNotification(new s3n.SqsDestination(queue));
    bucket.notifyQueue(queue, { events: [s3.EventType.OBJECT_RESTORE_COMPLETED] });
  },
  'SecureUserPool default, with a default client and an OAuth client': stack => {
    const pool = new SecureUserPool(stack, 'Users');
    pool.addClient('Web');
    pool.addClient('Hosted', { oAuth: { callbackUrls: ['https://app.example.com/callback'] } });
  },
  'SecureUserPool with optional MFA, audit-only threat protection, self sign-up and usernames': stack => {
    new SecureUserPool(stack, 'Users', {
      mfa: UserPoolMfa.optional('MFA becomes required once the mobile app ships authenticator enrolment'),
      threatProtection: UserPoolThreatProtection.auditOnly('tuning the risk configuration for two weeks'),
      signUp: UserPoolSignUp.selfService('a public consumer app'),
      signInAliases: { username: true, email: true },
      passwordMinLength: 16,
    });
  },
  'SecureUserPool without threat protection (Essentials plan)': stack => {
    new SecureUserPool(stack, 'Users', { threatProtection: UserPoolThreatProtection.none('price per active user; sign-in sits behind a WAF') });
  },
  'SecureApi authorized by ApiAuthorization.cognito(SecureUserPool)': stack => {
    const pool = new SecureUserPool(stack, 'Users');
    const api = new SecureApi(stack, 'Api', { defaultAuthorization: ApiAuthorization.cognito(pool) });
    api.addRoute('GET', '/orders', fn(stack, 'Handler'));
  },
};
const CASE_NAMES = Object.keys(CASES);

function buildApp(name: string, profile: ComplianceProfile): App {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  new SecurityBaseline(stack, 'SecurityBaseline', { profile });
  CASES[name](stack, profile === ComplianceProfile.REGULATED ? WAIVED : undefined);
  return app;
}

expectKeyUseConditioned(complianceMatrix(CASE_NAMES, buildApp));
