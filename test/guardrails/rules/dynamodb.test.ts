import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { reported, testStack } from '../support';

const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };

describe('DynamoDBTableKey and DynamoDBTableDeletionProtection', () => {
  test('pass a Table with a customer-managed key and deletion protection', () => {
    const { app, stack } = testStack();
    new dynamodb.Table(stack, 'Table', {
      partitionKey,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: new kms.Key(stack, 'Key'),
      deletionProtection: true,
    });

    expect(reported(app, 'DynamoDBTableKey')).toEqual([]);
    expect(reported(app, 'DynamoDBTableDeletionProtection')).toEqual([]);
  });

  test('report a Table with the default or an AWS-managed key and no deletion protection', () => {
    const { app, stack } = testStack();
    new dynamodb.Table(stack, 'Default', { partitionKey });
    new dynamodb.Table(stack, 'AwsManaged', { partitionKey, encryption: dynamodb.TableEncryption.AWS_MANAGED, deletionProtection: false });
    new dynamodb.CfnTable(stack, 'AliasAws', {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
      sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: 'alias/aws/dynamodb' },
      deletionProtectionEnabled: true,
    });

    expect(reported(app, 'DynamoDBTableKey')).toEqual([
      'ServerlessSecurity-DynamoDBTableKey @ Test/AliasAws',
      'ServerlessSecurity-DynamoDBTableKey @ Test/AwsManaged/Resource',
      'ServerlessSecurity-DynamoDBTableKey @ Test/Default/Resource',
    ]);
    expect(reported(app, 'DynamoDBTableDeletionProtection')).toEqual([
      'ServerlessSecurity-DynamoDBTableDeletionProtection @ Test/AwsManaged/Resource',
      'ServerlessSecurity-DynamoDBTableDeletionProtection @ Test/Default/Resource',
    ]);
  });

  test('pass a TableV2 (GlobalTable) with a customer-managed key and deletion protection on every replica', () => {
    const { app, stack } = testStack();
    new dynamodb.TableV2(stack, 'Table', {
      partitionKey,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(new kms.Key(stack, 'Key')),
      deletionProtection: true,
    });

    expect(reported(app, 'DynamoDBTableKey')).toEqual([]);
    expect(reported(app, 'DynamoDBTableDeletionProtection')).toEqual([]);
  });

  test('report a TableV2 (GlobalTable) with the default key and no deletion protection', () => {
    const { app, stack } = testStack();
    new dynamodb.TableV2(stack, 'Default', { partitionKey });
    new dynamodb.TableV2(stack, 'AwsManaged', { partitionKey, encryption: dynamodb.TableEncryptionV2.awsManagedKey() });

    expect(reported(app, 'DynamoDBTableKey')).toEqual([
      'ServerlessSecurity-DynamoDBTableKey @ Test/AwsManaged/Resource',
      'ServerlessSecurity-DynamoDBTableKey @ Test/Default/Resource',
    ]);
    expect(reported(app, 'DynamoDBTableDeletionProtection')).toEqual([
      'ServerlessSecurity-DynamoDBTableDeletionProtection @ Test/AwsManaged/Resource',
      'ServerlessSecurity-DynamoDBTableDeletionProtection @ Test/Default/Resource',
    ]);
  });
});
