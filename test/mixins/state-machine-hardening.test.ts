import { ArnFormat } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { invokingMachine } from './cases';
import { hardeningRecords, runtimeChangeRecords } from '../../src/mixins/changes';
import { StateMachineHardening } from '../../src/mixins/state-machine-hardening';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import { logicalIdOf, newStack, onlyResource, statementsOf } from '../core/fixtures';

describe('StateMachineHardening on a plain state machine', () => {
  let template: Template;
  let machine: sfn.StateMachine;

  beforeAll(() => {
    const { stack } = newStack();
    new SecureStateMachine(stack, 'Secure', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    machine = invokingMachine(stack);
    machine.with(new StateMachineHardening());
    template = Template.fromStack(stack);
  });

  test('logging and tracing equal SecureStateMachine\'s', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map((m: any) => m.Properties);
    const shared = (p: any) => ({
      level: p.LoggingConfiguration.Level, data: p.LoggingConfiguration.IncludeExecutionData, tracing: p.TracingConfiguration,
    });
    expect(machines).toHaveLength(2);
    expect(shared(machines[1])).toEqual(shared(machines[0]));
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365, KmsKeyId: Match.anyValue() } });
  });

  test('the role invokes exactly the function, from a customer-managed policy; log delivery and X-Ray stand apart', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const roleId = logicalIdOf(machine.role);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p: any) => p.Properties.Roles?.some((r: any) => r.Ref === roleId));
    const invoke = policies.flatMap((p: any) => statementsOf(p.Properties.PolicyDocument)).find((s: any) => s.Action === 'lambda:InvokeFunction');
    expect(invoke.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(machine.node.scope!.node.findChild('Fn')), 'Arn'] });
    expect(policies.some((p: any) => /Log delivery and tracing/.test(p.Properties.Description))).toBe(true);
    expect(hardeningRecords(machine.node.defaultChild!).map((r) => r.change)).toContain('lambda:InvokeFunction narrowed to the function ARNs its tasks name (no ":*")');
  });

  test('applied twice gives the same template', () => {
    const build = (times: number) => {
      const { stack } = newStack();
      const m = invokingMachine(stack);
      for (let i = 0; i < times; i++) m.with(new StateMachineHardening());
      return Template.fromStack(stack).toJSON();
    };
    expect(build(2)).toEqual(build(1));
  });
});

describe('StateMachineHardening encrypts with the baseline key', () => {
  test('as SecureStateMachine does, with the execution role\'s key use limited to this account\'s state machines and log delivery', () => {
    const { stack } = newStack();
    const secure = new SecureStateMachine(stack, 'Secure', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    const machine = invokingMachine(stack);
    const before = logicalIdOf(machine);
    machine.with(new StateMachineHardening());
    const template = Template.fromStack(stack);

    const encryption = (m: sfn.StateMachine) => template.toJSON().Resources[logicalIdOf(m)].Properties.EncryptionConfiguration;
    expect(encryption(machine)).toEqual(encryption(secure));
    expect(encryption(machine)).toEqual({ Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^SecurityBaselineKey/), 'Arn'] }, KmsDataKeyReusePeriodSeconds: 300 });
    expect(logicalIdOf(machine)).toBe(before);
    // CloudFormation names the state machine: a condition naming its ARN would wait for it, so it names this account's state machines.
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p: any) => p.Properties.Roles?.some((r: any) => r.Ref === logicalIdOf(machine.role)))
      .flatMap((p: any) => statementsOf(p.Properties.PolicyDocument));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: {
        StringLike: {
          'kms:EncryptionContext:aws:states:stateMachineArn': stack.resolve(stack.formatArn({
            service: 'states', resource: 'stateMachine', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          })),
        },
      },
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'kms:GenerateDataKey',
      Condition: { StringEquals: { 'kms:EncryptionContext:SourceArn': stack.resolve(stack.formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })) } },
    }));
    expect(runtimeChangeRecords(machine.node.defaultChild!).map((r) => r.change)).toEqual([
      'definition and execution history encrypted with the baseline key, which the execution role may use for this state machine only: '
      + 'whoever reads its executions (the console, DescribeExecution, GetExecutionHistory) needs kms:Decrypt on the key',
    ]);
  });

  test('a named L1 state machine with a bare role: the exact ARN, in a policy the state machine depends on', () => {
    const { stack } = newStack();
    const role = new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    });
    const machine = new sfn.CfnStateMachine(stack, 'Machine', {
      stateMachineName: 'escalation', roleArn: role.attrArn, definitionString: '{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}',
    });
    machine.with(new StateMachineHardening());
    const template = Template.fromStack(stack);
    const { id, resource } = onlyResource(template, 'AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('^Key use of') } });
    expect(statementsOf(resource.Properties.PolicyDocument)[0].Condition).toEqual({
      StringEquals: {
        'kms:EncryptionContext:aws:states:stateMachineArn': stack.resolve(stack.formatArn({
          service: 'states', resource: 'stateMachine', resourceName: 'escalation', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        })),
      },
    });
    expect(resource.Properties.Roles).toEqual([{ Ref: 'Role' }]);
    expect(template.toJSON().Resources.Machine.DependsOn).toContain(id);
  });

  test('a state machine with encryption of its own keeps it', () => {
    const { stack } = newStack();
    const machine = new sfn.StateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
      encryptionConfiguration: new sfn.AwsOwnedEncryptionConfiguration(),
    });
    machine.with(new StateMachineHardening());
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', { EncryptionConfiguration: { Type: 'AWS_OWNED_KEY' } });
    expect(runtimeChangeRecords(machine.node.defaultChild!)).toEqual([]);
  });
});
