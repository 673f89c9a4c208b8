process.env.CDK_VALIDATION = 'false';

import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ENV, handler } from './support';
import { ApiCloudWatchRole, ApiGatewayAccount } from '../../src/api/api-gateway-account';
import { SecureApi } from '../../src/api/secure-api';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureTable } from '../../src/table/secure-table';
import { findingsOf } from '../compliance/harness';
import {
  logicalIdOf, managedPolicyStatementsOf, metadataOf, onlyResource, PARTITION, partitionArn, thrownBy,
} from '../core/fixtures';

/** A stack with one SecureApi and one route. */
function apiStack(scope: App | Stage, id: string, env = ENV, cloudWatchRole?: ApiCloudWatchRole): { stack: Stack; api: SecureApi } {
  const stack = new Stack(scope, id, { env });
  const api = new SecureApi(stack, 'Api', { cloudWatchRole });
  api.addRoute('GET', '/', handler(stack, 'Fn'));
  return { stack, api };
}

function accountCount(stack: Stack): number {
  return Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Account')).length;
}

describe('the API Gateway CloudWatch role of one stack', () => {
  // GIVEN
  const app = new App();
  // WHEN
  const { stack, api } = apiStack(app, 'Orders');
  const account = api.cloudWatchAccount!;
  const template = Template.fromStack(Stack.of(account));
  const roleId = logicalIdOf(account.role);

  test('THEN it is created in a stack of its own, on which the API\'s stack depends, retained with its role and policy', () => {
    expect(account.node.path).toBe('ApiGatewayAccount-111111111111-eu-west-1/ApiGatewayAccount');
    expect(stack.dependencies).toEqual([Stack.of(account)]);
    expect(Stack.of(account).dependencies).toEqual([]);
    expect([accountCount(stack), accountCount(Stack.of(account))]).toEqual([0, 1]);
    expect(Stack.of(account).environment).toBe('aws://111111111111/eu-west-1');
    const { resource } = onlyResource(template, 'AWS::ApiGateway::Account');
    expect(resource.Properties.CloudWatchRoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(template.toJSON().Resources[roleId].DeletionPolicy).toBe('Retain');
    template.hasResource('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: roleId }] }, DeletionPolicy: 'Retain' });
  });

  test('THEN the role is trusted by API Gateway and has no AWS-managed or inline policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } }] },
    });
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
  });

  test('THEN it may only write logs, in this account and region', () => {
    expect(managedPolicyStatementsOf(template, roleId)).toEqual([{
      Sid: 'WriteApiLogsInThisAccountAndRegion',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      Resource: [
        partitionArn(':logs:eu-west-1:111111111111:log-group:*'),
        partitionArn(':logs:eu-west-1:111111111111:log-group:*:log-stream:*'),
      ],
    }]);
  });

  test('THEN exactly its two wildcard findings are acknowledged, on its policy, with the reason', () => {
    const policy = (account.role as any).policy;
    expect(metadataOf(policy, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id)).toEqual([
      `AwsSolutions-IAM5[Resource::arn:${PARTITION}:logs:eu-west-1:111111111111:log-group:*]`,
      `AwsSolutions-IAM5[Resource::arn:${PARTITION}:logs:eu-west-1:111111111111:log-group:*:log-stream:*]`,
    ]);
    expect(metadataOf(policy, LIBRARY_ACKNOWLEDGEMENT_METADATA)[0].reason).toBe(
      'API Gateway uses this one role for the execution and access logs of every REST API of the account and region, ' +
      'whose log group names it cannot know in advance; the policy only writes logs, in this account and region');
  });

  test('THEN the account-wide side effect is recorded', () => {
    expect(metadataOf(account, 'cdk-secure-serverless:account-setting')).toEqual([{
      setting: 'AWS::ApiGateway::Account',
      environment: 'account 111111111111 in eu-west-1',
      reason: 'API Gateway needs a CloudWatch role to write execution and access logs',
    }]);
  });
});

describe('the role of an environment-agnostic stack', () => {
  // GIVEN
  const app = new App();
  // WHEN
  const stack = new Stack(app, 'Anywhere');
  const api = new SecureApi(stack, 'Api');
  api.addRoute('GET', '/', handler(stack, 'Fn'));
  const policy = (api.cloudWatchAccount!.role as any).policy;

  test('THEN its acknowledgements name the ARNs as cdk-nag renders them, and AwsSolutions reports nothing on it', () => {
    expect(metadataOf(policy, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id)).toEqual([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*:log-stream:*]',
    ]);
    const findings = findingsOf(app, { profile: ComplianceProfile.STANDARD, guard: false });
    expect(findings.filter(f => f.path.startsWith(policy.node.path))).toEqual([]);
    expect(metadataOf(api.cloudWatchAccount!, 'cdk-secure-serverless:account-setting')[0].environment).toBe('the deployment account in the deployment region');
    expect(api.cloudWatchAccount!.node.path).toBe('ApiGatewayAccount/ApiGatewayAccount');
  });
});

describe('two stacks of one app, each with a SecureApi', () => {
  // GIVEN
  const app = new App();
  // WHEN
  const first = apiStack(app, 'Orders');
  const second = apiStack(app, 'Billing');
  const admin = new SecureApi(first.stack, 'Admin');
  admin.addRoute('GET', '/', handler(first.stack, 'AdminFn'));
  const accountStack = Stack.of(first.api.cloudWatchAccount!);

  test('THEN AWS::ApiGateway::Account appears once, in the stack of the setting', () => {
    expect([accountCount(first.stack), accountCount(second.stack), accountCount(accountStack)]).toEqual([0, 0, 1]);
    expect(second.api.cloudWatchAccount).toBe(first.api.cloudWatchAccount);
  });

  test('THEN both deploy after the setting, which depends on neither', () => {
    expect([first.stack.dependencies, second.stack.dependencies]).toEqual([[accountStack], [accountStack]]);
    expect(accountStack.dependencies).toEqual([]);
  });

  test('THEN two APIs of one stack share it too', () => {
    expect(admin.cloudWatchAccount).toBe(first.api.cloudWatchAccount);
  });
});

describe('three stacks with a SecureApi each, whose functions read other stacks\' tables', () => {
  // GIVEN stacks A, B and C; A's function reads B's table and C's reads A's: the first API's stack depends on the second's
  const app = new App();
  const stacks = ['A', 'B', 'C'].map(id => new Stack(app, id, { env: ENV }));
  const tables = stacks.map(stack => new SecureTable(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }));
  stacks.forEach((stack, i) => {
    const fn = handler(stack, 'Fn');
    tables[[1, 1, 0][i]].grants.readItems(fn);
    new SecureApi(stack, 'Api').addRoute('GET', '/', fn);
  });

  // WHEN
  const assembly = app.synth();

  test('THEN it synthesizes, with exactly one AWS::ApiGateway::Account, in a stack that depends on none of them', () => {
    const counts = assembly.stacks.map(s => [s.stackName, Object.values(s.template.Resources).filter((r: any) => r.Type === 'AWS::ApiGateway::Account').length]);
    expect(counts).toEqual(expect.arrayContaining([['A', 0], ['B', 0], ['C', 0], ['ApiGatewayAccount-111111111111-eu-west-1', 1]]));
    expect(counts).toHaveLength(4);
    expect((app.node.findChild('ApiGatewayAccount-111111111111-eu-west-1') as Stack).dependencies).toEqual([]);
  });

  test('THEN each stack depends on the setting and on the stack whose table it reads', () => {
    expect(stacks.map(stack => stack.dependencies.map(s => s.node.id).sort())).toEqual([
      ['ApiGatewayAccount-111111111111-eu-west-1', 'B'], ['ApiGatewayAccount-111111111111-eu-west-1'], ['A', 'ApiGatewayAccount-111111111111-eu-west-1'],
    ]);
  });
});

describe('the app-level setting', () => {
  test('WHEN it is created explicitly in a platform stack THEN the APIs of other stacks reuse it', () => {
    const app = new App();
    const platform = new Stack(app, 'Platform', { env: ENV });
    const account = new ApiGatewayAccount(platform, 'ApiGatewayAccount');
    const { stack, api } = apiStack(app, 'Orders');

    expect(api.cloudWatchAccount).toBe(account);
    expect([accountCount(platform), accountCount(stack)]).toEqual([1, 0]);
    expect(stack.dependencies).toEqual([platform]);
  });

  test('WHEN the account is already configured THEN nothing account-wide is created', () => {
    const app = new App();
    const { stack, api } = apiStack(app, 'Orders', ENV, ApiCloudWatchRole.alreadyConfigured());

    expect(accountCount(stack)).toBe(0);
    expect(api.cloudWatchAccount).toBeUndefined();
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'apigateway.amazonaws.com' } }] } }, 0);
  });

  test('WHEN stacks are in two regions THEN each region gets its own', () => {
    const app = new App();
    const ireland = apiStack(app, 'Ireland');
    const frankfurt = apiStack(app, 'Frankfurt', { account: ENV.account, region: 'eu-central-1' });

    const accountStacks = [ireland, frankfurt].map(({ api }) => Stack.of(api.cloudWatchAccount!));
    expect(accountStacks.map(s => [s.node.id, accountCount(s)])).toEqual([['ApiGatewayAccount-111111111111-eu-west-1', 1], ['ApiGatewayAccount-111111111111-eu-central-1', 1]]);
    expect(frankfurt.stack.dependencies).toEqual([accountStacks[1]]);
  });

  test('WHEN stacks are in two stages THEN each stage has its own, as each is deployed on its own', () => {
    const app = new App();
    const beta = apiStack(new Stage(app, 'Beta'), 'Orders');
    const prod = apiStack(new Stage(app, 'Prod'), 'Orders');

    expect([beta, prod].map(({ api }) => api.cloudWatchAccount!.node.path)).toEqual([
      'Beta/ApiGatewayAccount-111111111111-eu-west-1/ApiGatewayAccount', 'Prod/ApiGatewayAccount-111111111111-eu-west-1/ApiGatewayAccount',
    ]);
  });

  test('WHEN a second one is created for the same environment THEN our error names the first', () => {
    const app = new App();
    const { api } = apiStack(app, 'Orders');
    const other = new Stack(app, 'Other', { env: ENV });

    const error = thrownBy(() => new ApiGatewayAccount(other, 'ApiGatewayAccount'));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(
      'Other/ApiGatewayAccount: invalid scope: received a second ApiGatewayAccount for account 111111111111 in eu-west-1; ' +
      `allowed: one per app and environment, and ${api.cloudWatchAccount!.node.path} already sets it (the setting is account-wide: a second one would overwrite the first)`);
  });
});
