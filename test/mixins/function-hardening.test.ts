import { Mixins } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { plainFunction } from './cases';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { WAIVER_METADATA } from '../../src/core/acknowledgements';
import { ComplianceProfile } from '../../src/core/profile';
import { CDK_MANAGED_LOG_GROUP_FLAG } from '../../src/function/cdk-managed-log-group';
import { FUNCTION_DEFAULTS } from '../../src/function/function-defaults';
import { SecureFunction } from '../../src/function/secure-function';
import { HARDENING_METADATA, hardeningRecords } from '../../src/mixins/changes';
import { FunctionHardening, FunctionOutsideVpc } from '../../src/mixins/function-hardening';
import { InlinePolicyHardening } from '../../src/mixins/inline-policy-hardening';
import { LogGroupHardening } from '../../src/mixins/log-group-hardening';
import { CODE, HANDLER, metadataOf, newStack, onlyResource, statementsOf, thrownBy } from '../core/fixtures';
import { flagOn } from '../feature-flags';

const cdkManagedLogGroup = flagOn(CDK_MANAGED_LOG_GROUP_FLAG);

describe('FunctionHardening on a default lambda.Function', () => {
  let template: Template;
  let fn: lambda.Function;
  let before: string[];

  beforeAll(() => {
    const plain = newStack();
    plainFunction(plain.stack, 'Fn');
    before = Object.keys(Template.fromStack(plain.stack).toJSON().Resources);
    const { stack } = newStack();
    fn = plainFunction(stack, 'Fn');
    Mixins.of(stack).apply(new FunctionHardening());
    template = Template.fromStack(stack);
  });

  test('keeps every logical id of the plain function', () => {
    const after = Object.keys(template.toJSON().Resources);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  test('writes SecureFunction\'s settings into the function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: FUNCTION_DEFAULTS.reservedConcurrentExecutions,
      MemorySize: 128,
      Timeout: 3,
      // Under useCdkManagedLogGroup the group is named after the function, where Lambda writes by default.
      LoggingConfig: { LogFormat: 'JSON', LogGroup: cdkManagedLogGroup ? Match.absent() : { Ref: Match.stringLikeRegexp('^FnLogGroup') } },
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecurityBaselineKey'), 'Arn'] },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnDeadLetterQueue'), 'Arn'] } },
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^FnSecurityGroup'), 'GroupId'] }] },
    });
  });

  test('the role keeps no AWS-managed or inline policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the role may decrypt only this function\'s environment, from a policy the function does not depend on', () => {
    const { id, resource } = onlyResource(template, 'AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('decrypt its own environment') } });
    expect(statementsOf(resource.Properties.PolicyDocument)).toEqual([expect.objectContaining({
      Action: 'kms:Decrypt',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:lambda:FunctionArn': [{ 'Fn::GetAtt': ['Fn9270CBC0', 'Arn'] }, expect.anything()] } },
    })]);
    const fnResource = template.toJSON().Resources.Fn9270CBC0;
    expect(fnResource.DependsOn).not.toContain(id);
  });

  test('the log group is encrypted, retained and kept a year', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: Match.anyValue() },
    });
  });

  test('records each change on the function resource', () => {
    const changes = hardeningRecords(fn.node.defaultChild!).map((r) => r.change);
    expect(changes).toEqual(expect.arrayContaining([
      'active X-Ray tracing',
      cdkManagedLogGroup
        ? 'logs to aws-cdk-lib\'s log group S/Fn/LogGroup, now encrypted with the baseline key and retained'
        : 'logs to its own log group, encrypted with the baseline key and retained',
      'failed asynchronous events go to an encrypted, TLS-only dead-letter queue',
      expect.stringMatching(/^placed in the private subnets/),
      expect.stringMatching(/^environment encrypted with the baseline key/),
    ]));
    expect(hardeningRecords(fn.role!.node.defaultChild!).map((r) => r.change))
      .toEqual(['AWS-managed policy AWSLambdaBasicExecutionRole replaced by statements scoped to the function']);
  });
});

describe('FunctionHardening is idempotent and the same on the L2 and its L1', () => {
  const build = (apply: (fn: lambda.Function) => void) => {
    const { stack } = newStack();
    const fn = plainFunction(stack, 'Fn', { environment: { A: 'b' } });
    apply(fn);
    return { json: Template.fromStack(stack).toJSON(), fn };
  };
  let once: ReturnType<typeof build>;

  beforeAll(() => {
    once = build((fn) => fn.with(new FunctionHardening()));
  });

  test('applied twice gives the same template and records nothing new', () => {
    const twice = build((fn) => fn.with(new FunctionHardening()).with(new FunctionHardening()));
    expect(twice.json).toEqual(once.json);
    expect(metadataOf(twice.fn.node.defaultChild!, HARDENING_METADATA)).toEqual(metadataOf(once.fn.node.defaultChild!, HARDENING_METADATA));
  });

  test('applied to the defaultChild gives the same template', () => {
    expect(build((fn) => fn.node.defaultChild!.with(new FunctionHardening())).json).toEqual(once.json);
  });
});

describe('SecureFunction and a hardened plain function agree', () => {
  test('on tracing, log format, reserved concurrency, environment key and log group', () => {
    const { stack } = newStack();
    new SecureFunction(stack, 'Secure', { code: CODE, handler: HANDLER });
    plainFunction(stack, 'Plain').with(new FunctionHardening());
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: HANDLER } }))
      .map((r: any) => r.Properties);
    const shared = (p: any) => ({
      TracingConfig: p.TracingConfig,
      LogFormat: p.LoggingConfig.LogFormat,
      ReservedConcurrentExecutions: p.ReservedConcurrentExecutions,
      KmsKeyArn: p.KmsKeyArn,
    });
    expect(functions).toHaveLength(2);
    expect(shared(functions[0])).toEqual(shared(functions[1]));
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')).filter((g: any) => g.Properties.RetentionInDays === 365);
    expect(new Set(groups.map((g: any) => JSON.stringify([g.DeletionPolicy, g.Properties.KmsKeyId])))).toEqual(
      new Set([JSON.stringify(['Retain', { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::KMS::Key'))[0], 'Arn'] }])]));
  });
});

describe('what FunctionHardening leaves to the user', () => {
  test('an old runtime stays, with a warning that names the runtime to set', () => {
    const { stack } = newStack();
    plainFunction(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X }).with(new FunctionHardening());
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs20.x' });
    Annotations.fromStack(stack).hasWarning('/S/Fn/Resource',
      Match.stringLikeRegexp(`runtime nodejs20.x is not the newest nodejs runtime; FunctionHardening leaves it to you: set runtime: lambda.Runtime.NODEJS_${lambda.Runtime.NODEJS_LATEST.name.match(/\d+/)![0]}_X`));
  });

  test('FunctionOutsideVpc records its waiver and keeps the function out of the VPC', () => {
    const { stack } = newStack();
    const fn = plainFunction(stack, 'Fn').with(new FunctionOutsideVpc('calls a SaaS API')).with(new FunctionHardening());
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
    expect(metadataOf(fn.node.defaultChild!, WAIVER_METADATA)).toEqual([{ setting: 'network', value: 'outsideVpc', reason: 'calls a SaaS API' }]);
  });

  test('FunctionOutsideVpc after FunctionHardening is our error', () => {
    const { stack } = newStack();
    const fn = plainFunction(stack, 'Fn').with(new FunctionHardening());
    expect(thrownBy(() => fn.with(new FunctionOutsideVpc('calls a SaaS API'))).message).toBe(
      'S/Fn/Resource: invalid FunctionOutsideVpc: received "applied after FunctionHardening"; allowed: FunctionOutsideVpc applied before FunctionHardening or ServerlessHardening, ' +
      'which place the function in the private network');
  });

  test('a profile other than the stack baseline\'s is our error', () => {
    const { stack } = newStack();
    new SecurityBaseline(stack, 'SecurityBaseline', { profile: ComplianceProfile.STANDARD });
    const fn = plainFunction(stack, 'Fn');
    expect(thrownBy(() => fn.with(new FunctionHardening({ profile: ComplianceProfile.REGULATED }))).message).toMatch(
      /^S\/Fn\/Resource: invalid FunctionHardening.profile: received "REGULATED"; allowed: the profile of the stack.s SecurityBaseline \(STANDARD\), or no profile: one stack is hardened to one bar$/);
  });

  test('a profile that is not a ComplianceProfile is our error', () => {
    expect(thrownBy(() => new FunctionHardening({ profile: 'GOLD' as ComplianceProfile })).message).toBe(
      'FunctionHardening: invalid profile: received "GOLD"; allowed: one of ComplianceProfile: "STANDARD", "REGULATED"');
  });

  test('SecureFunction is left untouched', () => {
    const { stack } = newStack();
    const secure = new SecureFunction(stack, 'Secure', { code: CODE, handler: HANDLER });
    expect(new FunctionHardening().supports(secure)).toBe(false);
    expect(new FunctionHardening().supports(secure.node.defaultChild!)).toBe(false);
    expect(new FunctionHardening().supports(lambda.Function.fromFunctionName(stack, 'Imported', 'x'))).toBe(false);
  });
});

describe('LogGroupHardening and InlinePolicyHardening', () => {
  test('a plain log group gets the baseline key and a retention raised to the baseline\'s, and stays retained', () => {
    const { stack } = newStack();
    const group = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_WEEK });
    group.with(new LogGroupHardening());
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecurityBaselineKey'), 'Arn'] } },
    });
    expect(hardeningRecords(group.node.defaultChild!).map((r) => r.change)).toEqual([
      'encrypted with the baseline key', 'retention raised from 7 to 365 days, the baseline\'s',
    ]);
  });

  test('a group kept forever stays so, with a warning naming the fix; an L1 is retained', () => {
    const { stack } = newStack();
    const group = new logs.CfnLogGroup(stack, 'Logs').with(new LogGroupHardening());
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { RetentionInDays: Match.absent() } });
    expect(hardeningRecords(group).map((r) => r.change)).toContain('retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain)');
    Annotations.fromStack(stack).hasWarning('/S/Logs', Match.stringLikeRegexp('set retention: logs.RetentionDays.ONE_YEAR'));
  });

  test('an inline policy becomes a customer-managed policy on the same role, and dependants follow it', () => {
    const { stack } = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    const policy = new iam.Policy(stack, 'Extra', { statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:111111111111:q'] })] });
    policy.attachToRole(role);
    const dependant = new ssm.StringParameter(stack, 'Dependant', { stringValue: 'v' });
    dependant.node.addDependency(policy);
    Mixins.of(stack).apply(new InlinePolicyHardening());
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const { id } = onlyResource(template, 'AWS::IAM::ManagedPolicy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Role') }], PolicyDocument: { Statement: [Match.objectLike({ Action: 'sqs:SendMessage' })] } },
    });
    expect(template.toJSON().Resources[Object.keys(template.findResources('AWS::SSM::Parameter'))[0]].DependsOn).toEqual([id]);
  });
});
