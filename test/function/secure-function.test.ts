process.env.CDK_VALIDATION = 'false';

import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA, WAIVER_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { LogRetention } from '../../src/core/log-retention';
import { FunctionNetwork } from '../../src/function/function-network';
import { RequiredWildcards, requiredWildcardsPolicy } from '../../src/function/required-wildcards';
import { SecureFunction, SecureFunctionProps } from '../../src/function/secure-function';
import {
  asArray, CODE, ENV, HANDLER, logicalIdOf, logicalIds, managedPolicyStatementsOf, metadataOf, newStack, partitionArn, PREFIX_LISTS,
  referencedIds, thrownBy,
} from '../core/fixtures';

/** The newest nodejs runtime of the installed aws-cdk-lib, computed independently of src/. */
const NEWEST_NODEJS = lambda.Runtime.ALL
  .map(r => r.name)
  .filter(name => /^nodejs\d+\.x$/.test(name))
  .sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10))
  .pop()!;

/** A stack `S` with one SecureFunction `Fn`, not yet synthesized. */
function make(props: Partial<SecureFunctionProps> = {}) {
  const { app, stack } = newStack();
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, ...props });
  return { app, stack, fn };
}

/** The same, synthesized. */
function build(props: Partial<SecureFunctionProps> = {}) {
  const built = make(props);
  return { ...built, template: Template.fromStack(built.stack) };
}

function errorOf(props: Partial<SecureFunctionProps>): Error {
  const { stack } = newStack();
  return thrownBy(() => new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, ...props }));
}

describe('SecureFunction defaults', () => {
  // GIVEN one function with defaults, synthesized once
  const { stack, fn, template } = build();
  const resources = template.toJSON().Resources;
  const fnId = logicalIdOf(fn);
  const props = resources[fnId].Properties;
  const roleId = logicalIdOf(fn.role!);
  const logGroupId = logicalIdOf(fn.logGroup);
  const dlqId = logicalIdOf(fn.deadLetterQueue!);
  const keyId = logicalIdOf(SecurityBaseline.of(stack).key);
  const statements = managedPolicyStatementsOf(template, roleId);
  const statementsOfPolicy = (policy: iam.ManagedPolicy): any[] => [resources[logicalIdOf(policy)].Properties.PolicyDocument.Statement].flat();

  test('has its own role, with no AWS-managed and no inline policy; it attaches the stack\'s shared policy of the wildcards AWS requires', () => {
    expect(props.Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const role = resources[roleId].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(role.ManagedPolicyArns).toEqual([{ Ref: logicalIdOf(requiredWildcardsPolicy(stack, RequiredWildcards.TRACING_IN_VPC)) }]);
    expect(role.Policies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('has exactly one customer-managed policy attached to its role', () => {
    const attached = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([, policy]: [string, any]) => (policy.Properties.Roles ?? []).some((role: any) => role.Ref === roleId));

    expect(attached.map(([id]) => id)).toEqual([logicalIdOf(fn.policy)]);
    expect((attached[0][1] as any).Properties.Roles).toEqual([{ Ref: roleId }]);
  });

  test('logs in JSON to its own encrypted log group, retained and kept a year', () => {
    expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId }, LogFormat: 'JSON' });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, RetentionInDays: 365 },
    });
    expect(resources[logGroupId].DeletionPolicy).toBe('Retain');
  });

  test('may write logs to its own log group only', () => {
    const logStatements = statements.filter(s => asArray(s.Action).some((a: string) => a.startsWith('logs:')));

    expect(logStatements).toEqual([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } }]);
  });

  test('encrypts its environment with the baseline key', () => {
    expect(props.KmsKeyArn).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('traces actively', () => {
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
  });

  test('sets memory, timeout and reserved concurrency explicitly', () => {
    expect(props).toMatchObject({ MemorySize: 512, Timeout: 10, ReservedConcurrentExecutions: 10 });
    expect(props.Architectures).toEqual(['arm64']);
  });

  test('runs on the newest nodejs runtime aws-cdk-lib knows', () => {
    expect(props.Runtime).toBe(NEWEST_NODEJS);
  });

  test('sends failed events to an encrypted, TLS-only dead-letter queue', () => {
    expect(props.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    expect(resources[dlqId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'sqs:*',
          Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }]),
      },
    });
  });

  test('sends failed asynchronous invocations to the dead-letter queue after Lambda\'s two retries, with no EventInvokeConfig repeating it', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } } });
    expect(template.findResources('AWS::Lambda::EventInvokeConfig', { Properties: { FunctionName: { Ref: fnId } } })).toEqual({});
  });

  test('runs in the isolated subnets with a security group of its own', () => {
    const network = SecurityBaseline.of(stack).network;
    const sgId = logicalIdOf(fn.securityGroup!);

    expect(props.VpcConfig).toEqual({
      SubnetIds: network.vpc.isolatedSubnets.map(s => ({ Ref: logicalIdOf(s) })),
      SecurityGroupIds: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
    });
    expect(network.vpc.isolatedSubnets).toHaveLength(2);
  });

  test('its security group allows no egress until it is granted something', () => {
    const sgId = logicalIdOf(fn.securityGroup!);
    const sg = resources[sgId].Properties;

    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
    expect(Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).filter((r: any) => r.Properties.GroupId['Fn::GetAtt'][0] === sgId)).toEqual([]);
  });

  test('one alarm on errors, throttles and dead-letter queue depth to the alarm topic', () => {
    const topicId = logicalIdOf(SecurityBaseline.of(stack).alarmTopic);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);

    expect(alarms).toHaveLength(1);
    const [alarm] = alarms;
    const metrics = alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName).sort();
    expect(metrics).toEqual(['ApproximateNumberOfMessagesVisible', 'Errors', 'Throttles']);
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toBe('errors + throttles + deadLetters');
    expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(alarm.Threshold).toBe(1);
    expect(fn.alarms).toHaveLength(1);
  });

  test('only the function waits for the routes of its subnets; its queue, queue policy, log group and alarm do not', () => {
    const routes = SecurityBaseline.of(stack).network.vpc.isolatedSubnets
      .map(s => logicalIdOf(s.node.findChild('RouteTableAssociation') as CfnResource));
    const alarmId = logicalIdOf(fn.alarms[0]);
    const queuePolicyId = logicalIdOf(fn.deadLetterQueue!.node.findChild('Policy'));

    expect(routes).toHaveLength(2);
    expect(resources[fnId].DependsOn).toEqual(expect.arrayContaining(routes));
    for (const id of [dlqId, queuePolicyId, logGroupId, alarmId]) expect([id, resources[id].DependsOn]).toEqual([id, undefined]);
  });

  test('every statement of its policies names its own resources, the shared key, or the AWS-required "*" (in the shared policy only)', () => {
    const allowed = new Set([logGroupId, dlqId, keyId, '*']);

    for (const statement of statements) {
      expect([...referencedIds(statement.Resource)].filter(id => !allowed.has(id))).toEqual([]);
    }
    const wildcard = statements.filter(s => asArray(s.Resource).includes('*')).flatMap(s => asArray(s.Action)).sort();
    expect(wildcard).toEqual([
      'ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
    ]);
    expect(statementsOfPolicy(fn.policy).filter(s => asArray(s.Resource).includes('*'))).toEqual([]);
  });

  test('is recognised as a SecureFunction', () => {
    expect(SecureFunction.isSecureFunction(fn)).toBe(true);
    expect(SecureFunction.isSecureFunction(new lambda.Function(stack, 'Plain', { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST }))).toBe(false);
  });
});

describe('SecureFunction overrides', () => {
  // GIVEN one function with every explicit setting, synthesized once
  const { fn, template } = build({
    memorySize: 1024,
    timeout: Duration.seconds(30),
    reservedConcurrentExecutions: 5,
    retryAttempts: 0,
    architecture: lambda.Architecture.X86_64,
    runtime: lambda.Runtime.ALL.find(r => r.name === NEWEST_NODEJS && !r.isVariable),
    logRetention: LogRetention.days(logs.RetentionDays.TWO_YEARS),
    environment: { TABLE_NAME: 'orders', SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db' },
    description: 'gets an order',
  });

  test('memory, timeout, concurrency and architecture are the ones given', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024, Timeout: 30, ReservedConcurrentExecutions: 5, Architectures: ['x86_64'], Description: 'gets an order',
    });
  });

  test('retryAttempts is the one given', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, DestinationConfig: Match.absent() });
  });

  test('logRetention is the one given', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
    expect(metadataOf(fn, WAIVER_METADATA)).toEqual([]);
  });

  test('plain environment values are kept', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { TABLE_NAME: 'orders', SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db' } },
    });
  });

  test('a log retention below a year with a reason is applied and recorded as a waiver', () => {
    const reason = 'debug logs of a preview environment';
    const { fn: short, template: t } = build({ logRetention: LogRetention.belowMinimum(logs.RetentionDays.ONE_WEEK, reason) });

    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    expect(metadataOf(short, WAIVER_METADATA)).toEqual([{ setting: 'logRetention', value: '7 days', reason }]);
  });
});

describe('FunctionNetwork.outsideVpc(reason)', () => {
  const reason = 'calls a SaaS API with no VPC endpoint';
  const { fn, template } = build({ network: FunctionNetwork.outsideVpc(reason) });

  test('the function has no VpcConfig and no security group, and no network is created', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: HANDLER, VpcConfig: Match.absent() });
    expect(fn.securityGroup).toBeUndefined();
    expect(fn.network).toBeUndefined();
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });

  test('its role may not manage network interfaces', () => {
    const actions = managedPolicyStatementsOf(template, logicalIdOf(fn.role!)).flatMap(s => asArray(s.Action));

    expect(actions.filter((a: string) => a.startsWith('ec2:'))).toEqual([]);
  });

  test('records the waiver and acknowledges exactly the in-VPC findings with the reason', () => {
    expect(metadataOf(fn, WAIVER_METADATA)).toEqual([{ setting: 'network', value: 'outsideVpc', reason }]);
    expect(metadataOf(fn, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([
      { id: 'HIPAA.Security-LambdaInsideVPC', reason },
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason },
      { id: 'PCI.DSS.321-LambdaInsideVPC', reason },
      { id: 'ControlTower-CT.LAMBDA.PR.3', reason },
    ]);
  });

  test.each(['', '  ', 'x'])('with reason %j throws our error', bad => {
    const error = thrownBy(() => FunctionNetwork.outsideVpc(bad));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`FunctionNetwork.outsideVpc: invalid reason: received ${JSON.stringify(bad)}; `
      + 'allowed: a written reason of at least 3 characters explaining why the default is weakened');
  });
});

describe('secrets', () => {
  // GIVEN a function reading one of two secrets
  const { stack } = newStack();
  const secret = new secretsmanager.Secret(stack, 'Secret');
  const other = new secretsmanager.Secret(stack, 'Other');
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, secrets: { DB: secret } });
  const template = Template.fromStack(stack);
  const secretId = logicalIdOf(secret);

  test('puts the secret ARN, never its value, in the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { DB: { Ref: secretId } } } });
  });

  test('grants secretsmanager:GetSecretValue on that secret only', () => {
    const statements = managedPolicyStatementsOf(template, logicalIdOf(fn.role!))
      .filter(s => asArray(s.Action).some((a: string) => a.startsWith('secretsmanager:')));

    expect(statements).toHaveLength(1);
    expect(asArray(statements[0].Action)).toContain('secretsmanager:GetSecretValue');
    expect(statements[0].Resource).toEqual({ Ref: secretId });
    const named = managedPolicyStatementsOf(template, logicalIdOf(fn.role!)).flatMap(s => [...referencedIds(s.Resource)]);
    expect(named).not.toContain(logicalIdOf(other));
  });

  test('creates the Secrets Manager endpoint and opens it to the function', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.eu-west-1.secretsmanager', VpcEndpointType: 'Interface' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(fn.securityGroup!), 'GroupId'] }, FromPort: 443, ToPort: 443,
    });
  });

  test.each([
    ['a bad variable name', { 'bad-name': secret }, 'S/Fn: invalid secrets.bad-name: received "bad-name"; allowed: an environment variable name: a letter, then letters, digits and underscores'],
    ['a name also used in environment', { TABLE: secret }, 'S/Fn: invalid secrets.TABLE: received "TABLE"; allowed: a name not also used in environment'],
    ['something that is not a secret', { DB: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db' as unknown as secretsmanager.ISecret },
      'S/Fn: invalid secrets.DB: received "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db"; allowed: a secretsmanager.ISecret, such as a SecureSecret'],
  ])('%s throws our error', (_label, secrets, message) => {
    const error = errorOf({ secrets, environment: { TABLE: 'orders' } });

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(message);
  });
});

describe('credential-looking environment values', () => {
  test.each([
    ['PASSWORD', 'hunter2', 'S/Fn: invalid environment.PASSWORD: received "…" (the name PASSWORD denotes a credential and the value is a literal); '],
    ['KEY', 'AKIAIOSFODNN7EXAMPLE', 'S/Fn: invalid environment.KEY: received "AKIA…" (the value contains an AWS access key id); '],
    ['DB_PASSWORD', 'correct-horse-battery-staple', 'S/Fn: invalid environment.DB_PASSWORD: received "corr…" (the name DB_PASSWORD denotes a credential and the value is a literal); '],
  ])('%s=%s throws our error without the full value', (name, value, start) => {
    const error = errorOf({ environment: { [name]: value } });

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(start + 'allowed: values that are not credentials; pass a secret with `secrets: { NAME: secret }` so only its ARN is in the environment');
    expect(error.message).not.toContain(value);
  });

  test('addEnvironment after construction is checked the same way', () => {
    const { fn } = make();

    const error = thrownBy(() => fn.addEnvironment('API_KEY', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toMatch(/^S\/Fn: invalid environment\.API_KEY: received "sk_l…" /);
    expect(error.message).not.toContain('sk_live_4eC39HqLyjWDarjtT1zdp7dc');
  });

  test('names that only mention a credential are accepted', () => {
    const { template } = build({ environment: { SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x', TOKEN_TABLE: 'tokens', PASSWORD_ROTATION: 'true' } });

    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { TOKEN_TABLE: 'tokens' } } });
  });

  test('a variable name Lambda reserves throws our error', () => {
    const error = errorOf({ environment: { AWS_REGION: 'eu-west-1' } });

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toMatch(/^S\/Fn: invalid environment\.AWS_REGION: received "AWS_REGION"; allowed: /);
  });
});

describe('invoke permissions', () => {
  test('a service principal without sourceArn throws our error', () => {
    const { fn } = make();

    const error = thrownBy(() => fn.addPermission('Events', { principal: new iam.ServicePrincipal('events.amazonaws.com') }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Fn: invalid permission.sourceArn: received undefined; '
      + 'allowed: the ARN of the events.amazonaws.com resource allowed to invoke the function (confused-deputy protection)');
  });

  test('a service principal wrapped in conditions without a source ARN throws our error', () => {
    const { fn } = make();
    const principal = new iam.ServicePrincipal('events.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': '111111111111' } });

    const error = thrownBy(() => fn.addPermission('Events', { principal }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toMatch(/^S\/Fn: invalid permission\.sourceArn: received undefined; allowed: the ARN of the events\.amazonaws\.com resource/);
  });

  test('grantInvoke to a service principal goes through the same check', () => {
    const { fn } = make();

    expect(() => fn.grantInvoke(new iam.ServicePrincipal('sns.amazonaws.com'))).toThrow(SecureServerlessError);
  });

  test('a service principal with sourceArn also gets SourceAccount', () => {
    const { fn } = make();
    const rule = 'arn:aws:events:eu-west-1:111111111111:rule/nightly';

    fn.addPermission('Events', { principal: new iam.ServicePrincipal('events.amazonaws.com'), sourceArn: rule });

    Template.fromStack(fn.stack).hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com', SourceArn: rule, SourceAccount: '111111111111', Action: 'lambda:InvokeFunction',
    });
  });

  test('an explicit sourceAccount is kept', () => {
    const { fn } = make();

    fn.addPermission('S3', { principal: new iam.ServicePrincipal('s3.amazonaws.com'), sourceArn: 'arn:aws:s3:::bucket', sourceAccount: '222222222222' });

    Template.fromStack(fn.stack).hasResourceProperties('AWS::Lambda::Permission', { SourceAccount: '222222222222' });
  });

  test('an account principal needs no source condition', () => {
    const { fn } = make();

    fn.addPermission('Account', { principal: new iam.AccountPrincipal('111111111111') });

    Template.fromStack(fn.stack).hasResourceProperties('AWS::Lambda::Permission', { Principal: '111111111111', SourceArn: Match.absent() });
  });
});

describe('function URLs', () => {
  test('authType NONE throws our error', () => {
    const { fn } = make();

    const error = thrownBy(() => fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Fn: invalid authType: received "NONE"; allowed: FunctionUrlAuthType.AWS_IAM (a function URL without auth is public)');
  });

  test('CORS for every origin throws our error', () => {
    const { fn } = make();

    const error = thrownBy(() => fn.addFunctionUrl({ cors: { allowedOrigins: ['*'] } }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Fn: invalid cors.allowedOrigins: received ["*"]; allowed: explicit origins, not "*"');
  });

  test('the default is AWS_IAM auth', () => {
    const { fn } = make();

    fn.addFunctionUrl();

    Template.fromStack(fn.stack).hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
  });
});

describe('interface and gateway endpoints', () => {
  test('allowInterfaceEndpoint creates the endpoint once per service', () => {
    const { stack, fn } = make();

    fn.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SNS);
    fn.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SNS);

    expect(logicalIds(Template.fromStack(stack), 'AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })).toHaveLength(1);
  });

  test('allowGatewayEndpoint opens HTTPS egress to the prefix list once, and rejects other services with our error', () => {
    const { stack, fn } = make();

    fn.allowGatewayEndpoint('dynamodb');
    fn.allowGatewayEndpoint('dynamodb');
    const error = thrownBy(() => fn.allowGatewayEndpoint('sqs'));

    const template = Template.fromStack(stack);
    const sg = template.toJSON().Resources[logicalIdOf(fn.securityGroup!)].Properties;
    // Written into the group itself: a literal prefix-list id refers to nothing, so no separate rule resource is needed.
    expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ DestinationPrefixListId: PREFIX_LISTS.dynamodb, FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Fn: invalid service: received "sqs"; allowed: "dynamodb" or "s3"');
  });
});

describe('bad props throw our error with the exact message', () => {
  test.each<[string, Partial<SecureFunctionProps>, string]>([
    ['memorySize below 128', { memorySize: 64 }, 'S/Fn: invalid memorySize: received 64; allowed: an integer from 128 to 10240 MB'],
    ['memorySize above 10240', { memorySize: 10241 }, 'S/Fn: invalid memorySize: received 10241; allowed: an integer from 128 to 10240 MB'],
    ['fractional memorySize', { memorySize: 512.5 }, 'S/Fn: invalid memorySize: received 512.5; allowed: an integer from 128 to 10240 MB'],
    ['timeout above 900 s', { timeout: Duration.seconds(901) }, 'S/Fn: invalid timeout: received 15 minutes 1 second; allowed: a whole number of seconds from 1 to 900'],
    ['timeout of 0', { timeout: Duration.seconds(0) }, 'S/Fn: invalid timeout: received 0 seconds; allowed: a whole number of seconds from 1 to 900'],
    ['timeout of 1.5 s', { timeout: Duration.millis(1500) }, 'S/Fn: invalid timeout: received 1 second 500 millis; allowed: a whole number of seconds from 1 to 900'],
    ['reservedConcurrentExecutions 0', { reservedConcurrentExecutions: 0 }, 'S/Fn: invalid reservedConcurrentExecutions: received 0; allowed: an integer from 1 to 1000000 executions'],
    ['retryAttempts 3', { retryAttempts: 3 }, 'S/Fn: invalid retryAttempts: received 3; allowed: an integer from 0 to 2 retries'],
    ['retryAttempts -1', { retryAttempts: -1 }, 'S/Fn: invalid retryAttempts: received -1; allowed: an integer from 0 to 2 retries'],
    ['an old runtime', { runtime: lambda.Runtime.NODEJS_18_X },
      `S/Fn: invalid runtime: received "nodejs18.x"; allowed: the newest generally available nodejs runtime known to the installed aws-cdk-lib (${NEWEST_NODEJS})`],
    ['an old python runtime', { runtime: lambda.Runtime.PYTHON_3_12 },
      'S/Fn: invalid runtime: received "python3.12"; allowed: the newest generally available python runtime known to the installed aws-cdk-lib (python3.14)'],
    ['a retired .NET Core runtime', { runtime: lambda.Runtime.DOTNET_CORE_3_1, code: lambda.Code.fromAsset(__dirname) },
      'S/Fn: invalid runtime: received "dotnetcore3.1"; allowed: the newest generally available dotnet runtime known to the installed aws-cdk-lib (dotnet10)'],
    ['a handler with a space', { handler: 'index handler' }, 'S/Fn: invalid handler: received "index handler"; allowed: a handler name such as "index.handler" (1 to 128 characters, no spaces)'],
    ['a bad environment name', { environment: { '1ST': 'x' } }, 'S/Fn: invalid environment.1ST: received "1ST"; allowed: an environment variable name: a letter, then letters, digits and underscores'],
  ])('%s', (_label, props, message) => {
    const error = errorOf(props);

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(message);
  });

  test('inline code with a runtime that cannot run inline code throws our error', () => {
    const newestJava = lambda.Runtime.ALL.filter(r => /^java\d+$/.test(r.name)).sort((a, b) => parseInt(a.name.slice(4), 10) - parseInt(b.name.slice(4), 10)).pop()!;

    const error = errorOf({ runtime: newestJava });

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toMatch(new RegExp('^S/Fn: invalid (code|runtime): .*; allowed: '));
  });

  test('the container-image runtime throws our error', () => {
    const error = errorOf({ runtime: lambda.Runtime.FROM_IMAGE });

    expect(error).toBeInstanceOf(SecureServerlessError);
  });
});

describe('the key, for the function\'s own environment only', () => {
  test('the role decrypts with the baseline key only for this function\'s ARN, built from its generated name', () => {
    const { fn, stack, template } = build();
    const name = template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)].Properties.FunctionName;
    const arn = partitionArn(`:lambda:eu-west-1:111111111111:function:${name}`);
    const arnWithQualifier = partitionArn(`:lambda:eu-west-1:111111111111:function:${name}:*`);

    expect(name).toMatch(/^S-[A-Za-z0-9-]+$/);
    expect(managedPolicyStatementsOf(template, logicalIdOf(fn.role!))).toContainEqual({
      Sid: 'DecryptOwnEnvironment',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [logicalIdOf(SecurityBaseline.of(stack).key), 'Arn'] },
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:lambda:FunctionArn': [arn, arnWithQualifier] } },
    });
  });

  test('the role uses the key for its dead-letter queue only through SQS, for that queue', () => {
    const { fn, template } = build();
    const dlqArn = { 'Fn::GetAtt': [logicalIdOf(fn.deadLetterQueue!), 'Arn'] };
    const keyStatements = managedPolicyStatementsOf(template, logicalIdOf(fn.role!)).filter(s => asArray<string>(s.Action).some(a => a.startsWith('kms:')));

    expect(keyStatements.map(s => s.Condition)).toEqual([
      expect.objectContaining({ ArnLike: expect.anything() }),
      {
        StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' },
        ArnEquals: { 'kms:EncryptionContext:aws:sqs:arn': dlqArn },
      },
    ]);
  });

  test('a given functionName is kept and named in the condition', () => {
    const { template } = build({ functionName: 'orders-get' });

    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'orders-get' });
    expect(JSON.stringify(template.toJSON())).toContain(':function:orders-get"');
  });

  test('the same stack deployed under two stack names gets two function names, as names are unique per account and region', () => {
    const names = ['service-dev', 'a-much-longer-stack-name-for-staging'].map(stackName => {
      const app = new App();
      const stack = new Stack(app, 'Service', { env: ENV, stackName });
      new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
      const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: HANDLER } });
      return Object.values(functions)[0].Properties.FunctionName as string;
    });

    expect(names[0]).not.toEqual(names[1]);
    expect(names[0]).toMatch(/^service-dev-/);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
  });
});

describe('dependencies under a function in a VPC', () => {
  test('those a user adds on the function or on its resources are kept; only the routes of the function\'s subnets go', () => {
    // GIVEN a function whose node, and whose dead-letter queue, depend on resources of the user (one of them, a policy
    // with no statements, is never written to the template)
    const { stack, fn } = make();
    const onFunction = new CfnResource(stack, 'OnFunction', { type: 'AWS::SNS::Topic' });
    const onQueue = new CfnResource(stack, 'OnQueue', { type: 'AWS::SNS::Topic' });
    fn.node.addDependency(onFunction, new iam.Policy(stack, 'NeverWritten'));
    fn.deadLetterQueue!.node.addDependency(onQueue);

    // WHEN synthesized
    const resources = Template.fromStack(stack).toJSON().Resources;

    // THEN the queue keeps both, its policy and the log group keep the function's, and the function keeps the routes too
    const routes = SecurityBaseline.of(stack).network.vpc.isolatedSubnets
      .map(s => logicalIdOf(s.node.findChild('RouteTableAssociation') as CfnResource));
    expect(resources[logicalIdOf(fn.deadLetterQueue!)].DependsOn).toEqual(['OnFunction', 'OnQueue']);
    expect(resources[logicalIdOf(fn.deadLetterQueue!.node.findChild('Policy'))].DependsOn).toEqual(['OnFunction', 'OnQueue']);
    expect(resources[logicalIdOf(fn.logGroup)].DependsOn).toEqual(['OnFunction']);
    expect(resources[logicalIdOf(fn)].DependsOn).toEqual(expect.arrayContaining(['OnFunction', ...routes]));
  });
});
