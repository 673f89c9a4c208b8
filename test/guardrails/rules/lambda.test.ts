import { CfnParameter, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { PARTITION } from '../../core/fixtures';
import { reported, testFunction, testStack } from '../support';

function lambdaRole(scope: Stack, id: string): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

describe('LambdaSharedRole', () => {
  test('reports every function that shares its role', () => {
    // GIVEN
    const { app, stack } = testStack();
    const role = lambdaRole(stack, 'Role');
    testFunction(stack, 'First', { role });
    testFunction(stack, 'Second', { role });
    testFunction(stack, 'Alone');

    // THEN
    expect(reported(app, 'LambdaSharedRole')).toEqual([
      'ServerlessSecurity-LambdaSharedRole @ Test/First/Resource',
      'ServerlessSecurity-LambdaSharedRole @ Test/Second/Resource',
    ]);
  });

  test('passes functions with a role each', () => {
    const { app, stack } = testStack();
    testFunction(stack, 'First', { role: lambdaRole(stack, 'FirstRole') });
    testFunction(stack, 'Second', { role: lambdaRole(stack, 'SecondRole') });

    expect(reported(app, 'LambdaSharedRole')).toEqual([]);
  });

  test('matches a raw CfnResource function by type', () => {
    // GIVEN a helper function written as CfnResource, as custom-resource providers do
    const { app, stack } = testStack();
    const role = lambdaRole(stack, 'Role');
    testFunction(stack, 'Handler', { role });
    new CfnResource(stack, 'RawHelper', {
      type: 'AWS::Lambda::Function',
      properties: { Role: role.roleArn, Handler: 'index.handler', Runtime: 'nodejs22.x', Code: { ZipFile: 'x' } },
    });

    expect(reported(app, 'LambdaSharedRole')).toEqual([
      'ServerlessSecurity-LambdaSharedRole @ Test/Handler/Resource',
      'ServerlessSecurity-LambdaSharedRole @ Test/RawHelper',
    ]);
  });

  test('reports functions sharing an imported role by ARN', () => {
    const { app, stack } = testStack();
    const role = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::111111111111:role/shared', { mutable: false });
    testFunction(stack, 'First', { role });
    testFunction(stack, 'Second', { role });

    expect(reported(app, 'LambdaSharedRole')).toHaveLength(2);
  });
});

describe('LambdaPolicyWildcard', () => {
  test('reports each wildcard action and resource of the default policy', () => {
    // GIVEN
    const { app, stack } = testStack();
    const handler = testFunction(stack, 'Fn');
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*', 'sqs:SendMessage'], resources: ['*'] }));

    // THEN
    expect(reported(app, 'LambdaPolicyWildcard')).toEqual([
      'ServerlessSecurity-LambdaPolicyWildcard[Action::s3:*] @ Test/Fn/ServiceRole/DefaultPolicy/Resource',
      'ServerlessSecurity-LambdaPolicyWildcard[Resource::*] @ Test/Fn/ServiceRole/DefaultPolicy/Resource',
    ]);
  });

  test('passes actions and resources scoped to a resource of the template', () => {
    const { app, stack } = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const handler = testFunction(stack, 'Fn');
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:Get*'], resources: [bucket.arnForObjects('*')] }));
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['arn:aws:dynamodb:eu-west-1:111111111111:table/Orders*'] }));

    expect(reported(app, 'LambdaPolicyWildcard')).toEqual([]);
  });

  test('reports a joined ARN that is a wildcard over a resource type', () => {
    const { app, stack } = testStack();
    const handler = testFunction(stack, 'Fn');
    handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem'],
      resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*' })],
    }));

    expect(reported(app, 'LambdaPolicyWildcard')).toEqual([
      `ServerlessSecurity-LambdaPolicyWildcard[Resource::arn:${PARTITION}:dynamodb:eu-west-1:111111111111:table/*] @ Test/Fn/ServiceRole/DefaultPolicy/Resource`,
    ]);
  });

  test('reports inline policies of the role and managed policies attached to it', () => {
    const { app, stack } = testStack();
    const role = new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        all: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['*'], resources: ['arn:aws:s3:::*'] })] }),
      },
    });
    role.addManagedPolicy(new iam.ManagedPolicy(stack, 'Managed', {
      statements: [new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['arn:aws:s3:::my-bucket/*'] })],
    }));
    testFunction(stack, 'Fn', { role });

    expect(reported(app, 'LambdaPolicyWildcard')).toEqual([
      'ServerlessSecurity-LambdaPolicyWildcard[Action::*] @ Test/Role/Resource',
      'ServerlessSecurity-LambdaPolicyWildcard[NotAction::iam:*] @ Test/Managed/Resource',
      'ServerlessSecurity-LambdaPolicyWildcard[Resource::arn:aws:s3:::*] @ Test/Role/Resource',
    ]);
  });

  test('reports an AWS::IAM::RolePolicy and an AWS::IAM::Policy that name the role by Ref or by its literal name', () => {
    const { app, stack } = testStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: 'orders-handler' });
    testFunction(stack, 'Fn', { role });
    const wildcard = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: 'arn:aws:sqs:eu-west-1:111111111111:orders' }] };
    new iam.CfnRolePolicy(stack, 'ByRef', { roleName: role.roleName, policyName: 'by-ref', policyDocument: wildcard });
    new iam.CfnPolicy(stack, 'ByName', { roles: ['orders-handler'], policyName: 'by-name', policyDocument: wildcard });

    expect(reported(app, 'LambdaPolicyWildcard')).toEqual([
      'ServerlessSecurity-LambdaPolicyWildcard[Action::sqs:*] @ Test/ByName',
      'ServerlessSecurity-LambdaPolicyWildcard[Action::sqs:*] @ Test/ByRef',
    ]);
  });

  test('ignores roles that no function uses', () => {
    const { app, stack } = testStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));

    expect(reported(app, 'LambdaPolicyWildcard')).toEqual([]);
  });

  test('ignores Deny statements', () => {
    const { app, stack } = testStack();
    testFunction(stack, 'Fn').addToRolePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:*'], resources: ['*'] }));

    expect(reported(app, 'LambdaPolicyWildcard')).toEqual([]);
  });
});

describe('LambdaLogGroup', () => {
  function compliantLogGroup(scope: Stack, id: string, props: Partial<logs.LogGroupProps> = {}): logs.LogGroup {
    return new logs.LogGroup(scope, id, {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: new kms.Key(scope, `${id}Key`),
      ...props,
    });
  }

  test('passes a function with its own retained, encrypted log group', () => {
    const { app, stack } = testStack();
    testFunction(stack, 'Fn', { logGroup: compliantLogGroup(stack, 'Logs') });

    expect(reported(app, 'LambdaLogGroup')).toEqual([]);
  });

  test('reports a function without a log group', () => {
    const { app, stack } = testStack({ [cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP]: false });
    testFunction(stack, 'Fn');

    expect(reported(app, 'LambdaLogGroup')).toEqual(['ServerlessSecurity-LambdaLogGroup[LogGroup::missing] @ Test/Fn/Resource']);
  });

  test('judges the log group aws-cdk-lib creates under useCdkManagedLogGroup, unencrypted', () => {
    const { app, stack } = testStack({ [cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP]: true });
    testFunction(stack, 'Fn');

    expect(reported(app, 'LambdaLogGroup')).toEqual(['ServerlessSecurity-LambdaLogGroup[KmsKeyId::missing] @ Test/Fn/Resource']);
  });

  test('finds the log group named /aws/lambda/<function name>', () => {
    const { app, stack } = testStack({ [cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP]: false });
    const byRef = testFunction(stack, 'ByRef');
    compliantLogGroup(stack, 'ByRefLogs', { logGroupName: `/aws/lambda/${byRef.functionName}` });
    testFunction(stack, 'ByName', { functionName: 'orders-get' });
    compliantLogGroup(stack, 'ByNameLogs', { logGroupName: '/aws/lambda/orders-get' });

    expect(reported(app, 'LambdaLogGroup')).toEqual([]);
  });

  test('reports short retention and a missing key', () => {
    const { app, stack } = testStack();
    testFunction(stack, 'Month', { logGroup: new logs.LogGroup(stack, 'MonthLogs', { retention: logs.RetentionDays.ONE_MONTH }) });
    testFunction(stack, 'Forever', {
      logGroup: compliantLogGroup(stack, 'ForeverLogs', { retention: logs.RetentionDays.INFINITE }),
    });

    expect(reported(app, 'LambdaLogGroup')).toEqual([
      'ServerlessSecurity-LambdaLogGroup[KmsKeyId::missing] @ Test/Month/Resource',
      'ServerlessSecurity-LambdaLogGroup[RetentionInDays::30] @ Test/Month/Resource',
      'ServerlessSecurity-LambdaLogGroup[RetentionInDays::unset] @ Test/Forever/Resource',
    ]);
  });

  test('reports a log group shared by functions', () => {
    const { app, stack } = testStack();
    const logGroup = compliantLogGroup(stack, 'Logs');
    testFunction(stack, 'First', { logGroup });
    testFunction(stack, 'Second', { logGroup });

    expect(reported(app, 'LambdaLogGroup')).toEqual([
      'ServerlessSecurity-LambdaLogGroup[LogGroup::shared] @ Test/First/Resource',
      'ServerlessSecurity-LambdaLogGroup[LogGroup::shared] @ Test/Second/Resource',
    ]);
  });

  test('reports a LoggingConfig log group that is not in the template', () => {
    const { app, stack } = testStack();
    testFunction(stack, 'Fn', { logGroup: logs.LogGroup.fromLogGroupName(stack, 'Elsewhere', 'shared-logs') });

    expect(reported(app, 'LambdaLogGroup')).toEqual(['ServerlessSecurity-LambdaLogGroup[LogGroup::missing] @ Test/Fn/Resource']);
  });
});

describe('LambdaEnvironmentKey', () => {
  test('reports environment variables without a customer-managed key', () => {
    const { app, stack } = testStack();
    testFunction(stack, 'Fn', { environment: { TABLE_NAME: 'orders' } });

    expect(reported(app, 'LambdaEnvironmentKey')).toEqual(['ServerlessSecurity-LambdaEnvironmentKey @ Test/Fn/Resource']);
  });

  test('passes environment variables encrypted with a key, and functions without variables', () => {
    const { app, stack } = testStack();
    testFunction(stack, 'Encrypted', { environment: { TABLE_NAME: 'orders' }, environmentEncryption: new kms.Key(stack, 'Key') });
    testFunction(stack, 'NoVariables');

    expect(reported(app, 'LambdaEnvironmentKey')).toEqual([]);
  });
});

describe('LambdaEnvironmentCredential', () => {
  test('reports each variable whose literal value looks like a credential', () => {
    const { app, stack } = testStack();
    const secret = new secretsmanager.Secret(stack, 'Secret');
    testFunction(stack, 'Fn', {
      environment: {
        DB_PASSWORD: 'correct-horse-battery',
        UPSTREAM: 'AKIAIOSFODNN7EXAMPLE',
        RESOLVED: secret.secretValue.unsafeUnwrap(),
        TABLE_NAME: 'orders',
      },
    });

    expect(reported(app, 'LambdaEnvironmentCredential')).toEqual([
      'ServerlessSecurity-LambdaEnvironmentCredential[Variable::DB_PASSWORD] @ Test/Fn/Resource',
      'ServerlessSecurity-LambdaEnvironmentCredential[Variable::RESOLVED] @ Test/Fn/Resource',
      'ServerlessSecurity-LambdaEnvironmentCredential[Variable::UPSTREAM] @ Test/Fn/Resource',
    ]);
  });

  test('passes references to secrets and names about credentials', () => {
    const { app, stack } = testStack();
    const secret = new secretsmanager.Secret(stack, 'Secret');
    testFunction(stack, 'Fn', {
      environment: {
        SECRET_ARN: secret.secretArn,
        SECRET_NAME: 'prod/orders/db',
        TOKEN_TABLE: 'tokens',
        DB_PASSWORD: secret.secretArn,
      },
    });

    expect(reported(app, 'LambdaEnvironmentCredential')).toEqual([]);
  });
});

describe('LambdaUrlAuth', () => {
  test('reports a public URL and a wildcard origin', () => {
    const { app, stack } = testStack();
    testFunction(stack, 'Fn').addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE, cors: { allowedOrigins: ['*'] } });

    expect(reported(app, 'LambdaUrlAuth')).toEqual([
      'ServerlessSecurity-LambdaUrlAuth[AllowOrigins::*] @ Test/Fn/FunctionUrl/Resource',
      'ServerlessSecurity-LambdaUrlAuth[AuthType::NONE] @ Test/Fn/FunctionUrl/Resource',
    ]);
  });

  test('passes an IAM-authenticated URL with named origins', () => {
    const { app, stack } = testStack();
    testFunction(stack, 'Fn').addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM, cors: { allowedOrigins: ['https://example.com'] } });

    expect(reported(app, 'LambdaUrlAuth')).toEqual([]);
  });
});

describe('LambdaPermissionSource', () => {
  test('reports service principals without SourceArn and SourceAccount', () => {
    const { app, stack } = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const handler = testFunction(stack, 'Fn');
    handler.addPermission('FromBucket', { principal: new iam.ServicePrincipal('s3.amazonaws.com'), sourceArn: bucket.bucketArn });
    handler.addPermission('FromEvents', { principal: new iam.ServicePrincipal('events.amazonaws.com') });

    expect(reported(app, 'LambdaPermissionSource')).toEqual([
      'ServerlessSecurity-LambdaPermissionSource @ Test/Fn/FromBucket',
      'ServerlessSecurity-LambdaPermissionSource @ Test/Fn/FromEvents',
    ]);
  });

  test('passes service principals with both conditions, and account principals', () => {
    const { app, stack } = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const handler = testFunction(stack, 'Fn');
    handler.addPermission('FromBucket', {
      principal: new iam.ServicePrincipal('s3.amazonaws.com'),
      sourceArn: bucket.bucketArn,
      sourceAccount: stack.account,
    });
    handler.addPermission('FromAccount', { principal: new iam.AccountPrincipal('222222222222') });

    expect(reported(app, 'LambdaPermissionSource')).toEqual([]);
  });
});

describe('EventSourceVisibilityTimeout', () => {
  function consumer(visibilityTimeout: Duration | undefined, timeout: Duration | undefined): string[] {
    const { app, stack } = testStack();
    const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout });
    testFunction(stack, 'Fn', { timeout }).addEventSource(new SqsEventSource(queue));
    return reported(app, 'EventSourceVisibilityTimeout');
  }

  test('reports a queue whose visibility timeout is under six times the function timeout', () => {
    expect(consumer(undefined, Duration.seconds(10))).toEqual([
      'ServerlessSecurity-EventSourceVisibilityTimeout @ Test/Fn/SqsEventSource:TestQueueCC385424/Resource',
    ]);
    expect(consumer(Duration.seconds(59), Duration.seconds(10))).toHaveLength(1);
  });

  test('passes six times the timeout, and the defaults (30 s and 3 s)', () => {
    expect(consumer(Duration.seconds(60), Duration.seconds(10))).toEqual([]);
    expect(consumer(undefined, undefined)).toEqual([]);
  });

  test('reports a visibility timeout it cannot read, as cdk-nag reports a rule that cannot evaluate', () => {
    const { app, stack } = testStack();
    const queue = new sqs.CfnQueue(stack, 'Queue', { visibilityTimeout: new CfnParameter(stack, 'Visibility', { type: 'Number' }).valueAsNumber });
    new lambda.CfnEventSourceMapping(stack, 'Mapping', { eventSourceArn: queue.attrArn, functionName: testFunction(stack, 'Fn').functionName });

    expect(reported(app, 'EventSourceVisibilityTimeout')).toEqual(['ServerlessSecurity-EventSourceVisibilityTimeout @ Test/Mapping']);
  });
});
