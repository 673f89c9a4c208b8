import { App, Mixins, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { plainFunction } from './cases';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { ComplianceProfile } from '../../src/core/profile';
import { runtimeChangeRecords } from '../../src/mixins/changes';
import { FunctionHardening, FunctionOutsideVpc } from '../../src/mixins/function-hardening';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { ENV, logicalIdOf, newStack, prefixListContext, thrownBy } from '../core/fixtures';

const changesOf = (fn: lambda.Function) => runtimeChangeRecords(fn.node.defaultChild!).map((r) => r.change);

describe('reserved concurrency is the mixin\'s reservedConcurrency prop', () => {
  test('STANDARD: a function keeps its concurrency unless the prop sets one, and then the change is listed', () => {
    const { stack } = newStack();
    const untouched = plainFunction(stack, 'Untouched');
    Mixins.of(untouched).apply(new FunctionHardening());
    const capped = plainFunction(stack, 'Capped');
    capped.with(new FunctionHardening({ reservedConcurrency: 25 }));
    const own = plainFunction(stack, 'Own', { reservedConcurrentExecutions: 3 });
    own.with(new FunctionHardening({ reservedConcurrency: 25 }));
    const resources = Template.fromStack(stack).toJSON().Resources;

    expect(resources[logicalIdOf(untouched)].Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(resources[logicalIdOf(capped)].Properties.ReservedConcurrentExecutions).toBe(25);
    expect(resources[logicalIdOf(own)].Properties.ReservedConcurrentExecutions).toBe(3);
    expect(changesOf(capped)).toContain('at most 25 executions at once (reserved concurrency 25, where it had none): requests beyond them are throttled, '
      + 'and 25 executions are set aside from the account\'s unreserved pool');
    expect(changesOf(untouched).some((c) => c.includes('reserved concurrency'))).toBe(false);
    expect(changesOf(own).some((c) => c.includes('reserved concurrency'))).toBe(false);
  });

  test('a function with provisioned concurrency keeps it and gets no reserved concurrency in STANDARD', () => {
    const { stack } = newStack();
    const fn = plainFunction(stack, 'Fn');
    fn.addAlias('live', { provisionedConcurrentExecutions: 4 });
    fn.with(new FunctionHardening({ reservedConcurrency: 2 }));
    const template = Template.fromStack(stack);
    expect(template.toJSON().Resources[logicalIdOf(fn)].Properties.ReservedConcurrentExecutions).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Alias', { ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 4 } });
  });

  test('REGULATED: a function without reserved concurrency, and no prop, is our error naming the prop', () => {
    const { stack } = newStack();
    plainFunction(stack, 'Fn');
    expect(thrownBy(() => Mixins.of(stack).apply(new FunctionHardening({ profile: ComplianceProfile.REGULATED }))).message).toBe(
      'S/Fn: invalid FunctionHardening.reservedConcurrency: received undefined; allowed: the number of concurrent executions to reserve for each '
      + 'function that has none: HIPAA and NIST 800-53 (the REGULATED profile) require a reserved concurrency, and each reserved execution is taken '
      + 'from the account\'s pool; e.g. new ServerlessHardening({ profile: ComplianceProfile.REGULATED, reservedConcurrency: 10 }), '
      + 'or reservedConcurrentExecutions on the function itself');
  });

  test('REGULATED: a function with provisioned concurrency only is our error naming reservedConcurrentExecutions', () => {
    const { stack } = newStack();
    new SecurityBaseline(stack, 'SecurityBaseline', { profile: ComplianceProfile.REGULATED });
    const fn = plainFunction(stack, 'Fn');
    fn.addAlias('live', { provisionedConcurrentExecutions: 4 });
    expect(thrownBy(() => fn.with(new FunctionHardening({ reservedConcurrency: 10 }))).message).toMatch(
      /^S\/Fn: invalid reservedConcurrentExecutions: received undefined; allowed: a reserved concurrency of at least its provisioned concurrency \(4\) on this function/);
  });

  test('REGULATED: a function that has its own reserved concurrency needs no prop', () => {
    const { stack } = newStack();
    const fn = plainFunction(stack, 'Fn', { reservedConcurrentExecutions: 2 });
    fn.with(new FunctionHardening({ profile: ComplianceProfile.REGULATED }));
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 2 });
  });

  test.each([
    [0, 'received 0'], [1.5, 'received 1.5'], ['10', 'received "10"'],
  ])('reservedConcurrency %p is our error', (value, received) => {
    expect(thrownBy(() => new ServerlessHardening({ reservedConcurrency: value as number })).message).toBe(
      `ServerlessHardening: invalid reservedConcurrency: ${received}; allowed: an integer from 1 to 1000000 executions`);
  });
});

describe('a function pointed at the internet', () => {
  const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('on the internet')).map((w) => String(w.entry.data));

  test('gets a warning naming FunctionOutsideVpc when the mixin places it in the VPC, and synth goes on', () => {
    const { stack } = newStack();
    plainFunction(stack, 'Notify', { environment: { SLACK_URL: 'https://hooks.slack.com/services/T0/B0/x', QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/q' } });
    Mixins.of(stack).apply(new FunctionHardening());
    expect(warningsOf(stack)).toEqual([expect.stringMatching(/^S\/Notify: SLACK_URL is https:\/\/hooks\.slack\.com\/services\/T0\/B0\/x, on the internet, .* fn\.with\(new FunctionOutsideVpc\('calls hooks\.slack\.com on the internet'\)\)/)]);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.anyValue() });
  });

  test('an AWS service URL, a function outside the VPC and an API on execute-api', () => {
    const { stack } = newStack();
    plainFunction(stack, 'Aws', { environment: { QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/q' } });
    plainFunction(stack, 'Outside', { environment: { URL: 'https://api.example.com' } }).with(new FunctionOutsideVpc('calls the partner API'));
    plainFunction(stack, 'Api', { environment: { URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod' } });
    Mixins.of(stack).apply(new FunctionHardening());
    expect(warningsOf(stack)).toEqual([expect.stringMatching(/^S\/Api: URL is https:\/\/abc123\.execute-api/)]);
  });
});

describe('FunctionHardening adds SecureFunction\'s failure alarm', () => {
  test('on errors, throttles and the dead-letter queue, to the baseline\'s alarm topic', () => {
    const { stack } = newStack();
    const fn = plainFunction(stack, 'Fn');
    fn.with(new FunctionHardening());
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: 'S/Fn: invocations failed, were throttled, or events reached the dead-letter queue',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^SecurityBaselineAlarmTopic') }],
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'errors + throttles + deadLetters' })]),
    });
  });

  test('an L1 function without an L2 gets it too, on its own metrics', () => {
    const { stack } = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const cfn = new lambda.CfnFunction(stack, 'Fn', {
      code: { zipFile: 'exports.handler = async () => 1' }, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_LATEST.name, role: role.roleArn,
    });
    cfn.with(new FunctionHardening());
    const alarm = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))[0] as any;
    const errors = alarm.Properties.Metrics.find((m: any) => m.Id === 'errors').MetricStat.Metric;
    expect(errors).toEqual({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Fn' } }] });
  });
});

describe('service permissions get SourceAccount, whatever construct made them', () => {
  const permissions = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Permission')).map((p: any) => p.Properties);

  test('LambdaRestApi, LambdaIntegration and HttpLambdaIntegration in a stack of an account', () => {
    const { stack } = newStack();
    new apigateway.LambdaRestApi(stack, 'Proxy', { handler: plainFunction(stack, 'ProxyFn') });
    new apigateway.RestApi(stack, 'Rest').root.addMethod('GET', new apigateway.LambdaIntegration(plainFunction(stack, 'RestFn')));
    new apigatewayv2.HttpApi(stack, 'Http').addRoutes({ path: '/', integration: new HttpLambdaIntegration('Http', plainFunction(stack, 'HttpFn')) });
    Mixins.of(stack).apply(new FunctionHardening());
    const found = permissions(stack);
    expect(found.length).toBe(7);
    expect(found.map((p) => p.SourceAccount)).toEqual(found.map(() => ENV.account));
  });

  test('a LambdaRestApi in an environment-agnostic stack: the account as the pseudo parameter', () => {
    const app = new App({ context: prefixListContext() });
    const stack = new Stack(app, 'Agnostic');
    new apigateway.LambdaRestApi(stack, 'Proxy', { handler: plainFunction(stack, 'ProxyFn') });
    Mixins.of(stack).apply(new FunctionHardening());
    const found = permissions(stack);
    expect(found.length).toBe(4);
    expect(found.map((p) => p.SourceAccount)).toEqual(found.map(() => ({ Ref: 'AWS::AccountId' })));
  });

  test('a permission for a resource of another, literal account is left as it is', () => {
    const { stack } = newStack();
    plainFunction(stack, 'Fn').addPermission('Partner', {
      principal: new iam.ServicePrincipal('events.amazonaws.com'), sourceArn: 'arn:aws:events:eu-west-1:222222222222:rule/partner',
    });
    Mixins.of(stack).apply(new FunctionHardening());
    expect(permissions(stack)[0].SourceAccount).toBeUndefined();
  });
});

describe('a function URL is the app\'s decision', () => {
  test('one without authentication is left as it is, with a warning naming the line to change', () => {
    const { stack } = newStack();
    const fn = plainFunction(stack, 'Fn');
    fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    Mixins.of(stack).apply(new FunctionHardening());
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('function URL')).map((w) => String(w.entry.data))).toEqual([
      'S/Fn/FunctionUrl/Resource: the function URL takes calls without authentication (authType NONE); FunctionHardening does not decide who may call it: '
      + 'set authType: lambda.FunctionUrlAuthType.AWS_IAM in addFunctionUrl, so callers sign their requests, or keep it and acknowledge '
      + 'ServerlessSecurity-LambdaUrlAuth with the reason [ack: cdk-secure-serverless:functionUrl]',
    ]);
  });

  test('one with IAM authentication and listed origins raises no warning', () => {
    const { stack } = newStack();
    plainFunction(stack, 'Fn').addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM, cors: { allowedOrigins: ['https://shop.example.com'] } });
    Mixins.of(stack).apply(new FunctionHardening());
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('function URL'))).toEqual([]);
  });
});
