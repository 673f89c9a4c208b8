process.env.CDK_VALIDATION = 'false';

import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { SecureFunction } from '../../src/function/secure-function';
import { CODE, expectSameStatements, HANDLER, logicalIdOf, managedPolicyStatementsOf, newStack } from '../core/fixtures';

/**
 * Invoke grants on a SecureFunction name exactly the ARNs invoked (never
 * aws-cdk-lib's `<arn>:*`), and reach a plain role through a customer-managed
 * policy instead of its inline DefaultPolicy.
 */
describe('SecureFunction invoke grants', () => {
  let stack: Stack;
  let template: Template;
  let target: SecureFunction;
  let plain: iam.Role;
  let caller: SecureFunction;
  let schedulerRole: iam.Role;
  let task: tasks.LambdaInvoke;

  beforeAll(() => {
    ({ stack } = newStack());
    target = new SecureFunction(stack, 'Target', { code: CODE, handler: HANDLER });
    plain = new iam.Role(stack, 'Plain', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    target.grantInvoke(plain);
    target.grantInvokeLatestVersion(plain);
    target.grantInvokeVersion(plain, target.currentVersion);
    caller = new SecureFunction(stack, 'Caller', { code: CODE, handler: HANDLER });
    target.grantInvoke(caller);
    new scheduler.Schedule(stack, 'Hourly', {
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: new schedulerTargets.LambdaInvoke(target, {}),
    });
    schedulerRole = stack.node.children.find(c => c.node.id.startsWith('SchedulerRoleForTarget-')) as iam.Role;
    task = new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: target });
    template = Template.fromStack(stack);
  });

  const invoke = (resource: unknown) => ({ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: resource });
  const arn = () => ({ 'Fn::GetAtt': [logicalIdOf(target), 'Arn'] });

  test('a plain role gets the function, $LATEST and a version by name, in a customer-managed policy of its own', () => {
    expectSameStatements(managedPolicyStatementsOf(template, logicalIdOf(plain)), [
      invoke(arn()),
      invoke([{ 'Fn::Join': ['', [arn(), ':$LATEST']] }, arn()]),
      invoke({ Ref: logicalIdOf(target.currentVersion) }),
    ]);
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('a SecureFunction caller gets the function\'s ARN only, in its own policy', () => {
    expect(managedPolicyStatementsOf(template, logicalIdOf(caller.role!))).toContainEqual(invoke(arn()));
  });

  test('aws-cdk-lib\'s scheduler target role may invoke exactly the function, without an inline policy', () => {
    expect(managedPolicyStatementsOf(template, logicalIdOf(schedulerRole))).toEqual([invoke(arn())]);
  });

  test('tasks.LambdaInvoke asks for the function\'s ARN only', () => {
    // taskPolicies is protected: read what the task hands its state machine's role.
    expect(stack.resolve((task as any).taskPolicies.flatMap((s: iam.PolicyStatement) => s.resources))).toEqual([arn()]);
  });
});
