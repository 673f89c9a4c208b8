process.env.CDK_VALIDATION = 'false';

import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA, WAIVER_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { ExecutionDataLogging } from '../../src/workflow/execution-data-logging';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import {
  CODE, HANDLER, logicalIdOf, managedPolicyStatementsOf, metadataOf, newStack, onlyResource, partitionArn, sameMembers, statementAtoms,
  statementsOf, thrownBy,
} from '../core/fixtures';

const STATE_MACHINE_ARN = (name: string) => partitionArn(`:states:eu-west-1:111111111111:stateMachine:${name}`);

describe('SecureStateMachine invoking a SecureFunction and one of its versions', () => {
  // GIVEN one state machine with two LambdaInvoke tasks, and a caller granted StartExecution, synthesized once
  const { stack } = newStack();
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
  const version = fn.currentVersion;
  const machine = new SecureStateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(
      new tasks.LambdaInvoke(stack, 'First', { lambdaFunction: fn })
        .next(new tasks.LambdaInvoke(stack, 'Second', { lambdaFunction: version }))),
  });
  const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
  machine.grantStartExecution(caller);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const machineResource = onlyResource(template, 'AWS::StepFunctions::StateMachine').resource.Properties;
  const name: string = machineResource.StateMachineName;
  const keyId = logicalIdOf(SecurityBaseline.of(stack).key);
  const roleId = machineResource.RoleArn['Fn::GetAtt'][0];
  const roleStatements = managedPolicyStatementsOf(template, roleId);

  test('has a stable generated name that names the stack and the construct', () => {
    expect(name).toMatch(/^S-Machine-[0-9a-f]{8}$/);
  });

  test('logs every transition without execution data to its own encrypted, retained log group', () => {
    expect(machineResource.LoggingConfiguration).toEqual({
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(machine.logGroup), 'Arn'] } } }],
      IncludeExecutionData: false,
      Level: 'ALL',
    });
    const group = resources[logicalIdOf(machine.logGroup)];
    expect(group).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, RetentionInDays: 365, LogGroupName: `/aws/vendedlogs/states/${name}` },
    });
  });

  test('traces with X-Ray and encrypts state data with the baseline key', () => {
    expect(machineResource.TracingConfiguration).toEqual({ Enabled: true });
    expect(machineResource.EncryptionConfiguration).toMatchObject({ Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('its role is trusted by Step Functions for this account only and has no inline policy', () => {
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'states.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    }]);
    expect(Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }))).toEqual([]);
  });

  test('may invoke exactly the function and the version ARN its tasks name, without a ":*" wildcard', () => {
    const invoke = roleStatements.filter(s => s.Action === 'lambda:InvokeFunction');
    expect(invoke.flatMap(s => [s.Resource].flat())).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] },
      { Ref: logicalIdOf(version) },
    ]);
  });

  test('may use the key only for this state machine, and for log delivery', () => {
    expect(roleStatements).toContainEqual({
      Action: sameMembers(['kms:Decrypt', 'kms:GenerateDataKey']),
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': STATE_MACHINE_ARN(name) } },
    });
  });

  test('log delivery and X-Ray statements on "*" sit alone in the service policy, whose IAM5 finding is acknowledged', () => {
    const servicePolicy = machine.node.scope!.node.findChild('MachineRole').node.findChild('ServicePolicy');
    const statements = statementsOf(resources[logicalIdOf(servicePolicy)].Properties.PolicyDocument);
    expect(new Set(statements.map(s => s.Resource))).toEqual(new Set(['*']));
    expect(statements.flatMap(s => s.Action).every((a: string) => /^(logs|xray):/.test(a))).toBe(true);
    expect(statementAtoms(roleStatements.filter(s => s.Resource === '*'))).toEqual(statementAtoms(statements));
    expect(metadataOf(servicePolicy, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  test('grantStartExecution adds the key use callers need, for this state machine only', () => {
    const policy = onlyResource(template, 'AWS::IAM::Policy', {}).resource;
    expect(statementsOf(policy.Properties.PolicyDocument)).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: logicalIdOf(machine) } },
      {
        Action: sameMembers(['kms:GenerateDataKey', 'kms:Decrypt']),
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': STATE_MACHINE_ARN(name) } },
      },
    ]);
  });

  test('alarms on failed, timed-out and aborted executions to the alarm topic', () => {
    const alarm = resources[logicalIdOf(machine.alarm)].Properties;
    expect(alarm.Metrics.map((m: any) => m.MetricStat?.Metric.MetricName).filter(Boolean).sort()).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
    expect(alarm.AlarmActions).toEqual([{ Ref: logicalIdOf(SecurityBaseline.of(stack).alarmTopic) }]);
  });
});

test('grantStartExecution to a SecureFunction opens the Step Functions endpoint in its network', () => {
  const { stack } = newStack();
  const machine = new SecureStateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
  machine.grantStartExecution(new SecureFunction(stack, 'Starter', { code: CODE, handler: HANDLER }));
  const endpoints = Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
  expect(Object.values(endpoints).map((e: any) => e.Properties.ServiceName)).toEqual(['com.amazonaws.eu-west-1.states']);
});

describe('SecureStateMachine options', () => {
  test('ExecutionDataLogging.include(reason) logs execution data and records the waiver', () => {
    const { stack } = newStack();
    const machine = new SecureStateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
      stateMachineName: 'orders',
      executionData: ExecutionDataLogging.include('test data only, in the development account'),
    });
    const props = onlyResource(Template.fromStack(stack), 'AWS::StepFunctions::StateMachine').resource.Properties;
    expect(props).toMatchObject({ StateMachineName: 'orders', LoggingConfiguration: { IncludeExecutionData: true, Level: 'ALL' } });
    expect(metadataOf(machine, WAIVER_METADATA)).toEqual([
      { setting: 'executionData', value: 'include', reason: 'test data only, in the development account' },
    ]);
  });

  test('ExecutionDataLogging.include without a reason is our error', () => {
    expect(() => ExecutionDataLogging.include(' ')).toThrow(
      'ExecutionDataLogging.include: invalid reason: received " "; allowed: a written reason of at least 3 characters');
  });
});

describe('SecureStateMachine bad input', () => {
  const definitionBody = () => sfn.DefinitionBody.fromChainable(new sfn.Pass(newStack().stack, 'Pass'));

  test.each([
    ['role', { role: {} }, 'invalid role: received {}; allowed: no role: the state machine creates its own'],
    ['logs', { logs: { level: sfn.LogLevel.ERROR } }, 'invalid logs: received {"level":"ERROR"}; allowed: no logs: the state machine logs at level ALL'],
    ['tracingEnabled', { tracingEnabled: false }, 'invalid tracingEnabled: received false; allowed: no tracingEnabled: X-Ray tracing is always on'],
    ['stateMachineName', { stateMachineName: 'a b' }, 'invalid stateMachineName: received "a b"; allowed: letters, digits, "-" and "_" (1 to 80)'],
    ['executionData', { executionData: true }, 'invalid executionData: received true; allowed: an ExecutionDataLogging'],
  ])('%s is our error', (_prop, props, message) => {
    const { stack } = newStack();
    const error = thrownBy(() => new SecureStateMachine(stack, 'Machine', { definitionBody: definitionBody(), ...props } as any));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toContain(`S/Machine: ${message}`);
  });

  test('a missing definitionBody is our error', () => {
    const { stack } = newStack();
    expect(() => new SecureStateMachine(stack, 'Machine', {} as any)).toThrow(
      'S/Machine: invalid definitionBody: received undefined; allowed: an sfn.DefinitionBody');
  });

  test('a LambdaInvoke task with the deprecated qualifier is our error naming the supported way', () => {
    const { stack } = newStack();
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    const task = new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: fn, qualifier: 'live' });
    expect(() => new SecureStateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(task) })).toThrow(
      'S/Machine: invalid definitionBody: received "S/Invoke with qualifier live"; allowed: LambdaInvoke tasks without the deprecated qualifier: '
      + 'pass the version or alias as lambdaFunction (e.g. fn.currentVersion)');
  });
});
