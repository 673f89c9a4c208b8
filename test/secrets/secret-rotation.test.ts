process.env.CDK_VALIDATION = 'false';

import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA, WAIVER_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { HostedRotationEngine, SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import {
  CODE, HANDLER, logicalIdOf, managedPolicyStatementsOf, metadataOf, newStack, onlyResource, statementsOf, thrownBy,
} from '../core/fixtures';

describe('SecretRotationChoice.function', () => {
  // GIVEN a secret rotated by a SecureFunction, synthesized once
  const { stack } = newStack();
  const rotator = new SecureFunction(stack, 'Rotator', { code: CODE, handler: HANDLER });
  const secret = new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.function(rotator) });
  const template = Template.fromStack(stack);
  const secretRef = { Ref: logicalIdOf(secret) };
  const fnArn = { 'Fn::GetAtt': [logicalIdOf(rotator), 'Arn'] };

  test('schedules rotation every 30 days with the function', () => {
    const { resource } = onlyResource(template, 'AWS::SecretsManager::RotationSchedule');
    expect(resource.Properties).toEqual({ SecretId: secretRef, RotationLambdaARN: fnArn, RotationRules: { ScheduleExpression: 'rate(30 days)' } });
  });

  test('the schedule waits for the function\'s permissions', () => {
    const { resource } = onlyResource(template, 'AWS::SecretsManager::RotationSchedule');
    const { id: permissionId } = onlyResource(template, 'AWS::Lambda::Permission');
    expect(resource.DependsOn).toEqual(expect.arrayContaining([permissionId, logicalIdOf(rotator.policy), logicalIdOf(secret.node.findChild('RandomPasswordPolicy'))]));
  });

  test('Secrets Manager may invoke the function for this secret and account only', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: fnArn,
      Principal: 'secretsmanager.amazonaws.com',
      SourceArn: secretRef,
      SourceAccount: '111111111111',
    });
  });

  test('the function may rotate this secret only, with the key only for this secret through Secrets Manager', () => {
    const statements = managedPolicyStatementsOf(template, logicalIdOf(rotator.role!));
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      Resource: secretRef,
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [logicalIdOf(secret.key), 'Arn'] },
      Condition: {
        StringEquals: {
          'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com',
          'kms:EncryptionContext:SecretARN': secretRef,
        },
      },
    });
  });

  test('GetRandomPassword is in a policy of its own, whose Resource "*" is acknowledged with the reason', () => {
    const policy = secret.node.findChild('RandomPasswordPolicy');
    const { resource } = onlyResource(template, 'AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: logicalIdOf(rotator.role!) }], Description: 'Lets the rotation function of S/Secret generate passwords' } });

    expect(statementsOf(resource.Properties.PolicyDocument)).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' }]);
    expect(metadataOf(policy, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id)).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'ServerlessSecurity-LambdaPolicyWildcard[Resource::*]',
    ]);
    expect(metadataOf(policy, LIBRARY_ACKNOWLEDGEMENT_METADATA)[0].reason).toMatch(/GetRandomPassword.{20,}/);
  });

  test('the function reaches Secrets Manager through its endpoint', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(rotator.securityGroup!), 'GroupId'] },
      Description: 'HTTPS from S/FunctionSecurityGroups/NetworkSecretsmanager',
    });
  });

  test('records no waiver and acknowledges nothing on the secret', () => {
    expect(metadataOf(secret, WAIVER_METADATA)).toEqual([]);
    expect(metadataOf(secret, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([]);
  });

  test('a schedule and allowRandomPassword: false are honoured', () => {
    const { stack: s } = newStack();
    const fn = new SecureFunction(s, 'Rotator', { code: CODE, handler: HANDLER });

    new SecureSecret(s, 'Secret', { rotation: SecretRotationChoice.function(fn, { automaticallyAfter: Duration.days(7), allowRandomPassword: false }) });

    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' } });
    expect(JSON.stringify(t.toJSON())).not.toContain('GetRandomPassword');
  });
});

describe('SecretRotationChoice.hostedDatabase', () => {
  // GIVEN a secret rotated by the AWS-hosted PostgreSQL function
  const { stack } = newStack();
  const secret = new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.hostedDatabase(HostedRotationEngine.POSTGRESQL) });
  const template = Template.fromStack(stack).toJSON();
  const sgId = logicalIdOf(secret.rotationSecurityGroup!);

  test('runs the hosted function in the private network with a security group of its own and the secret\'s key', () => {
    const schedule = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::SecretsManager::RotationSchedule') as any;
    expect(schedule.Properties.HostedRotationLambda).toMatchObject({
      RotationType: 'PostgreSQLSingleUser',
      VpcSecurityGroupIds: { 'Fn::GetAtt': [sgId, 'GroupId'] },
      KmsKeyArn: { 'Fn::GetAtt': [logicalIdOf(secret.key), 'Arn'] },
    });
    expect(JSON.stringify(schedule.Properties.HostedRotationLambda.VpcSubnetIds)).toMatch(/isolatedSubnet1.*isolatedSubnet2/);
    expect(schedule.Properties.RotationRules).toEqual({ ScheduleExpression: 'rate(30 days)' });
    expect(template.Transform).toEqual('AWS::SecretsManager-2024-09-16');
  });

  test('its security group sends only HTTPS to the Secrets Manager endpoint', () => {
    expect(template.Resources[sgId].Properties.SecurityGroupEgress).toBeUndefined();
    const egress = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::EC2::SecurityGroupEgress' && r.Properties.GroupId['Fn::GetAtt'][0] === sgId) as any[];
    expect(egress.map(e => [e.Properties.FromPort, e.Properties.ToPort])).toEqual([[443, 443]]);
  });

  test('a master secret selects the alternating-users strategy', () => {
    const { stack: s } = newStack();
    const master = new SecureSecret(s, 'Master', { rotation: SecretRotationChoice.waiver('rotated by the DBA team by hand') });

    new SecureSecret(s, 'Secret', { rotation: SecretRotationChoice.hostedDatabase(HostedRotationEngine.MYSQL, { masterSecret: master }) });

    Template.fromStack(s).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: { RotationType: 'MySQLMultiUser', MasterSecretArn: { Ref: logicalIdOf(master) } },
    });
  });
});

describe('SecretRotationChoice.waiver', () => {
  test('acknowledges exactly the rotation findings on the secret and records the waiver', () => {
    // GIVEN
    const { stack } = newStack();
    const reason = 'issued by the payment provider, which offers no rotation API';

    // WHEN
    const secret = new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.waiver(reason) });

    // THEN
    expect(metadataOf(secret, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([
      { id: 'AwsSolutions-SMG4', reason },
      { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason },
      { id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason },
    ]);
    expect(metadataOf(secret, WAIVER_METADATA)).toEqual([{ setting: 'rotation', value: 'none', reason }]);
    Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    expect(secret.rotation.kind).toBe('waiver');
  });
});

describe('SecretRotationChoice bad input', () => {
  test.each<[string, () => unknown, string]>([
    ['a waiver with an empty reason', () => SecretRotationChoice.waiver(''),
      'SecretRotationChoice.waiver: invalid reason: received ""; allowed: a written reason of at least 3 characters explaining why the default is weakened'],
    ['a waiver with a blank reason', () => SecretRotationChoice.waiver('   '),
      'SecretRotationChoice.waiver: invalid reason: received "   "; allowed: a written reason of at least 3 characters explaining why the default is weakened'],
    ['a rotation every hour', () => SecretRotationChoice.hostedDatabase(HostedRotationEngine.MYSQL, { automaticallyAfter: Duration.hours(1) }),
      'SecretRotationChoice.hostedDatabase: invalid automaticallyAfter: received 1 hour; allowed: a whole number of hours from 4 hours to 1000 days'],
    ['an unknown engine', () => SecretRotationChoice.hostedDatabase('DB2' as HostedRotationEngine),
      'SecretRotationChoice.hostedDatabase: invalid engine: received "DB2"; allowed: a HostedRotationEngine (MYSQL, POSTGRESQL, ORACLE, MARIADB, SQLSERVER, REDSHIFT, MONGODB)'],
  ])('%s throws our error', (_label, call, message) => {
    const error = thrownBy(call);

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(message);
  });

  test('a rotation function that is not a SecureFunction throws our error', () => {
    const { stack } = newStack();
    const plain = new lambda.Function(stack, 'Plain', { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST });

    const error = thrownBy(() => SecretRotationChoice.function(plain as unknown as SecureFunction));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('SecretRotationChoice.function: invalid fn: received "S/Plain"; allowed: a SecureFunction');
  });
});
