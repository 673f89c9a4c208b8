process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA, WAIVER_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { BucketReplication, NoncurrentVersions } from '../../src/storage/bucket-options';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { anyOrder, CODE, ENV, HANDLER, logicalIdOf, managedPolicyStatementsOf, metadataOf, newStack, PARTITION, partitionArn, statementsOf, thrownBy } from '../core/fixtures';

const NAME = 's-uploads-7f776674-111111111111-eu-west-1';
const ARN = partitionArn(`:s3:::${NAME}`);
const objects = (suffix: string) => partitionArn(`:s3:::${NAME}/${suffix}`);

describe('a SecureBucket with grants and notifications', () => {
  let stack: Stack;
  let bucket: SecureBucket;
  let reader: SecureFunction;
  let writer: SecureFunction;
  let classic: SecureFunction;
  let template: Template;

  beforeAll(() => {
    ({ stack } = newStack());
    bucket = new SecureBucket(stack, 'Uploads');
    new SecureBucket(stack, 'Archive', { noncurrentVersions: NoncurrentVersions.keepAll() });
    reader = new SecureFunction(stack, 'Reader', { code: CODE, handler: HANDLER, environment: { BUCKET: bucket.bucketName } });
    writer = new SecureFunction(stack, 'Writer', { code: CODE, handler: HANDLER });
    classic = new SecureFunction(stack, 'Classic', { code: CODE, handler: HANDLER });
    bucket.objectGrants.readObjects(reader, { prefix: 'reports/' });
    bucket.objectGrants.writeObjects(writer, { prefix: 'uploads/' });
    bucket.grantReadWrite(classic);
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(reader), { prefix: 'reports/', suffix: '.csv' });
    bucket.addObjectRemovedNotification(new s3n.SqsDestination(new SecureQueue(stack, 'Removed')));
    template = Template.fromStack(stack);
  });

  test('is encrypted with the baseline key and a bucket key, private, ACL-free, versioned, object-locked, logged and retained', () => {
    expect(bucket.bucketName).toBe(NAME);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: NAME,
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalIdOf(SecurityBaseline.of(stack).key), 'Arn'] } },
          }],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(bucket.accessLogsBucket) }, LogFilePrefix: Match.stringLikeRegexp('^SUploads[0-9A-F]{8}/$') },
        LifecycleConfiguration: {
          Rules: [
            { Id: 'AbortIncompleteMultipartUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
            { Id: 'ExpireNoncurrentVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } },
          ],
        },
      }),
    });
  });

  test('denies other accounts and requests without TLS 1.2', () => {
    const policy = template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: logicalIdOf(bucket) } } });
    const statements = statementsOf(Object.values(policy)[0].Properties.PolicyDocument);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Sid: 'DenyOtherAccounts',
        Effect: 'Deny',
        Action: 's3:*',
        Resource: [ARN, objects('*')],
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': ENV.account }, Bool: { 'aws:PrincipalIsAWSService': 'false' } },
      }),
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
    ]));
  });

  test('two buckets share one SSE-S3 access log bucket that admits log delivery for each bucket only', () => {
    const logBuckets = template.findResources('AWS::S3::Bucket', { Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } } });
    expect(Object.keys(logBuckets)).toEqual([logicalIdOf(bucket.accessLogsBucket)]);
    template.resourceCountIs('AWS::S3::Bucket', 3);
    const policy = template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: logicalIdOf(bucket.accessLogsBucket) } } });
    const delivery = statementsOf(Object.values(policy)[0].Properties.PolicyDocument).filter(s => s.Principal?.Service === 'logging.s3.amazonaws.com');
    expect(delivery).toHaveLength(2);
    expect(delivery[0]).toMatchObject({ Action: 's3:PutObject', Condition: { ArnEquals: { 'aws:SourceArn': ARN }, StringEquals: { 'aws:SourceAccount': ENV.account } } });
  });

  test('keepAll leaves only the multipart upload rule', () => {
    const archive = stack.node.findChild('Archive') as SecureBucket;
    const rules = template.toJSON().Resources[logicalIdOf(archive)].Properties.LifecycleConfiguration.Rules;
    expect(rules.map((r: any) => r.Id)).toEqual(['AbortIncompleteMultipartUploads']);
  });

  test('readObjects grants GetObject under the prefix, a prefix-limited ListBucket and kms:Decrypt through S3 for this bucket', () => {
    const statements = managedPolicyStatementsOf(template, logicalIdOf(reader.role!)).filter(s => JSON.stringify(s).includes(NAME));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('reports/*') },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: ARN, Condition: { StringLike: { 's3:prefix': ['reports/*'] } } },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [logicalIdOf(SecurityBaseline.of(stack).key), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] }, 'kms:EncryptionContext:aws:s3:arn': ARN } },
      },
    ]);
  });

  test('writeObjects grants putting and aborting uploads only, with the data key', () => {
    const statements = managedPolicyStatementsOf(template, logicalIdOf(writer.role!)).filter(s => JSON.stringify(s).includes(NAME));
    expect(statements.map(s => [s.Action].flat().sort())).toEqual([['s3:AbortMultipartUpload', 's3:PutObject'], ['kms:Decrypt', 'kms:GenerateDataKey']]);
    expect(statements[0].Resource).toEqual(objects('uploads/*'));
  });

  test('the classic grantReadWrite names exact actions, never a wildcard action', () => {
    const actions = managedPolicyStatementsOf(template, logicalIdOf(classic.role!))
      .filter(s => JSON.stringify(s).includes(NAME)).flatMap(s => [s.Action].flat());
    // The read and the write grant's key statements differ only in actions: the role's policy folds them into one.
    expect(actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
  });

  test('the object wildcard is acknowledged exactly, on the grantee\'s role, with its reason', () => {
    const ids = metadataOf(reader.role!, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id);
    expect(ids).toContain(`AwsSolutions-IAM5[Resource::arn:${PARTITION}:s3:::${NAME}/reports/*]`);
  });

  test('opens the S3 gateway endpoint to grantees', () => {
    const gateways = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
    expect(gateways.map(g => JSON.stringify(g.Properties.ServiceName))).toEqual(expect.arrayContaining([expect.stringContaining('.s3"')]));
  });

  test('writes notifications into the bucket, after the permission and queue policy they need, with no helper function', () => {
    const resource = template.toJSON().Resources[logicalIdOf(bucket)];
    expect(resource.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
      LambdaConfigurations: [{
        Event: 's3:ObjectCreated:*',
        Function: { 'Fn::GetAtt': [logicalIdOf(reader), 'Arn'] },
        Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'reports/' }, { Name: 'suffix', Value: '.csv' }] } },
      }],
      QueueConfigurations: [{ Event: 's3:ObjectRemoved:*', Queue: { 'Fn::GetAtt': [logicalIdOf(stack.node.findChild('Removed')), 'Arn'] } }],
    });
    expect(resource.DependsOn).toHaveLength(2);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 's3.amazonaws.com', SourceArn: ARN, SourceAccount: ENV.account });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': ARN }, StringEquals: { 'aws:SourceAccount': ENV.account } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 's3.amazonaws.com' }, Action: anyOrder(['kms:GenerateDataKey', 'kms:Decrypt']), Condition: { StringEquals: { 'aws:SourceAccount': ENV.account } },
        })]),
      },
    });
  });
});

describe('replication', () => {
  test('replicates to a SecureBucket with a role of exact statements, re-encrypting with its key', () => {
    const { stack } = newStack();
    const replica = new SecureBucket(stack, 'Replica');
    const bucket = new SecureBucket(stack, 'Bucket', { replication: BucketReplication.toBucket(replica) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Role: { 'Fn::GetAtt': [logicalIdOf(bucket.replicationRole!), 'Arn'] },
        Rules: [Match.objectLike({
          Status: 'Enabled',
          DeleteMarkerReplication: { Status: 'Enabled' },
          Destination: { Bucket: replica.bucketArn && Match.anyValue(), EncryptionConfiguration: { ReplicaKmsKeyID: Match.anyValue() } },
        })],
      },
    });
    const actions = managedPolicyStatementsOf(template, logicalIdOf(bucket.replicationRole!)).flatMap(s => [s.Action].flat());
    expect(actions.every((a: string) => !a.includes('*'))).toBe(true);
    expect(actions).toEqual(expect.arrayContaining(['s3:ReplicateObject', 's3:GetObjectVersionForReplication', 'kms:Decrypt', 'kms:Encrypt']));
  });

  test('a waiver is recorded with its reason and acknowledges exactly the three replication findings', () => {
    const { stack } = newStack();
    const bucket = new SecureBucket(stack, 'Bucket', { replication: BucketReplication.waiver('rebuilt nightly from the orders table') });
    expect(metadataOf(bucket, WAIVER_METADATA)).toEqual([{ setting: 'replication', value: 'waiver', reason: 'rebuilt nightly from the orders table' }]);
    expect(metadataOf(bucket, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id)).toEqual([
      'HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled',
    ]);
  });
});

describe('errors', () => {
  const build = (configure: (stack: Stack) => void, profile = ComplianceProfile.STANDARD) => thrownBy(() => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new SecurityBaseline(stack, 'SecurityBaseline', { profile });
    configure(stack);
  });
  const fn = (stack: Stack) => new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

  test.each([
    ['REGULATED without a replication choice', (stack: Stack) => new SecureBucket(stack, 'B'), ComplianceProfile.REGULATED,
      'S/B: invalid replication: received undefined; allowed: in the REGULATED profile, BucketReplication.toBucket(destination) or BucketReplication.waiver(reason)'],
    ['an invalid name', (stack: Stack) => new SecureBucket(stack, 'B', { bucketName: 'My_Bucket' }), undefined,
      'S/B: invalid bucketName: received "My_Bucket"; allowed: 3 to 63 lowercase letters'],
    ['a public access grant', (stack: Stack) => new SecureBucket(stack, 'B').grantPublicAccess(), undefined,
      'S/B: invalid grantPublicAccess: received "s3:GetObject on *"; allowed: grants to identities of this account'],
    ['an ACL grant', (stack: Stack) => new SecureBucket(stack, 'B').grantPutAcl(fn(stack)), undefined,
      'S/B: invalid grantPutAcl: received "S/Fn on *"; allowed: objectGrants.writeObjects(grantee): ACLs are disabled'],
    ['a key pattern with a wildcard inside', (stack: Stack) => new SecureBucket(stack, 'B').grantRead(fn(stack), 'a*/b*'), undefined,
      'S/B: invalid objectsKeyPattern: received "a*/b*"; allowed: a key prefix followed by one "*"'],
    ['a wildcard action', (stack: Stack) => new SecureBucket(stack, 'B').grantWrite(fn(stack), '*', ['s3:Put*']), undefined,
      'S/B: invalid allowedActionPatterns: received "s3:Put*"; allowed: exact s3 object actions'],
    ['a prefix with a wildcard', (stack: Stack) => new SecureBucket(stack, 'B').objectGrants.readObjects(fn(stack), { prefix: 'a*' }), undefined,
      'S/B: invalid readObjects.prefix: received "a*"; allowed: a key prefix of 1 to 1000 characters without "*" or "?"'],
    ['a prefix with a bracket', (stack: Stack) => new SecureBucket(stack, 'B').objectGrants.readObjects(fn(stack), { prefix: ']' }), undefined,
      'S/B: invalid readObjects.prefix: received "]"; allowed: a key prefix of 1 to 1000 characters without "*" or "?" (nor brackets: [ ] { } ( ) < >)'],
    ['an SNS destination', (stack: Stack) => new SecureBucket(stack, 'B').addObjectCreatedNotification(new s3n.SnsDestination(new sns.Topic(stack, 'T'))), undefined,
      'S/B: invalid destination: received "SnsDestination"; allowed: an s3n.LambdaDestination or s3n.SqsDestination'],
    ['a FIFO queue', (stack: Stack) => new SecureBucket(stack, 'B').notifyQueue(new SecureQueue(stack, 'Q', { fifo: true })), undefined,
      'S/B: invalid queue: received "S/Q"; allowed: a standard queue'],
    ['a noncurrent expiry of part of a day', (stack: Stack) => new SecureBucket(stack, 'B', { noncurrentVersions: NoncurrentVersions.expireAfter(Duration.hours(5)) }), undefined,
      'S/B: invalid noncurrentVersions: received 5 hours; allowed: NoncurrentVersions.expireAfter(Duration.days(n))'],
  ])('%s is our error', (_name, configure, profile, message) => {
    const error = build(configure, profile ?? ComplianceProfile.STANDARD);
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toContain(message);
  });
});
