import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REPLICATION_FINDINGS } from './bucket-defaults';
import { BucketReplication } from './bucket-options';
import { acknowledgeFindings, recordWaiver } from '../core/acknowledgements';
import { s3EncryptionContext, viaService } from '../encryption/key-conditions';
import { renderText } from '../guardrails/cfn-values';
import { PolicyRole } from '../iam/policy-role';

/**
 * Applies a replication choice to a bucket, for SecureBucket and
 * BucketHardening alike: a waiver is recorded and acknowledges the strict packs'
 * replication findings with its reason; a destination gets a role of its own
 * (`ReplicationRole` in `scope`) that reads this bucket's new versions and writes
 * their replicas, with exact actions and keys used through S3 only.
 *
 * @returns the replication role, or undefined for a waiver
 */
export function applyReplication(
  scope: Construct, bucket: s3.CfnBucket, bucketArn: string, key: kms.IKey, replication: BucketReplication,
): iam.IRole | undefined {
  if (replication.waiverReason !== undefined) {
    recordWaiver(scope, 'replication', 'waiver', replication.waiverReason);
    acknowledgeFindings(scope, REPLICATION_FINDINGS, `replication waived: ${replication.waiverReason}`);
    return undefined;
  }
  const destination = replication.destination!;
  const stack = Stack.of(scope);
  const role = new PolicyRole(scope, 'ReplicationRole', {
    assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
    description: `Replication of ${scope.node.path}`,
  });
  const objects = `${bucketArn}/*`;
  const replicas = destination.arnForObjects('*');
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [bucketArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
    resources: [objects],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: [replicas] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': viaService(stack, 's3') }, ...s3EncryptionContext(bucketArn) },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
    resources: [replication.destinationKey!.keyArn],
    conditions: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' }, ArnLike: { 'kms:EncryptionContext:aws:s3:arn': [destination.bucketArn, replicas] } },
  }));
  for (const policy of role.policies) {
    acknowledgeFindings(policy, [objects, replicas].map(arn => `AwsSolutions-IAM5[Resource::${renderText(stack.resolve(arn))}]`),
      `replication reads every new object version of ${scope.node.path} and writes its replica: S3 object ARNs name keys by wildcard; the actions are exact`);
  }
  // The acknowledgement covers the statements above only: what others add to the role lands in a policy of its own.
  role._reserveForLibrary();
  bucket.replicationConfiguration = {
    role: role.roleArn,
    rules: [{
      id: 'ReplicateEverything',
      status: 'Enabled',
      priority: 1,
      filter: { prefix: '' },
      deleteMarkerReplication: { status: 'Enabled' },
      sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
      destination: { bucket: destination.bucketArn, encryptionConfiguration: { replicaKmsKeyId: replication.destinationKey!.keyArn } },
    }],
  };
  return role;
}
