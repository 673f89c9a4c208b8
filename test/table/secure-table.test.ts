process.env.CDK_VALIDATION = 'false';

import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureKey } from '../../src/encryption/secure-key';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureTable, SecureTableProps } from '../../src/table/secure-table';
import { TableBilling } from '../../src/table/table-billing';
import {
  CODE, HANDLER, logicalIdOf, logicalIds, managedPolicyStatementsOf, metadataOf, newStack, onlyResource, thrownBy,
} from '../core/fixtures';

const PK = { name: 'pk', type: dynamodb.AttributeType.STRING };
const SK = { name: 'sk', type: dynamodb.AttributeType.STRING };
const LIMITS = { minCapacity: 2, maxCapacity: 20 };

function errorOf(props: Partial<SecureTableProps>): Error {
  const { stack } = newStack();
  return thrownBy(() => new SecureTable(stack, 'Table', { partitionKey: PK, ...props } as SecureTableProps));
}

describe('SecureTable defaults', () => {
  // GIVEN one table with defaults, synthesized once
  const { stack } = newStack();
  const table = new SecureTable(stack, 'Table', { partitionKey: PK });
  const template = Template.fromStack(stack);
  const { resource } = onlyResource(template, 'AWS::DynamoDB::Table');
  const keyId = logicalIdOf(SecurityBaseline.of(stack).key);

  test('is an AWS::DynamoDB::Table encrypted with the baseline key', () => {
    expect(resource.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(table.key).toBe(SecurityBaseline.of(stack).key);
    expect(table.encryptionKey).toBe(table.key);
  });

  test('has point-in-time recovery and deletion protection, and is retained', () => {
    expect(resource.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('is billed on demand, without autoscaling', () => {
    expect(resource.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(resource.Properties.ProvisionedThroughput).toBeUndefined();
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    expect(table.billing.isProvisioned).toBe(false);
  });

  test('has no stream, TTL, index or contributor insights unless asked', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: Match.absent(),
      TimeToLiveSpecification: Match.absent(),
      GlobalSecondaryIndexes: Match.absent(),
      LocalSecondaryIndexes: Match.absent(),
      ContributorInsightsSpecification: Match.absent(),
    });
  });

  test('in the STANDARD profile, is in no backup plan, and creates no network', () => {
    template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    expect(table.backupPlan).toBeUndefined();
    expect(table.backupVault).toBeUndefined();
  });

  test('adds exactly one table and the shared key and alias', () => {
    expect(Object.values(template.toJSON().Resources).map((r: any) => r.Type).sort())
      .toEqual(['AWS::DynamoDB::Table', 'AWS::KMS::Alias', 'AWS::KMS::Key']);
  });

  test('fits aws-cdk-lib APIs that take a dynamodb.ITable', () => {
    const asITable: dynamodb.ITable = table;

    expect(asITable.tableArn).toBe(table.tableArn);
  });
});

describe('SecureTable options', () => {
  test('keys, name, key, TTL, contributor insights, table class and stream are passed on', () => {
    // GIVEN
    const { stack } = newStack();
    const key = new SecureKey(stack, 'OwnKey');

    // WHEN
    new SecureTable(stack, 'Table', {
      partitionKey: PK,
      sortKey: SK,
      tableName: 'orders',
      encryptionKey: key,
      timeToLiveAttribute: 'expiresAt',
      contributorInsights: true,
      tableClass: dynamodb.TableClass.STANDARD_INFREQUENT_ACCESS,
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      TableName: 'orders',
      SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] } },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      ContributorInsightsSpecification: { Enabled: true },
      TableClass: 'STANDARD_INFREQUENT_ACCESS',
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
  });

  test('global and local secondary indexes are created, from props and by method', () => {
    const { stack } = newStack();
    const table = new SecureTable(stack, 'Table', {
      partitionKey: PK,
      sortKey: SK,
      globalSecondaryIndexes: [{ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } }],
      localSecondaryIndexes: [{ indexName: 'byDate', sortKey: { name: 'date', type: dynamodb.AttributeType.STRING } }],
    });

    table.addGlobalIndex({
      indexName: 'byStatus',
      partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: ['total'],
    });
    table.addGlobalSecondaryIndex({ indexName: 'byRegion', partitionKey: { name: 'region', type: dynamodb.AttributeType.STRING } });

    const { resource } = onlyResource(Template.fromStack(stack), 'AWS::DynamoDB::Table');
    expect(resource.Properties.GlobalSecondaryIndexes.map((i: any) => i.IndexName)).toEqual(['byCustomer', 'byStatus', 'byRegion']);
    expect(resource.Properties.LocalSecondaryIndexes.map((i: any) => i.IndexName)).toEqual(['byDate']);
    expect(resource.Properties.GlobalSecondaryIndexes[1].Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['total'] });
  });
});

describe('SecureTable provisioned billing', () => {
  // GIVEN a provisioned table with one index, synthesized once
  const { stack } = newStack();
  const table = new SecureTable(stack, 'Table', {
    partitionKey: PK,
    billing: TableBilling.provisioned({ readCapacity: LIMITS, writeCapacity: { minCapacity: 1, maxCapacity: 5, targetUtilizationPercent: 50 } }),
    globalSecondaryIndexes: [{
      indexName: 'byCustomer',
      partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING },
      readCapacity: { minCapacity: 3, maxCapacity: 30 },
      writeCapacity: { minCapacity: 4, maxCapacity: 40 },
    }],
  });
  const template = Template.fromStack(stack);
  const tableId = logicalIdOf(table);

  test('starts at the minimum capacities', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: Match.absent(),
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 1 },
      GlobalSecondaryIndexes: [Match.objectLike({ ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 } })],
    });
  });

  test.each([
    ['table', 'ReadCapacityUnits', 2, 20],
    ['table', 'WriteCapacityUnits', 1, 5],
    ['index/byCustomer', 'ReadCapacityUnits', 3, 30],
    ['index/byCustomer', 'WriteCapacityUnits', 4, 40],
  ])('autoscales the %s %s between %d and %d', (target, unit, min, max) => {
    const kind = target === 'table' ? 'table' : 'index';
    const resourceId = target === 'table'
      ? { 'Fn::Join': ['', ['table/', { Ref: tableId }]] }
      : { 'Fn::Join': ['', ['table/', { Ref: tableId }, '/index/byCustomer']] };
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'dynamodb',
      ScalableDimension: `dynamodb:${kind}:${unit}`,
      ResourceId: resourceId,
      MinCapacity: min,
      MaxCapacity: max,
    });
  });

  test('tracks 70 % utilization unless told otherwise', () => {
    const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
      .map((p: any) => p.Properties.TargetTrackingScalingPolicyConfiguration.TargetValue).sort();
    expect(targets).toEqual([50, 70, 70, 70]);
  });

  test('an index added without autoscaling limits is refused', () => {
    const error = thrownBy(() => table.addGlobalSecondaryIndex({ indexName: 'byStatus', partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING } }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Table: invalid globalSecondaryIndexes[1]: received "byStatus"; allowed: addGlobalIndex({ ..., readCapacity, writeCapacity }): every index of a provisioned table is autoscaled');
  });
});

describe('SecureTable backup', () => {
  // GIVEN two tables in the REGULATED profile, synthesized once
  const { stack } = newStack();
  const baseline = new SecurityBaseline(stack, 'SecurityBaseline', { profile: ComplianceProfile.REGULATED });
  const table = new SecureTable(stack, 'Table', { partitionKey: PK });
  const other = new SecureTable(stack, 'Other', { partitionKey: PK });
  const template = Template.fromStack(stack);
  const keyArn = { 'Fn::GetAtt': [logicalIdOf(baseline.key), 'Arn'] };
  const tableArn = { 'Fn::GetAtt': [logicalIdOf(table), 'Arn'] };
  const otherArn = { 'Fn::GetAtt': [logicalIdOf(other), 'Arn'] };
  const { id: roleId, resource: role } = onlyResource(template, 'AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })] } } });

  test('the stack has one vault, encrypted with the baseline key and retained, shared by both tables', () => {
    template.resourceCountIs('AWS::Backup::BackupVault', 1);
    template.hasResource('AWS::Backup::BackupVault', {
      Properties: { EncryptionKeyArn: keyArn },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(table.backupVault).toBeDefined();
    expect(other.backupVault).toBe(table.backupVault);
    expect(other.backupPlan).toBe(table.backupPlan);
  });

  test('the one plan backs up daily at 05:00 UTC and keeps backups 35 days', () => {
    const { resource: plan } = onlyResource(template, 'AWS::Backup::BackupPlan');
    expect(plan.Properties.BackupPlan.BackupPlanRule).toEqual([{
      RuleName: 'Scheduled',
      ScheduleExpression: 'cron(0 5 * * ? *)',
      Lifecycle: { DeleteAfterDays: 35 },
      StartWindowMinutes: 60,
      CompletionWindowMinutes: 480,
      TargetBackupVault: { 'Fn::GetAtt': [logicalIdOf(table.backupVault!), 'BackupVaultName'] },
    }]);
  });

  test('one selection names both tables and the plan\'s role, after its policy exists', () => {
    const { resource: selection } = onlyResource(template, 'AWS::Backup::BackupSelection');
    expect(selection.Properties.BackupSelection).toEqual({ SelectionName: 'Tables', Resources: [tableArn, otherArn], IamRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    expect(selection.DependsOn).toEqual(logicalIds(template, 'AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: roleId }] } }));
  });

  test('the tables keep their logical ids', () => {
    expect([logicalIdOf(table), logicalIdOf(other)]).toEqual([expect.stringMatching(/^Table[0-9A-F]{8}$/), expect.stringMatching(/^Other[0-9A-F]{8}$/)]);
  });

  test('the role has no AWS-managed and no inline policy; its customer-managed policy names these tables, the vault and the key only', () => {
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const statements = managedPolicyStatementsOf(template, roleId);
    expect(statements.map(s => s.Sid)).toEqual([
      'UseTheVault', 'BackUpTable', 'ManageTableBackups', 'DescribeTheKey', 'GrantsForAwsResourcesOnly', 'BackUpTable2', 'ManageTableBackups2',
    ]);
    expect(statements.map(s => s.Resource)).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(table.backupVault!), 'BackupVaultArn'] },
      tableArn, { 'Fn::Join': ['', [tableArn, '/backup/*']] }, keyArn, keyArn,
      otherArn, { 'Fn::Join': ['', [otherArn, '/backup/*']] },
    ]);
    expect(statements[4]).toMatchObject({ Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } });
  });

  test('acknowledges exactly the backup-ARN pattern finding of each table, with its reason', () => {
    const policy = baseline.node.findChild('TableBackup').node.findChild('BackupRole').node.findChild('Policy');
    expect(metadataOf(policy, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([table, other].map(t => (
      { id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(t)}.Arn>/backup/*]`, reason: expect.stringMatching(/backup.{20,}/) })));
  });

  test('a table with backup props gets a plan of its own with those rules, named apart from the shared one', () => {
    const { stack: s } = newStack();
    new SecurityBaseline(s, 'SecurityBaseline', { profile: ComplianceProfile.REGULATED });

    const shared = new SecureTable(s, 'Orders', { partitionKey: PK });
    const own = new SecureTable(s, 'Customers', { partitionKey: PK, backup: { deleteAfter: Duration.days(90) } });

    const t = Template.fromStack(s);
    expect(own.backupPlan).not.toBe(shared.backupPlan);
    const plans = Object.values(t.findResources('AWS::Backup::BackupPlan')).map((p: any) => p.Properties.BackupPlan);
    expect(plans.map(p => [p.BackupPlanName, p.BackupPlanRule[0].Lifecycle.DeleteAfterDays])).toEqual([
      [expect.stringMatching(/^S-SecurityBaseline-TableBackup-/), 35], [expect.stringMatching(/^S-Customers-/), 90],
    ]);
    const selections = Object.values(t.findResources('AWS::Backup::BackupSelection')).map((r: any) => r.Properties.BackupSelection.Resources);
    expect(selections).toEqual([[{ 'Fn::GetAtt': [logicalIdOf(shared), 'Arn'] }], [{ 'Fn::GetAtt': [logicalIdOf(own), 'Arn'] }]]);
    t.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': [logicalIdOf(own.key), 'Arn'] } });
  });

  test('backup props in the STANDARD profile create a plan with those rules', () => {
    const { stack: s } = newStack();

    new SecureTable(s, 'Table', {
      partitionKey: PK,
      backup: { schedule: events.Schedule.cron({ minute: '30', hour: '2' }), deleteAfter: Duration.days(90), startWindow: Duration.hours(2), completionWindow: Duration.hours(4) },
    });

    Template.fromStack(s).hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(30 2 * * ? *)', Lifecycle: { DeleteAfterDays: 90 }, StartWindowMinutes: 120, CompletionWindowMinutes: 240 })] },
    });
  });
});

describe('SecureTable.addStreamConsumer', () => {
  // GIVEN a table with a stream and a consumer
  const { stack } = newStack();
  const table = new SecureTable(stack, 'Table', { partitionKey: PK, stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES });
  const consumer = new SecureFunction(stack, 'Consumer', { code: CODE, handler: HANDLER });

  // WHEN
  const source = table.addStreamConsumer(consumer, { batchSize: 50 });
  const template = Template.fromStack(stack);

  test('maps the stream with item failures reported, batches split and retried 3 times, then sent to the dead-letter queue', () => {
    expect(source).toBeInstanceOf(sources.DynamoEventSource);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(table), 'StreamArn'] },
      FunctionName: { Ref: logicalIdOf(consumer) },
      StartingPosition: 'LATEST',
      BatchSize: 50,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(consumer.deadLetterQueue!), 'Arn'] } } },
    });
  });

  test('the consumer may read the stream and decrypt it, and nothing on the table', () => {
    const statements = managedPolicyStatementsOf(template, logicalIdOf(consumer.role!));
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      Resource: { 'Fn::GetAtt': [logicalIdOf(table), 'StreamArn'] },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [logicalIdOf(table.key), 'Arn'] },
      Condition: {
        StringEquals: {
          'kms:ViaService': [
            'dynamodb.eu-west-1.amazonaws.com',
            'streams.dynamodb.eu-west-1.amazonaws.com',
          ],
        },
      },
    });
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:(GetItem|Query|Scan|PutItem|ListStreams)/);
  });

  test('on a table without a stream throws our error', () => {
    const { stack: s } = newStack();
    const plain = new SecureTable(s, 'Table', { partitionKey: PK });
    const fn = new SecureFunction(s, 'Fn', { code: CODE, handler: HANDLER });

    const error = thrownBy(() => plain.addStreamConsumer(fn));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Table: invalid stream: received undefined; allowed: a dynamodb.StreamViewType: addStreamConsumer needs the table\'s stream');
  });

  test('aws-cdk-lib\'s DynamoEventSource grants through the narrowed grantStreamRead', () => {
    const { stack: s } = newStack();
    const t = new SecureTable(s, 'Table', { partitionKey: PK, stream: dynamodb.StreamViewType.KEYS_ONLY });
    const fn = new lambda.Function(s, 'Plain', { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST });

    fn.addEventSource(new sources.DynamoEventSource(t, { startingPosition: lambda.StartingPosition.LATEST }));

    const policy = JSON.stringify(Template.fromStack(s).findResources('AWS::IAM::Policy'));
    expect(policy).not.toMatch(/ListStreams|kms:DescribeKey|\*/);
  });
});

describe('SecureTable bad input', () => {
  const provisionedWith = (read: unknown, write: unknown) =>
    TableBilling.provisioned({ readCapacity: read, writeCapacity: write } as any);

  test.each<[string, Partial<SecureTableProps>, string]>([
    ['no partition key', { partitionKey: undefined },
      'S/Table: invalid partitionKey: received undefined; allowed: an attribute { name, type } with a name of 1 to 255 letters, digits, "_", "-" or "." and a dynamodb.AttributeType'],
    ['a sort key without a type', { sortKey: { name: 'sk' } as dynamodb.Attribute },
      'S/Table: invalid sortKey.type: received undefined; allowed: dynamodb.AttributeType.STRING, NUMBER or BINARY'],
    ['a sort key named like the partition key', { sortKey: { name: 'pk', type: dynamodb.AttributeType.NUMBER } },
      'S/Table: invalid sortKey.name: received "pk"; allowed: a name other than the partition key\'s'],
    ['provisioned without read limits', { billing: provisionedWith(undefined, LIMITS) },
      'S/Table: invalid billing.readCapacity: received undefined; allowed: autoscaling limits { minCapacity, maxCapacity } (provisioned capacity is always autoscaled)'],
    ['provisioned without a maximum', { billing: provisionedWith(LIMITS, { minCapacity: 1 }) },
      'S/Table: invalid billing.writeCapacity.maxCapacity: received undefined; allowed: an integer from 1 to 1000000 capacity units'],
    ['provisioned with a maximum under the minimum', { billing: provisionedWith({ minCapacity: 10, maxCapacity: 5 }, LIMITS) },
      'S/Table: invalid billing.readCapacity.maxCapacity: received 5; allowed: at least minCapacity (10)'],
    ['provisioned with a 95 % target', { billing: provisionedWith({ ...LIMITS, targetUtilizationPercent: 95 }, LIMITS) },
      'S/Table: invalid billing.readCapacity.targetUtilizationPercent: received 95; allowed: an integer from 20 to 90 percent'],
    ['a provisioned index without limits', {
      billing: provisionedWith(LIMITS, LIMITS),
      globalSecondaryIndexes: [{ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING }, readCapacity: LIMITS }],
    }, 'S/Table: invalid globalSecondaryIndexes[0].writeCapacity: received undefined; allowed: autoscaling limits { minCapacity, maxCapacity } (provisioned capacity is always autoscaled)'],
    ['limits on an index of an on-demand table', {
      globalSecondaryIndexes: [{ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING }, readCapacity: LIMITS }],
    }, 'S/Table: invalid globalSecondaryIndexes[0].readCapacity: received {"minCapacity":2,"maxCapacity":20}; allowed: none: the table is on demand; use TableBilling.provisioned(...) to autoscale capacity'],
    ['a TTL attribute with a space', { timeToLiveAttribute: 'expires at' },
      'S/Table: invalid timeToLiveAttribute: received "expires at"; allowed: 1 to 255 letters, digits, "_", "-" or ".", naming a number attribute that holds epoch seconds'],
    ['an empty TTL attribute', { timeToLiveAttribute: '' },
      'S/Table: invalid timeToLiveAttribute: received ""; allowed: 1 to 255 letters, digits, "_", "-" or ".", naming a number attribute that holds epoch seconds'],
    ['the partition key as TTL attribute', { timeToLiveAttribute: 'pk' },
      'S/Table: invalid timeToLiveAttribute: received "pk"; allowed: an attribute that is not part of the table\'s key'],
    ['a table name of two characters', { tableName: 'ab' },
      'S/Table: invalid tableName: received "ab"; allowed: 3 to 255 letters, digits, "_", "-" or "."'],
    ['a local index on a table without sort key', { localSecondaryIndexes: [{ indexName: 'byDate', sortKey: SK }] },
      'S/Table: invalid localSecondaryIndexes[0]: received "byDate"; allowed: local secondary indexes only on a table with a sort key'],
    ['two indexes of the same name', {
      sortKey: SK,
      globalSecondaryIndexes: [{ indexName: 'byX', partitionKey: { name: 'x', type: dynamodb.AttributeType.STRING } }],
      localSecondaryIndexes: [{ indexName: 'byX', sortKey: { name: 'y', type: dynamodb.AttributeType.STRING } }],
    }, 'S/Table: invalid localSecondaryIndexes[0].indexName: received "byX"; allowed: a name no other index of the table has'],
    ['an index key redefining a table key type', {
      globalSecondaryIndexes: [{ indexName: 'byPk', partitionKey: { name: 'pk', type: dynamodb.AttributeType.NUMBER } }],
    }, 'S/Table: invalid globalSecondaryIndexes[0].partitionKey: received {"name":"pk","type":"N"}; allowed: the type the table already gives attribute "pk" (STRING)'],
    ['a local index sorted by the partition key', { sortKey: SK, localSecondaryIndexes: [{ indexName: 'byPk', sortKey: PK }] },
      'S/Table: invalid localSecondaryIndexes[0].sortKey.name: received "pk"; allowed: a name other than the table partition key\'s (a local index shares it)'],
    ['a global index whose sort key is its partition key', {
      globalSecondaryIndexes: [{ indexName: 'byX', partitionKey: { name: 'x', type: dynamodb.AttributeType.STRING }, sortKey: { name: 'x', type: dynamodb.AttributeType.STRING } }],
    }, 'S/Table: invalid globalSecondaryIndexes[0].sortKey.name: received "x"; allowed: a name other than the index partition key\'s'],
    ['INCLUDE without attributes', {
      globalSecondaryIndexes: [{ indexName: 'byX', partitionKey: { name: 'x', type: dynamodb.AttributeType.STRING }, projectionType: dynamodb.ProjectionType.INCLUDE }],
    }, 'S/Table: invalid globalSecondaryIndexes[0].nonKeyAttributes: received undefined; allowed: at least one attribute name with ProjectionType.INCLUDE'],
    ['a billing that is not a TableBilling', { billing: { provisionedCapacity: LIMITS } as any },
      'S/Table: invalid billing: received {"provisionedCapacity":{"minCapacity":2,"maxCapacity":20}}; allowed: TableBilling.onDemand() or TableBilling.provisioned({ readCapacity, writeCapacity })'],
  ])('%s throws our error', (_label, props, message) => {
    const error = errorOf(props);

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(message);
  });

  test('the error names the construct path below nested scopes', () => {
    const { stack } = newStack();
    const error = thrownBy(() => new SecureTable(new Stack(stack, 'Nested'), 'Orders', { partitionKey: { name: 'pk' } as dynamodb.Attribute }));

    expect(error.message).toBe('S/Nested/Orders: invalid partitionKey.type: received undefined; allowed: dynamodb.AttributeType.STRING, NUMBER or BINARY');
  });

  test('a backup schedule that is not cron throws our error', () => {
    const error = errorOf({ backup: { schedule: events.Schedule.rate(Duration.days(1)) } });

    expect(error.message).toBe('S/Table: invalid backup.schedule: received "rate(1 day)"; allowed: a cron schedule, e.g. events.Schedule.cron({ minute: "0", hour: "5" })');
  });

  test('a backup completion window that ends within an hour of the start window throws our error', () => {
    const error = errorOf({ backup: { startWindow: Duration.hours(3), completionWindow: Duration.hours(3) } });

    expect(error.message).toBe('S/Table: invalid backup.completionWindow: received 3 hours; allowed: a whole number of hours from 4 to 16800');
  });
});
