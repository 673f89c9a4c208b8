import { Mixins } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CDK_MANAGED_LOG_GROUP_FLAG } from '../../src/function/cdk-managed-log-group';
import { SecureFunction } from '../../src/function/secure-function';
import { FunctionHardening } from '../../src/mixins/function-hardening';
import { CODE, HANDLER, newStack, statementsOf } from '../core/fixtures';
import { plainFunction } from '../mixins/cases';

/** Each case sets the flag itself, so the file asserts both settings under either flag set of the run. */
const SETTINGS: Array<[string, boolean]> = [[CDK_MANAGED_LOG_GROUP_FLAG, true], [CDK_MANAGED_LOG_GROUP_FLAG, false]];

describe.each(SETTINGS)('SecureFunction with %s = %s', (flag, on) => {
  let template: Template;
  let fn: SecureFunction;

  beforeAll(() => {
    const { stack } = newStack({ [flag]: on });
    fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    template = Template.fromStack(stack); // throws on a dependency cycle
  });

  const functionGroups = () => Object.entries<any>(template.toJSON().Resources)
    .filter(([id, r]) => r.Type === 'AWS::Logs::LogGroup' && id.startsWith('Fn'));

  test('the function has one log group, at the same logical id under either setting', () => {
    expect(functionGroups().map(([id]) => id)).toEqual(['FnLogGroup27CC2AC8']);
  });

  test(on ? 'the group keeps the name aws-cdk-lib gives it, /aws/lambda/<function name>, as a literal' : 'the group has a name CloudFormation generates', () => {
    const [[, resource]] = functionGroups();
    const name = template.toJSON().Resources.Fn9270CBC0.Properties.FunctionName;
    expect(resource.Properties.LogGroupName).toEqual(on ? `/aws/lambda/${name}` : undefined);
  });

  test('the group is encrypted with the baseline key, kept a year and retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecurityBaselineKey'), 'Arn'] } },
    });
  });

  test('the function logs to it and its role may write it only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: 'FnLogGroup27CC2AC8' } } });
    const writes = statementsOf(fn.policy.document.toJSON()).filter((s) => [s.Action].flat().includes('logs:PutLogEvents'));
    expect(writes.map((s) => fn.stack.resolve(s.Resource))).toEqual([{ 'Fn::GetAtt': ['FnLogGroup27CC2AC8', 'Arn'] }]);
  });
});

describe.each(SETTINGS)('FunctionHardening on a plain function with %s = %s', (flag, on) => {
  let plain: any;
  let hardened: any;

  beforeAll(() => {
    const before = newStack({ [flag]: on });
    plainFunction(before.stack, 'Fn');
    plain = Template.fromStack(before.stack).toJSON();
    const after = newStack({ [flag]: on });
    plainFunction(after.stack, 'Fn');
    Mixins.of(after.stack).apply(new FunctionHardening());
    hardened = Template.fromStack(after.stack).toJSON(); // throws on a dependency cycle
  });

  const groupsNamedAfter = (template: any) => Object.entries<any>(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Logs::LogGroup' && JSON.stringify(r.Properties?.LogGroupName ?? '').includes('/aws/lambda/'));

  if (on) {
    test('aws-cdk-lib\'s /aws/lambda/<function> group is hardened where it is: same logical id, same name', () => {
      const [[id, group]] = groupsNamedAfter(plain);
      expect(hardened.Resources[id].Properties.LogGroupName).toEqual(group.Properties.LogGroupName);
      expect(hardened.Resources[id].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SecurityBaselineKey/), 'Arn'] });
      expect(hardened.Resources[id].DeletionPolicy).toBe('Retain');
      expect(hardened.Resources.Fn9270CBC0.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON' });
    });

    test('the statement on that group is in a policy the function does not depend on', () => {
      const [[id]] = groupsNamedAfter(plain);
      const [policyId, policy] = Object.entries<any>(hardened.Resources)
        .find(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && /may write its own log group only/.test(r.Properties.Description))!;
      expect(statementsOf(policy.Properties.PolicyDocument)).toEqual([{
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [id, 'Arn'] },
      }]);
      expect(hardened.Resources.Fn9270CBC0.DependsOn ?? []).not.toContain(policyId);
    });
  } else {
    test('no group is named /aws/lambda/<function>, which Lambda has already created for a deployed plain function', () => {
      expect(groupsNamedAfter(plain)).toEqual([]);
      expect(groupsNamedAfter(hardened)).toEqual([]);
      expect(hardened.Resources.Fn9270CBC0.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/^FnLogGroup/) });
    });
  }

  test('every logical id of the plain function stays', () => {
    expect(Object.keys(hardened.Resources)).toEqual(expect.arrayContaining(Object.keys(plain.Resources)));
  });
});

test('the flag is the one aws-cdk-lib reads', () => {
  expect(CDK_MANAGED_LOG_GROUP_FLAG).toBe(cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP);
});
