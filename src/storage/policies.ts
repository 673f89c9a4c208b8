import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Denies every principal of another account any action on the bucket and its
 * objects, while AWS services acting for this account (server access log
 * delivery, replication) stay allowed by the statements that name them.
 */
export function closeToOtherAccounts(bucket: s3.Bucket, bucketArn: string): void {
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyOtherAccounts',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:*'],
    resources: [bucketArn, `${bucketArn}/*`],
    conditions: {
      StringNotEquals: { 'aws:PrincipalAccount': Stack.of(bucket).account },
      Bool: { 'aws:PrincipalIsAWSService': 'false' },
    },
  }));
}
