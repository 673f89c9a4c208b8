import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { changesOf, hardenedApp, hardenTwice, stackOf, statefulIds } from './data-support';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { BucketHardening } from '../../src/mixins/bucket-hardening';
import { QueueHardening } from '../../src/mixins/queue-hardening';
import { BucketReplication } from '../../src/storage/bucket-options';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { cfnLintApps, formatLintFindings } from '../compliance/cfn-lint';
import { findingsFor } from '../compliance/harness';
import { PROFILES } from '../compliance/runners';
import { CODE, HANDLER } from '../core/fixtures';

const WAIVER = BucketReplication.waiver('rebuilt from the upstream system of record');

const CASES: Record<string, (stack: Stack) => void> = {
  'Bucket with default props': stack => {
    new s3.Bucket(stack, 'Bucket');
  },
  'Bucket with SSE-S3, enforceSSL, versioning and a lifecycle rule of its own': stack => {
    new s3.Bucket(stack, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ id: 'Archive', transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(90) }] }],
    });
  },
  'Bucket logging to a plain log bucket': stack => {
    const logs = new s3.Bucket(stack, 'Logs');
    new s3.Bucket(stack, 'Bucket', { serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'bucket/' });
  },
  'CfnBucket': stack => {
    new s3.CfnBucket(stack, 'CfnBucket');
  },
  'Bucket with a SecureFunction granted a prefix before the mixin': stack => {
    const bucket = new s3.Bucket(stack, 'Bucket');
    const fn = new SecureFunction(stack, 'Reader', { code: CODE, handler: HANDLER });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('reports/report.json')] }));
  },
  'Bucket notifying a plain queue and a SecureQueue on the baseline key': stack => {
    const bucket = new s3.Bucket(stack, 'Bucket');
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(new sqs.Queue(stack, 'Plain')));
    bucket.addEventNotification(s3.EventType.OBJECT_REMOVED, new s3n.SqsDestination(new SecureQueue(stack, 'Secure')));
  },
};

/** aws-cdk-lib's bucket grants name wildcard actions (`s3:GetObject*`): the user's grants, outside the matrix. */
const GRANTS: Record<string, (stack: Stack) => void> = {
  'Bucket read and written by SecureFunctions through aws-cdk-lib grants before the mixin': stack => {
    const bucket = new s3.Bucket(stack, 'Bucket');
    bucket.grantRead(new SecureFunction(stack, 'Reader', { code: CODE, handler: HANDLER }), 'reports/*');
    bucket.grantPut(new SecureFunction(stack, 'Writer', { code: CODE, handler: HANDLER }), 'uploads/*');
  },
};

const mixins = (profile: ComplianceProfile): [BucketHardening, QueueHardening] =>
  [new BucketHardening({ profile, replication: WAIVER }), new QueueHardening({ profile })];

/** The findings a plain bucket keeps after the mixin: Object Lock, which the mixin never turns on. */
function openFindings(app: App, profile: ComplianceProfile): string[] {
  return findingsFor([app], { profile })[0].map(f => `${f.rule} ${f.path}`).sort();
}

describe('BucketHardening', () => {
  describe('compliance of plain buckets after the mixin', () => {
    const apps = new Map<ComplianceProfile, App[]>();
    const findings = new Map<ComplianceProfile, string[][]>();
    const names = Object.keys(CASES);

    beforeAll(() => {
      for (const profile of PROFILES) apps.set(profile, names.map(name => hardenedApp(CASES[name], mixins, profile)));
      for (const profile of PROFILES) {
        findings.set(profile, findingsFor(apps.get(profile)!, { profile }).map(list => list.map(f => `${f.rule} ${f.path}`).sort()));
      }
    }, 300_000);

    test('cfn-lint finds no error or warning in any template', () => {
      const labelled = new Map(PROFILES.flatMap(profile => names.map((name, i) => [`${name} (${profile})`, apps.get(profile)![i]] as const)));
      expect(formatLintFindings(cfnLintApps(labelled))).toEqual(formatLintFindings([]));
    }, 300_000);

    describe.each(PROFILES)('%s profile', profile => {
      test.each(names)('%s: only Object Lock (CT.S3.PR.9) stays open, on each plain bucket', name => {
        const buckets = Object.entries(Template.fromStack(stackOf(apps.get(profile)![names.indexOf(name)])).findResources('AWS::S3::Bucket'))
          .filter(([id]) => !id.startsWith('SecurityBaseline'))
          .map(([, resource]) => `ControlTower-CT.S3.PR.9 S/${resource.Metadata?.['aws:cdk:path']?.split('/').slice(1).join('/') ?? ''}`);
        expect(findings.get(profile)![names.indexOf(name)]).toEqual(
          findings.get(profile)![names.indexOf(name)].filter(f => f.startsWith('ControlTower-CT.S3.PR.9 ')));
        expect(findings.get(profile)![names.indexOf(name)].length).toBe(buckets.length);
      });
    });
  });

  describe('what it changes', () => {
    const build = (stack: Stack): void => {
      new s3.Bucket(stack, 'Bucket', { removalPolicy: RemovalPolicy.DESTROY });
      new s3.CfnBucket(stack, 'CfnBucket');
    };
    let plain: Template;
    let hardened: Template;
    let twice: Template;
    let app: App;

    beforeAll(() => {
      ({ plain, hardened, twice, app } = hardenTwice(build, mixins, ComplianceProfile.REGULATED));
    });

    test('logical ids and names of the buckets are unchanged', () => {
      const ids = statefulIds(plain, ['AWS::S3::Bucket']);
      expect(statefulIds(hardened, ['AWS::S3::Bucket']).filter(id => !id.startsWith('SecurityBaseline'))).toEqual(ids);
      const name = (template: Template, id: string): unknown => template.toJSON().Resources[id].Properties?.BucketName;
      for (const id of ids) expect(name(hardened, id)).toEqual(name(plain, id));
    });

    test('applied twice, the template is the same', () => {
      expect(twice.toJSON()).toEqual(hardened.toJSON());
    });

    test('each change is recorded on the bucket, once', () => {
      expect(changesOf(app, 'BucketHardening')).toEqual([
        'S/Bucket/Resource: encrypted with the baseline customer-managed key (SSE-KMS with an S3 Bucket Key)',
        'S/Bucket/Resource: public access blocked',
        'S/Bucket/Resource: ACLs disabled (object ownership bucket owner enforced)',
        'S/Bucket/Resource: bucket policy denies requests without TLS 1.2 and principals of other accounts',
        'S/Bucket/Resource: versioning turned on',
        'S/Bucket/Resource: lifecycle: incomplete uploads aborted after 7 days, noncurrent versions expired after 90 days',
        'S/Bucket/Resource: server access logs delivered to S/SecurityBaseline/AccessLogsBucket under SBucket18F3F246/',
        'S/Bucket/Resource: EventBridge notifications turned on',
        'S/Bucket/Resource: retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain)',
        'S/Bucket/Resource: replication waived: rebuilt from the upstream system of record',
        'S/CfnBucket: encrypted with the baseline customer-managed key (SSE-KMS with an S3 Bucket Key)',
        'S/CfnBucket: public access blocked',
        'S/CfnBucket: ACLs disabled (object ownership bucket owner enforced)',
        'S/CfnBucket: bucket policy denies requests without TLS 1.2 and principals of other accounts',
        'S/CfnBucket: versioning turned on',
        'S/CfnBucket: lifecycle: incomplete uploads aborted after 7 days, noncurrent versions expired after 90 days',
        'S/CfnBucket: server access logs delivered to S/SecurityBaseline/AccessLogsBucket under SCfnBucket7F99FFA7/',
        'S/CfnBucket: EventBridge notifications turned on',
        'S/CfnBucket: retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain)',
        'S/CfnBucket: replication waived: rebuilt from the upstream system of record',
      ]);
    });
  });

  test('SecureBucket and a plain bucket after the mixin agree on encryption, access, versioning, lifecycle and policy', () => {
    const app = hardenedApp(stack => {
      new SecureBucket(stack, 'Secure', { replication: WAIVER });
      new s3.Bucket(stack, 'Plain');
    }, mixins, ComplianceProfile.REGULATED);
    const stack = stackOf(app);
    const template = Template.fromStack(stack).toJSON().Resources;
    const settings = (path: string): object => {
      const bucket = stack.node.findChild(path) as s3.Bucket;
      const id = stack.resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId);
      const props = template[id].Properties;
      const policy = Object.values<any>(template).find(r => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties.Bucket).includes(id));
      return {
        encryption: props.BucketEncryption,
        publicAccess: props.PublicAccessBlockConfiguration,
        ownership: props.OwnershipControls,
        versioning: props.VersioningConfiguration,
        lifecycle: props.LifecycleConfiguration,
        logsTo: props.LoggingConfiguration.DestinationBucketName,
        retained: [template[id].DeletionPolicy, template[id].UpdateReplacePolicy],
        // The ARNs differ in form (SecureBucket's is built from its literal name): compare what they cover.
        statements: policy.Properties.PolicyDocument.Statement.map((st: any) => ({ ...st, Resource: [st.Resource].flat().length })),
      };
    };
    expect(settings('Plain')).toEqual(settings('Secure'));
  });

  test('a bucket with autoDeleteObjects is left to be deleted with its stack, and a warning names the fix', () => {
    const app = hardenedApp(stack => new s3.Bucket(stack, 'Bucket', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY }),
      mixins, ComplianceProfile.STANDARD);
    Template.fromStack(stackOf(app)).hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', Properties: { VersioningConfiguration: { Status: 'Enabled' } } });
    Annotations.fromStack(stackOf(app)).hasWarning('/S/Bucket/Resource', Match.stringLikeRegexp('remove autoDeleteObjects: true and removalPolicy: RemovalPolicy.DESTROY'));
  });

  test('a bucket hardened to REGULATED without a replication choice keeps the replication findings, and a warning names the prop', () => {
    const app = hardenedApp(stack => new s3.CfnBucket(stack, 'CfnBucket'), p => new BucketHardening({ profile: p }), ComplianceProfile.REGULATED);
    expect(openFindings(app, ComplianceProfile.REGULATED).filter(f => !f.startsWith('ControlTower-CT.S3.PR.9'))).toEqual([
      'HIPAA.Security-S3BucketReplicationEnabled S/CfnBucket',
      'NIST.800.53.R5-S3BucketReplicationEnabled S/CfnBucket',
      'PCI.DSS.321-S3BucketReplicationEnabled S/CfnBucket',
    ]);
    Annotations.fromStack(stackOf(app)).hasWarning('/S/CfnBucket', Match.stringLikeRegexp('new BucketHardening\\(\\{ replication: BucketReplication.toBucket'));
  });

  test('a read grant made before the mixin gets the key use, through S3, for this bucket', () => {
    const app = hardenedApp(GRANTS['Bucket read and written by SecureFunctions through aws-cdk-lib grants before the mixin'], mixins, ComplianceProfile.STANDARD);
    const stack = stackOf(app);
    const bucketId = stack.resolve((stack.node.findChild('Bucket').node.defaultChild as s3.CfnBucket).logicalId);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ReaderServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          // An object keeps the context it was written with: its own ARN, or the bucket's under an S3 Bucket Key.
          Condition: {
            ArnLike: { 'kms:EncryptionContext:aws:s3:arn': [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }] },
            StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          },
        })]),
      },
    });
  });

  test('the library\'s own buckets, its access log bucket and imported buckets are not supported', () => {
    const app = hardenedApp(stack => new s3.Bucket(stack, 'Plain'), mixins, ComplianceProfile.STANDARD);
    const stack = stackOf(app);
    const mixin = new BucketHardening();
    expect(mixin.supports(new SecureBucket(stack, 'Secure'))).toBe(false);
    expect(mixin.supports(stack.node.findChild('SecurityBaseline').node.findChild('AccessLogsBucket'))).toBe(false);
    expect(mixin.supports(s3.Bucket.fromBucketName(stack, 'Imported', 'some-bucket'))).toBe(false);
    expect(mixin.supports(stack.node.findChild('Plain'))).toBe(true);
  });

  test('a replication that is not a BucketReplication is our error', () => {
    expect(() => new BucketHardening({ replication: 'yes' as any })).toThrow(
      'BucketHardening: invalid replication: received "yes"; allowed: BucketReplication.toBucket(destination) or BucketReplication.waiver(reason)');
  });
});
