process.env.CDK_VALIDATION = 'false';

import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { deployed, keyPolicyDecision } from '../api/policy-evaluation';
import { ENV, newStack, onlyResource, partitionArn, statementsOf } from '../core/fixtures';
import { reported } from '../guardrails/support';

const CLOUDFRONT = 'cloudfront.amazonaws.com';

function cloudFrontStatements(template: Template): any[] {
  return statementsOf(onlyResource(template, 'AWS::KMS::Key').resource.Properties.KeyPolicy)
    .filter((s: any) => s.Principal?.Service === CLOUDFRONT);
}

describe('CloudFront with origin access control in front of a SecureBucket on the baseline key', () => {
  // GIVEN a distribution reading a SecureBucket, whose key also encrypts the stack's other data
  const { app, stack } = newStack();
  const bucket = new SecureBucket(stack, 'Site', { bucketName: 'shop-site-111111111111' });
  new cloudfront.Distribution(stack, 'Cdn', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket) } });
  const template = Template.fromStack(stack);
  const statements = cloudFrontStatements(template);

  test('the key admits CloudFront for this account\'s distributions and this bucket\'s data only, instead of aws-cdk-lib\'s distribution/* on everything', () => {
    expect(statements).toEqual([{
      Sid: 'AllowCloudFrontThroughS3',
      Effect: 'Allow',
      Principal: { Service: CLOUDFRONT },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        ArnLike: {
          'aws:SourceArn': partitionArn(':cloudfront::111111111111:distribution/*'),
          'kms:EncryptionContext:aws:s3:arn': partitionArn(':s3:::shop-site-111111111111'),
        },
      },
    }]);
  });

  test('the pack finds nothing to flag on the key policy', () => {
    expect(reported(app, 'KmsKeyPolicy')).toEqual([]);
  });

  test('by evaluation: CloudFront may decrypt this bucket\'s data, not another bucket\'s, and not for another account\'s distribution', async () => {
    const policy = deployed(onlyResource(template, 'AWS::KMS::Key').resource.Properties.KeyPolicy, {}, ENV);
    // S3 names the bucket (with an S3 Bucket Key) in the encryption context of its KMS calls:
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
    const decrypt = (bucketArn: string, distribution: string) => keyPolicyDecision({
      principal: CLOUDFRONT,
      action: 'kms:Decrypt',
      resource: `arn:aws:kms:${ENV.region}:${ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      account: ENV.account,
      context: { 'aws:SourceArn': distribution, 'kms:EncryptionContext:aws:s3:arn': bucketArn, 'aws:SourceAccount': ENV.account },
    }, policy);
    const ours = `arn:aws:cloudfront::${ENV.account}:distribution/E2QWRUHAPOMQZL`;

    expect(await decrypt('arn:aws:s3:::shop-site-111111111111', ours)).toBe('Allowed');
    expect(await decrypt('arn:aws:s3:::orders-exports-111111111111', ours)).toBe('ImplicitlyDenied');
    expect(await decrypt('arn:aws:s3:::shop-site-111111111111', 'arn:aws:cloudfront::222222222222:distribution/E2QWRUHAPOMQZL')).toBe('ImplicitlyDenied');
  });
});

test('a bucket whose name is known only at deployment cannot be narrowed to: the pack flags the statement and names the fix', () => {
  // GIVEN a plain bucket without a name, encrypted with the baseline key, behind CloudFront
  const { app, stack } = newStack();
  const bucket = new s3.Bucket(stack, 'Site', { encryptionKey: SecurityBaseline.of(stack).key, enforceSSL: true });
  new cloudfront.Distribution(stack, 'Cdn', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket) } });

  // THEN aws-cdk-lib's statement stays, pinned to the account, and is a finding
  const statements = cloudFrontStatements(Template.fromStack(stack));
  expect(statements).toHaveLength(1);
  expect(statements[0].Condition.StringEquals).toEqual({ 'aws:SourceAccount': '111111111111' });
  const key = SecurityBaseline.of(stack).key;
  expect(reported(app, 'KmsKeyPolicy')).toEqual([`ServerlessSecurity-KmsKeyPolicy[ServiceUntied::${CLOUDFRONT}] @ ${key.node.path}/Resource`]);
});
