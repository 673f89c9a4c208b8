process.env.CDK_VALIDATION = 'false';

import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureTable } from '../../src/table/secure-table';
import { SecureTableGrants } from '../../src/table/table-grants';
import {
  CODE, HANDLER, PREFIX_LISTS, asArray, expectStatementsInclude, logicalIdOf, managedPolicyStatementsOf, newStack, statementAtoms, statementsOf,
  thrownBy,
} from '../core/fixtures';

const PK = { name: 'pk', type: dynamodb.AttributeType.STRING };
const READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const ITEM_READS = new Set([...READS, 'dynamodb:Scan', 'dynamodb:GetRecords', 'dynamodb:PartiQLSelect']);
const ITEM_WRITES_AND_DELETES = new Set([...WRITES, 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete']);
const TABLE_ADMIN = /^dynamodb:(Create|Delete|Update)(Table|GlobalTable|TimeToLive|ContinuousBackups|ContributorInsights)|^dynamodb:(DescribeTable|TagResource|UntagResource|PutResourcePolicy|ListStreams|\*)$/;

function role(scope: any, id: string): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

describe('SecureTable grants', () => {
  // GIVEN a table with a stream and an index, and one plain role per grant, synthesized once
  const { stack } = newStack();
  const table = new SecureTable(stack, 'Table', {
    partitionKey: PK,
    stream: dynamodb.StreamViewType.NEW_IMAGE,
    globalSecondaryIndexes: [{ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } }],
  });
  const roles = {
    reader: role(stack, 'Reader'),
    writer: role(stack, 'Writer'),
    readWriter: role(stack, 'ReadWriter'),
    scanner: role(stack, 'Scanner'),
    tenant: role(stack, 'Tenant'),
    streamReader: role(stack, 'StreamReader'),
    classicReader: role(stack, 'ClassicReader'),
    classicWriter: role(stack, 'ClassicWriter'),
    classicReadWriter: role(stack, 'ClassicReadWriter'),
    classicStream: role(stack, 'ClassicStream'),
    exact: role(stack, 'Exact'),
  };
  const grants = {
    reader: table.grants.readItems(roles.reader),
    writer: table.grants.writeItems(roles.writer),
  };
  table.grants.readWriteItems(roles.readWriter);
  table.grants.readItems(roles.scanner, { allowScan: true });
  table.grants.readItems(roles.tenant, { leadingKeys: ['${aws:PrincipalTag/tenant}'] });
  table.grants.streamRead(roles.streamReader);
  table.grantReadData(roles.classicReader);
  table.grantWriteData(roles.classicWriter);
  table.grantReadWriteData(roles.classicReadWriter);
  table.grantStreamRead(roles.classicStream);
  table.grant(roles.exact, 'dynamodb:GetItem');
  const template = Template.fromStack(stack);
  const tableArn = { 'Fn::GetAtt': [logicalIdOf(table), 'Arn'] };
  const indexArn = { 'Fn::Join': ['', [tableArn, '/index/byCustomer']] };
  const keyArn = { 'Fn::GetAtt': [logicalIdOf(table.key), 'Arn'] };
  const viaDynamoDb = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } };
  const viaDynamoDbStreams = {
    StringEquals: {
      'kms:ViaService': [
        { 'Fn::Join': ['', ['dynamodb.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] },
        { 'Fn::Join': ['', ['streams.dynamodb.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] },
      ],
    },
  };
  const statementsFor = (r: iam.Role): any[] => Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((ref: any) => ref.Ref === logicalIdOf(r)))
    .flatMap((p: any) => statementsOf(p.Properties.PolicyDocument));
  const actionsOf = (r: iam.Role): string[] => statementsFor(r).flatMap(s => asArray<string>(s.Action));
  const withoutKey = (s: any) => !asArray<string>(s.Action).some(a => a.startsWith('kms:'));
  // Compared as atoms: @aws-cdk/aws-iam:minimizePolicies merges and sorts statements.
  const atomsFor = (r: iam.Role, keep: (s: any) => boolean = () => true) => statementAtoms(statementsFor(r).filter(keep));

  test('table.grants is a SecureTableGrants, and an aws-cdk-lib TableGrants', () => {
    expect(table.grants).toBeInstanceOf(SecureTableGrants);
    expect(table.grants).toBeInstanceOf(dynamodb.TableGrants);
  });

  test('readItems gives exactly the item reads on the table, Query on the index and Decrypt through DynamoDB', () => {
    expect(atomsFor(roles.reader)).toEqual(statementAtoms([
      { Effect: 'Allow', Action: READS, Resource: tableArn },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: indexArn },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: viaDynamoDb },
    ]));
    expect(grants.reader.success).toBe(true);
  });

  test('a reader granted readItems cannot write, delete or scan', () => {
    const actions = actionsOf(roles.reader);

    expect(actions.filter(a => ITEM_WRITES_AND_DELETES.has(a) || a === 'dynamodb:Scan' || a.includes('*'))).toEqual([]);
    expect(actions.filter(a => a.startsWith('kms:') && a !== 'kms:Decrypt')).toEqual([]);
  });

  test('writeItems gives exactly the item writes, with no item returned, and Decrypt, GenerateDataKey through DynamoDB', () => {
    expect(atomsFor(roles.writer)).toEqual(statementAtoms([
      { Effect: 'Allow', Action: WRITES, Resource: tableArn, Condition: { StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } } },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn, Condition: viaDynamoDb },
    ]));
  });

  test('a writer granted writeItems cannot read, and reaches no index', () => {
    const statements = statementsFor(roles.writer);

    expect(statements.flatMap(s => asArray<string>(s.Action)).filter(a => ITEM_READS.has(a) || a.includes('*'))).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain('/index/');
  });

  test('readWriteItems gives both, without Scan', () => {
    expect(atomsFor(roles.readWriter)).toEqual(statementAtoms([
      { Effect: 'Allow', Action: [...READS, ...WRITES], Resource: tableArn },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: indexArn },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn, Condition: viaDynamoDb },
    ]));
  });

  test('allowScan adds Scan on the table and its index', () => {
    expect(atomsFor(roles.scanner, withoutKey)).toEqual(statementAtoms([
      { Effect: 'Allow', Action: [...READS, 'dynamodb:Scan'], Resource: tableArn },
      { Effect: 'Allow', Action: ['dynamodb:Query', 'dynamodb:Scan'], Resource: indexArn },
    ]));
  });

  test('leadingKeys limits table and index reads to the listed partition keys, and requires the key', () => {
    const condition = {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${aws:PrincipalTag/tenant}'] },
      'Null': { 'dynamodb:LeadingKeys': 'false' },
    };
    expect(atomsFor(roles.tenant, withoutKey)).toEqual(statementAtoms([
      { Effect: 'Allow', Action: READS, Resource: tableArn, Condition: condition },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: indexArn, Condition: condition },
    ]));
  });

  test('streamRead gives the three stream reads on the stream and Decrypt through DynamoDB (Streams), without ListStreams', () => {
    expect(atomsFor(roles.streamReader)).toEqual(statementAtoms([
      { Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: { 'Fn::GetAtt': [logicalIdOf(table), 'StreamArn'] } },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: viaDynamoDbStreams },
    ]));
  });

  test('the classic grantReadData is readItems with Scan: no DescribeTable, no stream actions on the table, no key wildcards', () => {
    expect(atomsFor(roles.classicReader)).toEqual(atomsFor(roles.scanner));
  });

  test('the classic grantWriteData and grantReadWriteData match writeItems and readWriteItems (with Scan)', () => {
    expect(atomsFor(roles.classicWriter)).toEqual(atomsFor(roles.writer));
    expect(atomsFor(roles.classicReadWriter)).toEqual(statementAtoms([
      ...statementsFor(roles.readWriter),
      { Effect: 'Allow', Action: 'dynamodb:Scan', Resource: [tableArn, indexArn] },
    ]));
    expect(atomsFor(roles.classicStream)).toEqual(atomsFor(roles.streamReader));
  });

  test('grant(actions) gives exactly those actions on the table and its indexes', () => {
    expect(atomsFor(roles.exact)).toEqual(statementAtoms([
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableArn },
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: indexArn },
    ]));
  });

  test('no grant lists a table administration action or a kms wildcard, and none changes the key policy', () => {
    const all = Object.values(roles).flatMap(actionsOf);

    expect(all.filter(a => TABLE_ADMIN.test(a))).toEqual([]);
    expect(all.filter(a => a.startsWith('kms:') && !['kms:Decrypt', 'kms:GenerateDataKey'].includes(a))).toEqual([]);
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0] as any;
    expect(JSON.stringify(key.Properties.KeyPolicy)).not.toMatch(/Reader|Writer|Scanner|Tenant/);
  });
});

describe('SecureTable grants and indexes', () => {
  test('a table without indexes is granted on its own ARN only', () => {
    const { stack } = newStack();
    const table = new SecureTable(stack, 'Table', { partitionKey: PK });
    const reader = role(stack, 'Reader');

    table.grants.readItems(reader, { allowScan: true });

    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).not.toContain('/index/');
  });

  test('an index added after a grant is covered by that grant, by name', () => {
    // GIVEN a grant on a table without indexes
    const { stack } = newStack();
    const table = new SecureTable(stack, 'Table', { partitionKey: PK, sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING } });
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    table.grants.readItems(fn);

    // WHEN two indexes are added
    table.addGlobalIndex({ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } });
    table.addLocalSecondaryIndex({ indexName: 'byDate', sortKey: { name: 'date', type: dynamodb.AttributeType.STRING } });

    // THEN the grant queries both
    const tableArn = { 'Fn::GetAtt': [logicalIdOf(table), 'Arn'] };
    expectStatementsInclude(managedPolicyStatementsOf(Template.fromStack(stack), logicalIdOf(fn.role!)), [{
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      Resource: [{ 'Fn::Join': ['', [tableArn, '/index/byCustomer']] }, { 'Fn::Join': ['', [tableArn, '/index/byDate']] }],
    }]);
  });
});

describe('SecureTable grants to a SecureFunction', () => {
  test('open HTTPS to the DynamoDB gateway endpoint and land in the function\'s customer-managed policy', () => {
    // GIVEN
    const { stack } = newStack();
    const table = new SecureTable(stack, 'Table', { partitionKey: PK });
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

    // WHEN
    table.grants.readItems(fn);

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Lambda functions that call dynamodb: HTTPS only to those VPC endpoints',
      SecurityGroupEgress: [{ DestinationPrefixListId: PREFIX_LISTS.dynamodb, FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'HTTPS to the dynamodb gateway endpoint' }],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expectStatementsInclude(managedPolicyStatementsOf(template, logicalIdOf(fn.role!)),
      [{ Effect: 'Allow', Action: READS, Resource: { 'Fn::GetAtt': [logicalIdOf(table), 'Arn'] } }]);
  });
});

describe('SecureTable grants refused', () => {
  const build = (props: Partial<ConstructorParameters<typeof SecureTable>[2]> = {}) => {
    const { stack } = newStack();
    const table = new SecureTable(stack, 'Table', { partitionKey: PK, ...props });
    return { table, reader: role(stack, 'Reader') };
  };

  test.each<[string, (t: SecureTable, r: iam.Role) => unknown, string]>([
    ['leadingKeys on a NUMBER partition key', (t, r) => t.grants.readItems(r, { leadingKeys: ['42'] }),
      'S/Table: invalid leadingKeys: received ["42"]; allowed: only on a table whose partition key is a STRING (this table\'s partition key is NUMBER)'],
  ])('%s throws our error', (_label, call, message) => {
    const { table, reader } = build({ partitionKey: { name: 'pk', type: dynamodb.AttributeType.NUMBER } });

    const error = thrownBy(() => call(table, reader));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(message);
  });

  test.each<[string, (t: SecureTable, r: iam.Role) => unknown, string]>([
    ['leadingKeys with allowScan', (t, r) => t.grants.readItems(r, { leadingKeys: ['a'], allowScan: true }),
      'S/Table: invalid allowScan: received true; allowed: false when leadingKeys is set: a scan carries no partition key, so it would read every tenant\'s items'],
    ['empty leadingKeys', (t, r) => t.grants.writeItems(r, { leadingKeys: [] }),
      'S/Table: invalid leadingKeys: received []; allowed: a non-empty list of partition key values or policy variables, e.g. ["${aws:PrincipalTag/tenant}"]'],
    ['grantFullAccess', (t, r) => t.grantFullAccess(r),
      'S/Table: invalid fullAccess: received "S/Reader"; allowed: item-level grants: grants.readWriteItems(grantee); dynamodb:* includes deleting the table and changing its settings'],
    ['a wildcard action', (t, r) => t.grant(r, 'dynamodb:*'),
      'S/Table: invalid actions: received "dynamodb:*"; allowed: exact actions such as dynamodb:GetItem; wildcards grant more than the caller uses'],
    ['a grant to a service principal', (t) => t.grants.readItems(new iam.ServicePrincipal('events.amazonaws.com')),
      'S/Table: invalid readItems: received "ServicePrincipal(events.amazonaws.com)"; allowed: a grantee with an identity policy in this account (a role, user, group or function); SecureTable grants never open the table to other accounts or services'],
    ['streamRead without a stream', (t, r) => t.grants.streamRead(r),
      'S/Table: invalid stream: received undefined; allowed: a dynamodb.StreamViewType: grantStream needs the table\'s stream'],
    ['a key action pattern aws-cdk-lib does not use', (t, r) => t.grantOnKey(r, 'kms:*'),
      'S/Table: invalid actions: received "kms:*"; allowed: exact kms actions, such as kms:Decrypt'],
  ])('%s throws our error', (_label, call, message) => {
    const { table, reader } = build();

    const error = thrownBy(() => call(table, reader));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(message);
  });

  test('grantTableListStreams is refused, pointing to streamRead', () => {
    const { table, reader } = build({ stream: dynamodb.StreamViewType.KEYS_ONLY });

    const error = thrownBy(() => table.grantTableListStreams(reader));

    expect(error.message).toBe('S/Table: invalid grantTableListStreams: received "S/Reader"; allowed: grants.streamRead(grantee), which names the stream ARN; dynamodb:ListStreams supports only Resource "*"');
  });

  test('grantOnKey replaces aws-cdk-lib\'s key patterns with exact actions used through DynamoDB', () => {
    const { table, reader } = build();

    table.grantOnKey(reader, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*');

    const policies = Object.values(Template.fromStack(table.stack).findResources('AWS::IAM::Policy')) as any[];
    expect(statementsOf(policies[0].Properties.PolicyDocument)).toEqual([{
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [logicalIdOf(table.key), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } },
    }]);
  });
});
