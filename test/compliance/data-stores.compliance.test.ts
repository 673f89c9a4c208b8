process.env.CDK_VALIDATION = 'false';

import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { expectKeyUseConditioned } from './key-conditions';
import { baselineStackApp, complianceMatrix } from './runners';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureKey } from '../../src/encryption/secure-key';
import { SecureFunction } from '../../src/function/secure-function';
import { HostedRotationEngine, SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { SecureTable } from '../../src/table/secure-table';
import { TableBilling } from '../../src/table/table-billing';

/**
 * SecureTable and SecureSecret, by default and with each documented option, in
 * both profiles, under our pack, the cdk-nag packs of the profile and the
 * Control Tower guard rules. Each case is its own app; the guard rules run
 * once per profile over all of them.
 */

const CODE = lambda.Code.fromInline('exports.handler = async () => 1');
const PK = { name: 'pk', type: dynamodb.AttributeType.STRING };
const LIMITS = { minCapacity: 1, maxCapacity: 10 };

function fn(stack: Stack, id: string): SecureFunction {
  return new SecureFunction(stack, id, { code: CODE, handler: 'index.handler' });
}

const CASES: Record<string, (stack: Stack) => void> = {
  'SecureTable default': stack => {
    new SecureTable(stack, 'Table', { partitionKey: PK });
  },
  'SecureTable with global and local indexes, TTL and contributor insights': stack => {
    new SecureTable(stack, 'Table', {
      partitionKey: PK,
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [{ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } }],
      localSecondaryIndexes: [{ indexName: 'byDate', sortKey: { name: 'date', type: dynamodb.AttributeType.STRING } }],
      timeToLiveAttribute: 'expiresAt',
      contributorInsights: true,
    });
  },
  'SecureTable with a stream and a consumer SecureFunction': stack => {
    const table = new SecureTable(stack, 'Table', { partitionKey: PK, stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES });
    table.addStreamConsumer(fn(stack, 'Consumer'));
  },
  'SecureTable provisioned with autoscaling on the table and an index': stack => {
    new SecureTable(stack, 'Table', {
      partitionKey: PK,
      billing: TableBilling.provisioned({ readCapacity: LIMITS, writeCapacity: { ...LIMITS, targetUtilizationPercent: 50 } }),
      globalSecondaryIndexes: [{ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING }, readCapacity: LIMITS, writeCapacity: LIMITS }],
    });
  },
  'SecureTable with custom backup rules': stack => {
    new SecureTable(stack, 'Table', { partitionKey: PK, backup: { deleteAfter: Duration.days(365), startWindow: Duration.hours(2), completionWindow: Duration.hours(6) } });
  },
  'SecureTables sharing the stack backup plan, one with its own key, beside one with a plan of its own': stack => {
    new SecureTable(stack, 'Orders', { partitionKey: PK });
    new SecureTable(stack, 'Customers', { partitionKey: PK, encryptionKey: new SecureKey(stack, 'CustomersKey') });
    new SecureTable(stack, 'Audit', { partitionKey: PK, backup: { deleteAfter: Duration.days(365) } });
  },
  'SecureTable granted to SecureFunctions (readItems, writeItems, readWriteItems, classic grants)': stack => {
    const table = new SecureTable(stack, 'Table', {
      partitionKey: PK,
      stream: dynamodb.StreamViewType.KEYS_ONLY,
      globalSecondaryIndexes: [{ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } }],
    });
    table.grants.readItems(fn(stack, 'Reader'), { leadingKeys: ['${aws:PrincipalTag/tenant}'] });
    table.grants.writeItems(fn(stack, 'Writer'));
    table.grants.readWriteItems(fn(stack, 'ReadWriter'), { allowScan: true });
    const classic = fn(stack, 'Classic');
    table.grantReadWriteData(classic);
    table.grantStreamRead(classic);
  },
  'SecureSecret with a rotation function': stack => {
    new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.function(fn(stack, 'Rotator')) });
  },
  'SecureSecret with a hosted database rotation': stack => {
    new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.hostedDatabase(HostedRotationEngine.POSTGRESQL) });
  },
  'SecureSecret with a waiver': stack => {
    new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.waiver('issued by the payment provider, which offers no rotation API') });
  },
  'SecureSecret granted to a function (secrets prop and grantRead)': stack => {
    const secret = new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.function(fn(stack, 'Rotator')) });
    new SecureFunction(stack, 'Reader', { code: CODE, handler: 'index.handler', secrets: { API_KEY: secret } });
    secret.grantRead(fn(stack, 'OtherReader'));
  },
};
const CASE_NAMES = Object.keys(CASES);

const buildApp = baselineStackApp(CASES);

const matrix = complianceMatrix(CASE_NAMES, buildApp);
expectKeyUseConditioned(matrix);


test('in the REGULATED profile every table is in a backup plan; in STANDARD only the one given backup props', () => {
  const withBackup = (profile: ComplianceProfile) => CASE_NAMES.filter((_name, i) => {
    const stack = matrix.apps(profile)[i].node.findChild('S') as Stack;
    return stack.node.findAll().some(c => c instanceof SecureTable && c.backupPlan !== undefined);
  });

  expect(withBackup(ComplianceProfile.REGULATED)).toEqual(CASE_NAMES.filter(name => name.startsWith('SecureTable')));
  expect(withBackup(ComplianceProfile.STANDARD)).toEqual(['SecureTable with custom backup rules', 'SecureTables sharing the stack backup plan, one with its own key, beside one with a plan of its own']);
});
