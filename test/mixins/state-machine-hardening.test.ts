import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { invokingMachine } from './cases';
import { hardeningRecords } from '../../src/mixins/changes';
import { StateMachineHardening } from '../../src/mixins/state-machine-hardening';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import { logicalIdOf, newStack, statementsOf } from '../core/fixtures';

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
