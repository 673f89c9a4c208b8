import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NoncurrentVersions } from './bucket-options';

/**
 * What every bucket the library builds or hardens has, defined once for
 * SecureBucket and BucketHardening so the two cannot drift.
 */
export const BUCKET_DEFAULTS = {
  /** The oldest TLS version a request may use. */
  minimumTlsVersion: 1.2,
  /** How long an incomplete multipart upload is kept before it is aborted. */
  abortIncompleteUploadsAfter: Duration.days(7),
  /** How long noncurrent versions are kept. */
  noncurrentVersions: NoncurrentVersions.NINETY_DAYS,
} as const;

/** The findings of a bucket that does not replicate, in the strict packs. */
export const REPLICATION_FINDINGS = [
  'HIPAA.Security-S3BucketReplicationEnabled',
  'NIST.800.53.R5-S3BucketReplicationEnabled',
  'PCI.DSS.321-S3BucketReplicationEnabled',
];

/** The lifecycle rules of a versioned bucket: incomplete uploads aborted, noncurrent versions expired. */
export function bucketLifecycleRules(noncurrent: NoncurrentVersions): s3.LifecycleRule[] {
  return [
    { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: BUCKET_DEFAULTS.abortIncompleteUploadsAfter },
    ...noncurrent.expiration ? [{
      id: 'ExpireNoncurrentVersions',
      noncurrentVersionExpiration: noncurrent.expiration,
      noncurrentVersionsToRetain: noncurrent.keepNewest,
    }] : [],
  ];
}

/** The same rules as an `AWS::S3::Bucket` renders them, for a bucket without an L2. */
export function bucketLifecycleRulesCfn(noncurrent: NoncurrentVersions): s3.CfnBucket.RuleProperty[] {
  return bucketLifecycleRules(noncurrent).map(rule => ({
    id: rule.id,
    status: 'Enabled',
    abortIncompleteMultipartUpload: rule.abortIncompleteMultipartUploadAfter
      ? { daysAfterInitiation: rule.abortIncompleteMultipartUploadAfter.toDays() } : undefined,
    noncurrentVersionExpiration: rule.noncurrentVersionExpiration
      ? { noncurrentDays: rule.noncurrentVersionExpiration.toDays(), newerNoncurrentVersions: rule.noncurrentVersionsToRetain } : undefined,
  }));
}

/**
 * The statements aws-cdk-lib writes for `enforceSSL: true` and
 * `minimumTLSVersion`, which SecureBucket uses, so a bucket a mixin hardens
 * carries the same ones.
 */
export function tlsOnlyStatements(bucketArn: string): iam.PolicyStatement[] {
  const deny = (conditions: Record<string, Record<string, unknown>>): iam.PolicyStatement => new iam.PolicyStatement({
    actions: ['s3:*'],
    conditions,
    effect: iam.Effect.DENY,
    resources: [bucketArn, `${bucketArn}/*`],
    principals: [new iam.AnyPrincipal()],
  });
  return [
    deny({ Bool: { 'aws:SecureTransport': 'false' } }),
    deny({ NumericLessThan: { 's3:TlsVersion': BUCKET_DEFAULTS.minimumTlsVersion } }),
  ];
}
