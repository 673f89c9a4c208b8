import { App, Mixins, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TABLE_CASES as CASES, PK } from './data-store-cases';
import { changesOf, hardenedApp, hardenTwice, plainApp, stackOf, statefulIds } from './data-support';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { TableHardening } from '../../src/mixins/table-hardening';
import { SecureTable } from '../../src/table/secure-table';
import { CODE, ENV, HANDLER, sameMembers, statementsOf } from '../core/fixtures';


const TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'];

describe('TableHardening', () => {
  describe('what it changes', () => {
    let plain: Template;
    let hardened: Template;
    let twice: Template;
    let app: App;

    beforeAll(() => {
      const build = (stack: Stack): void => {
        CASES['Table with default props (provisioned, no autoscaling)'](stack);
        CASES['CfnTable and CfnGlobalTable'](stack);
      };
      ({ plain, hardened, twice, app } = hardenTwice(build, profile => new TableHardening({ profile }), ComplianceProfile.REGULATED));
    });

    test('logical ids of the tables are unchanged', () => {
      expect(statefulIds(hardened, TYPES)).toEqual(statefulIds(plain, TYPES));
    });

    test('the key schema is untouched', () => {
      for (const [id, resource] of Object.entries(plain.findResources('AWS::DynamoDB::Table'))) {
        expect(hardened.toJSON().Resources[id].Properties.KeySchema).toEqual(resource.Properties.KeySchema);
      }
    });

    test('applied twice, the template is the same and nothing more is recorded', () => {
      expect(twice.toJSON()).toEqual(hardened.toJSON());
    });

    test('each change is recorded on the table, once', () => {
      expect(changesOf(app, 'TableHardening')).toEqual([
        'S/Table/Resource: encrypted with the baseline customer-managed key',
        'S/Table/Resource: point-in-time recovery turned on',
        'S/Table/Resource: deletion protection turned on',
        'S/Table/Resource: provisioned capacity without autoscaling switched to on-demand billing (HIPAA and NIST ask for autoscaling)',
        'S/Table/Resource: added to the stack\'s AWS Backup plan (daily at 05:00 UTC, kept 35 days)',
        'S/CfnTable: encrypted with the baseline customer-managed key',
        'S/CfnTable: point-in-time recovery turned on',
        'S/CfnTable: deletion protection turned on',
        'S/CfnTable: retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain)',
        'S/CfnTable: added to the stack\'s AWS Backup plan (daily at 05:00 UTC, kept 35 days)',
        'S/GlobalTable: retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain)',
        'S/GlobalTable: encrypted with the baseline customer-managed key, when every replica is in the stack\'s region',
        'S/GlobalTable: every replica: point-in-time recovery and deletion protection turned on',
        'S/GlobalTable: added to the stack\'s AWS Backup plan (daily at 05:00 UTC, kept 35 days)',
      ]);
    });

    test('every table joins the one shared backup selection', () => {
      hardened.resourceCountIs('AWS::Backup::BackupSelection', 1);
      const selection = Object.values(hardened.findResources('AWS::Backup::BackupSelection'))[0];
      expect(selection.Properties.BackupSelection.Resources).toHaveLength(3);
    });
  });

  test('SecureTable and a plain table after the mixin agree on every default they share', () => {
    const settings = (resource: any): object => ({
      sse: resource.Properties.SSESpecification,
      pitr: resource.Properties.PointInTimeRecoverySpecification,
      deletionProtection: resource.Properties.DeletionProtectionEnabled,
      billing: resource.Properties.BillingMode,
      deletionPolicy: resource.DeletionPolicy,
      updateReplacePolicy: resource.UpdateReplacePolicy,
    });
    const app = hardenedApp(stack => {
      new SecureTable(stack, 'Secure', { partitionKey: PK });
      new dynamodb.Table(stack, 'Plain', { partitionKey: PK });
    }, () => new TableHardening(), ComplianceProfile.REGULATED);
    const template = Template.fromStack(stackOf(app)).toJSON().Resources;
    const stack = stackOf(app);
    const id = (path: string): string => stack.resolve((stack.node.findChild(path).node.defaultChild as dynamodb.CfnTable).logicalId);
    expect(settings(template[id('Plain')])).toEqual(settings(template[id('Secure')]));
    expect(settings(template[id('Plain')])).toMatchObject({ deletionProtection: true, pitr: { PointInTimeRecoveryEnabled: true } });
  });

  test('a grant made before the mixin gets the key use it needs, through DynamoDB only, once', () => {
    const app = hardenedApp(CASES['Tables granted with aws-cdk-lib grants before the mixin, and a stream event source'],
      () => new TableHardening(), ComplianceProfile.STANDARD);
    const stack = stackOf(app);
    const template = Template.fromStack(stack);
    const keyArn = stack.resolve(SecurityBaseline.of(stack).key.keyArn);
    const policies = [...Object.values(template.findResources('AWS::IAM::Policy')), ...Object.values(template.findResources('AWS::IAM::ManagedPolicy'))];
    const keyStatements = (fn: string): any[] => policies
      .filter(p => JSON.stringify(p.Properties).includes(fn))
      .flatMap(p => statementsOf(p.Properties.PolicyDocument))
      .filter(s => JSON.stringify(s.Resource) === JSON.stringify(keyArn) && JSON.stringify(s.Condition ?? {}).includes('dynamodb.'));
    const via = (service: string): object => ({ 'Fn::Join': ['', [`${service}.eu-west-1.`, { Ref: 'AWS::URLSuffix' }]] });
    expect(keyStatements('Reader')).toEqual([expect.objectContaining({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': [via('dynamodb'), via('streams.dynamodb')] } },
    })]);
    expect(keyStatements('Writer')).toEqual([expect.objectContaining({
      Action: sameMembers(['kms:Decrypt', 'kms:GenerateDataKey']),
      Condition: { StringEquals: { 'kms:ViaService': via('dynamodb') } },
    })]);
  });

  test('a function in another stack granted the table before the mixin gets the key use too', () => {
    const { app, stack } = plainApp(s => new dynamodb.Table(s, 'Table', { partitionKey: PK, billingMode: dynamodb.BillingMode.PAY_PER_REQUEST }));
    const consumers = new Stack(app, 'Consumers', { env: ENV });
    (stack.node.findChild('Table') as dynamodb.Table).grantReadData(new SecureFunction(consumers, 'Reader', { code: CODE, handler: HANDLER }));
    Mixins.of(app).apply(new TableHardening());
    const statements = Object.values(Template.fromStack(consumers).findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((policy: any) => statementsOf(policy.Properties.PolicyDocument));
    const keyUse = statements.filter((s) => s.Action === 'kms:Decrypt' && s.Condition?.StringEquals?.['kms:ViaService'] !== undefined);
    expect(keyUse).toHaveLength(1);
    // A strong reference imports the key's export; a weak one (new projects' flags) reads the stack's output.
    expect(JSON.stringify(keyUse[0].Resource)).toMatch(/"Fn::(ImportValue|GetStackOutput)".*SecurityBaselineKey/);
  });

  test('a table with its own customer-managed key keeps it', () => {
    const app = hardenedApp(stack => {
      const key = new kms.Key(stack, 'OwnKey', { enableKeyRotation: true });
      new dynamodb.Table(stack, 'Table', { partitionKey: PK, encryptionKey: key, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED });
    }, () => new TableHardening(), ComplianceProfile.STANDARD);
    Template.fromStack(stackOf(app)).hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OwnKey'), 'Arn'] } },
    });
    expect(changesOf(app, 'TableHardening')).not.toContain('S/Table/Resource: encrypted with the baseline customer-managed key');
  });

  test('the library\'s own tables and imported tables are not supported', () => {
    const { stack } = plainApp(() => undefined);
    const mixin = new TableHardening();
    const secure = new SecureTable(stack, 'Secure', { partitionKey: PK });
    expect(mixin.supports(secure)).toBe(false);
    expect(mixin.supports(secure.node.defaultChild!)).toBe(false);
    expect(mixin.supports(dynamodb.Table.fromTableName(stack, 'Imported', 'orders'))).toBe(false);
    expect(mixin.supports(new dynamodb.Table(stack, 'Plain', { partitionKey: PK }))).toBe(true);
  });

  test('a profile other than the stack baseline\'s is our error', () => {
    const { stack } = plainApp(s => new SecurityBaseline(s, 'SecurityBaseline', { profile: ComplianceProfile.STANDARD }));
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: PK });
    expect(() => table.with(new TableHardening({ profile: ComplianceProfile.REGULATED }))).toThrow(
      'S/Table: invalid TableHardening.profile: received "REGULATED"; allowed: the profile of the stack\'s SecurityBaseline (STANDARD), or no profile: one stack is hardened to one bar');
  });

  test('a profile that is not a ComplianceProfile is our error', () => {
    expect(() => new TableHardening({ profile: 'strict' as any })).toThrow(
      'TableHardening: invalid profile: received "strict"; allowed: one of ComplianceProfile: "STANDARD", "REGULATED"');
  });
});
