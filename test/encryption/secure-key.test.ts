process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureKey } from '../../src/encryption/secure-key';
import { asArray, ENV, newStack, onlyResource, partitionArn, statementsOf, thrownBy } from '../core/fixtures';

describe('SecureKey', () => {
  // GIVEN one key with defaults and one with an alias, synthesized once
  const { stack } = newStack();
  const key = new SecureKey(stack, 'Key');
  new SecureKey(stack, 'Named', { alias: 'orders/data', description: 'orders data' });
  const template = Template.fromStack(stack);
  const keyId = stack.resolve((key.node.defaultChild as any).logicalId);
  const keyPolicy = template.toJSON().Resources[keyId].Properties.KeyPolicy;
  const statements = statementsOf(keyPolicy);

  test('rotates automatically and waits 30 days before deletion', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      PendingWindowInDays: 30,
      Description: 'Customer-managed key for S/Key',
    });
  });

  test('is retained when the stack is deleted or the key replaced', () => {
    template.resourcePropertiesCountIs('AWS::KMS::Key', {}, 2);
    expect(Object.keys(template.findResources('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }))).toHaveLength(2);
  });

  test('has an alias derived from its path, or the one given', () => {
    template.resourceCountIs('AWS::KMS::Alias', 2);
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/S/Key',
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders/data' });
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'orders data' });
  });

  test('denies kms:CreateGrant unless the grant is for an AWS resource or the caller is an AWS service', () => {
    expect(statements).toContainEqual({
      Sid: 'DenyGrantsExceptForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: {
        BoolIfExists: {
          'kms:GrantIsForAWSResource': 'false',
          'aws:PrincipalIsAWSService': 'false',
        },
      },
    });
  });

  test('admits no AWS service when nothing in the stack makes a service use it', () => {
    expect(statements.filter(s => s.Effect === 'Allow' && s.Principal?.Service !== undefined)).toEqual([]);
  });

  test('gives kms:* to the account root and to nobody else', () => {
    const root = { AWS: partitionArn(':iam::111111111111:root') };
    const allowAll = statements.filter(s => s.Effect === 'Allow' && asArray(s.Action).some((a: string) => a === '*' || a === 'kms:*'));

    expect(allowAll).toHaveLength(1);
    expect(allowAll[0].Principal).toEqual(root);
    expect(statements.filter(s => s.NotAction !== undefined || s.NotPrincipal !== undefined)).toEqual([]);
  });

  test('the key policy has the root statement and the Deny above, nothing else', () => {
    expect(statements).toHaveLength(2);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyGrantsExceptForAwsResources' })]) },
    });
  });
});

describe('SecureKey props', () => {
  test('a custom pendingWindow within 7 to 30 days is used', () => {
    const { stack } = newStack();
    new SecureKey(stack, 'Key', { pendingWindow: Duration.days(7) });

    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
  });

  test.each([
    [Duration.days(6), '6'],
    [Duration.days(31), '31'],
    [Duration.hours(36), '1.5'],
  ])('pendingWindow %s is rejected with our error naming the key', (pendingWindow, received) => {
    const { stack } = newStack();

    const error = thrownBy(() => new SecureKey(stack, 'Key', { pendingWindow }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`S/Key: invalid pendingWindow: received ${received}; allowed: an integer from 7 to 30 days`);
  });

  test.each([
    ['with the alias/ prefix', 'alias/orders'],
    ['in the aws/ namespace', 'aws/orders'],
    ['with a space', 'has space'],
    ['empty', ''],
    ['of 251 characters', 'x'.repeat(251)],
    ['with non-ASCII letters', 'ünïcode'],
  ])('an alias %s is rejected with our error', (_label, alias) => {
    const { stack } = newStack();

    const error = thrownBy(() => new SecureKey(stack, 'Key', { alias }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`S/Key: invalid alias: received ${JSON.stringify(alias)}; allowed: `
      + 'letters, digits, "/", "_" and "-" (1 to 250), without the "alias/" prefix and not starting with "aws/"');
  });

  test('the same stack deployed under two stack names gets two aliases, as aliases are unique per account and region', () => {
    // GIVEN one stack definition deployed twice to the same account and region
    const aliases = ['service-dev', 'service-staging'].map(stackName => {
      const app = new App();
      const stack = new Stack(app, 'Service', { env: ENV, stackName });

      // WHEN
      new SecureKey(stack, 'Key');

      return onlyResource(Template.fromStack(stack), 'AWS::KMS::Alias').resource.Properties.AliasName;
    });

    // THEN
    expect(aliases[0]).not.toEqual(aliases[1]);
  });

  test('a key deep in the tree gets an alias of at most 250 characters', () => {
    const { stack } = newStack();
    let scope: Construct = stack;
    for (let i = 0; i < 30; i++) scope = new Construct(scope, `Level${i}WithALongName`);
    new SecureKey(scope, 'Key');

    const { resource } = onlyResource(Template.fromStack(stack), 'AWS::KMS::Alias');
    expect(resource.Properties.AliasName.length).toBeLessThanOrEqual(256);
    expect(resource.Properties.AliasName).toMatch(/^alias\/[a-zA-Z0-9_-][a-zA-Z0-9/_-]*$/);
  });
});

describe('SecureKey grants name exact actions', () => {
  // GIVEN one role per grant idiom, all on one key, synthesized once
  const { stack } = newStack();
  const key = new SecureKey(stack, 'Key');
  const grantees: Record<string, (role: iam.Role) => void> = {
    'grantEncrypt': role => key.grantEncrypt(role),
    'grantDecrypt': role => key.grantDecrypt(role),
    'grantEncryptDecrypt': role => key.grantEncryptDecrypt(role),
    'grants.encrypt': role => key.grants.encrypt(role),
    'grants.encryptDecrypt': role => key.grants.encryptDecrypt(role),
    'grant with aws-cdk-lib patterns': role => key.grant(role, 'kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'),
    'grant with another exact action': role => key.grant(role, 'kms:GenerateDataKeyPair'),
  };
  const roles = Object.fromEntries(Object.entries(grantees).map(([name, grant], i) => {
    const role = new iam.Role(stack, `Role${i}`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grant(role);
    return [name, stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId) as string];
  }));
  const template = Template.fromStack(stack);
  const actionsOf = (name: string): string[] => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roles[name])) as any;
    return statementsOf(policy.Properties.PolicyDocument).flatMap(s => asArray(s.Action)).sort();
  };

  test.each([
    ['grantEncrypt', ['kms:Encrypt', 'kms:GenerateDataKey']],
    ['grantDecrypt', ['kms:Decrypt']],
    ['grantEncryptDecrypt', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']],
    ['grants.encrypt', ['kms:Encrypt', 'kms:GenerateDataKey']],
    ['grants.encryptDecrypt', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']],
    ['grant with aws-cdk-lib patterns', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']],
    ['grant with another exact action', ['kms:GenerateDataKeyPair']],
  ])('%s gives %j', (name, expected) => {
    expect(actionsOf(name)).toEqual(expected);
  });
});
