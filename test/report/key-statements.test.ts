process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { tempOutdir } from './fixture';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { SecurityReport } from '../../src/report/security-report';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { ENV, PARTITION } from '../core/fixtures';

describe('the report lists every statement of every key policy, with its principals, conditions and findings', () => {
  // GIVEN CloudFront in front of a SecureBucket (narrowed by the library) and of a plain unnamed bucket (flagged), each on its stack's baseline key
  const outdir = tempOutdir();
  const app = new App({ outdir });
  const narrowed = new Stack(app, 'Site', { env: ENV });
  new cloudfront.Distribution(narrowed, 'Cdn', {
    defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(new SecureBucket(narrowed, 'Assets', { bucketName: 'site-assets-111111111111' })) },
  });
  const flagged = new Stack(app, 'Legacy', { env: ENV });
  const plain = new s3.Bucket(flagged, 'Assets', { encryptionKey: SecurityBaseline.of(flagged).key, enforceSSL: true });
  new cloudfront.Distribution(flagged, 'Cdn', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(plain) } });
  Validations.of(app).addPlugins(new SecurityReport());
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  app.synth();
  write.mockRestore();
  const json = JSON.parse(fs.readFileSync(path.join(outdir, 'security-report.json'), 'utf-8'));
  const markdown = fs.readFileSync(path.join(outdir, 'security-report.md'), 'utf-8');
  const keyOf = (stack: string) => json.stages[0].stacks.find((s: any) => s.path === stack).keys[0];

  test('each statement, Deny included, with every principal and its conditions', () => {
    const statements = keyOf('Site').statements;
    expect(statements.map((s: any) => [s.effect, s.principals])).toEqual(expect.arrayContaining([
      ['Allow', [`arn:${PARTITION}:iam::111111111111:root`]],
      ['Deny', ['*']],
      ['Allow', ['cloudfront.amazonaws.com']],
    ]));
    expect(statements.length).toBeGreaterThan(keyOf('Site').allows.length);
  });

  test('CloudFront\'s statement on a library key is narrowed to this account\'s distributions and the bucket\'s data, and raises nothing', () => {
    const cdn = keyOf('Site').statements.find((s: any) => s.principals.includes('cloudfront.amazonaws.com'));
    expect(cdn).toEqual({
      sid: 'AllowCloudFrontThroughS3',
      effect: 'Allow',
      principals: ['cloudfront.amazonaws.com'],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'aws:SourceArn': `arn:${PARTITION}:cloudfront::111111111111:distribution/*`,
          'kms:EncryptionContext:aws:s3:arn': `arn:${PARTITION}:s3:::site-assets-111111111111`,
        },
      },
      findings: [],
    });
  });

  test('one the library cannot narrow is listed with its finding, in the JSON and the Markdown', () => {
    const cdn = keyOf('Legacy').statements.find((s: any) => s.principals.includes('cloudfront.amazonaws.com'));
    expect(cdn.findings).toEqual(['ServerlessSecurity-KmsKeyPolicy[ServiceUntied::cloudfront.amazonaws.com]']);
    expect(markdown).toContain('#### Key policy of `Legacy/SecurityBaseline/Key`');
    expect(markdown).toContain('`ServerlessSecurity-KmsKeyPolicy[ServiceUntied::cloudfront.amazonaws.com]`');
  });
});
