import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { WAIVER_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { ServerlessSecurityChecks } from '../../src/guardrails';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { InternetEgress } from '../../src/network/internet-egress';
import { PrivateNetwork } from '../../src/network/private-network';
import { SecureTable } from '../../src/table/secure-table';
import { CODE, ENV, HANDLER, PREFIX_LISTS, logicalIdOf, metadataOf, prefixListContext, thrownBy } from '../core/fixtures';

/**
 * Each idiom a user writes next to a SecureFunction, in a stack of its own of
 * one app synthesized once: the function's egress must be exactly the endpoints
 * its statements need, each endpoint once per network, and the pack's
 * LambdaNetworkPath rule must agree.
 */
type Idiom = (stack: Stack, fn: SecureFunction) => void;

const PARAMETER_ARN = `arn:aws:ssm:${ENV.region}:${ENV.account}:parameter/app/flag`;

const IDIOMS: Record<string, { build: Idiom; gateways: string[]; interfaces: string[] }> = {
  'plain Table.grantReadData': {
    build: (stack, fn) => new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }).grantReadData(fn),
    gateways: ['dynamodb'],
    interfaces: [],
  },
  'Table.fromTableName grantReadWriteData': {
    build: (stack, fn) => dynamodb.Table.fromTableName(stack, 'Imported', 'orders').grantReadWriteData(fn),
    gateways: ['dynamodb'],
    interfaces: [],
  },
  'TableV2 grantReadData': {
    build: (stack, fn) => new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }).grantReadData(fn),
    gateways: ['dynamodb'],
    interfaces: [],
  },
  'plain Bucket.grantRead': {
    build: (stack, fn) => new s3.Bucket(stack, 'Bucket').grantRead(fn),
    gateways: ['s3'],
    interfaces: [],
  },
  'addToRolePolicy for S3 and SSM': {
    build: (_stack, fn) => {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shared-config/app/*'] }));
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [PARAMETER_ARN] }));
    },
    gateways: ['s3'],
    interfaces: ['ssm'],
  },
  'StringParameter.fromStringParameterName grantRead': {
    build: (stack, fn) => ssm.StringParameter.fromStringParameterName(stack, 'Flag', '/app/flag').grantRead(fn),
    gateways: [],
    interfaces: ['ssm'],
  },
  'Secret.fromSecretNameV2 grantRead': {
    build: (stack, fn) => secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'app/db').grantRead(fn),
    gateways: [],
    interfaces: ['secretsmanager'],
  },
  'plain Queue.grantSendMessages': {
    build: (stack, fn) => new sqs.Queue(stack, 'Queue', { enforceSSL: true }).grantSendMessages(fn),
    gateways: [],
    interfaces: ['sqs'],
  },
  'a customer-managed policy attached to the role from the policy side': {
    build: (stack, fn) => new iam.ManagedPolicy(stack, 'Extra', {
      roles: [fn.role!],
      statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [`arn:aws:sqs:${ENV.region}:${ENV.account}:audit`] })],
    }),
    gateways: [],
    interfaces: ['sqs'],
  },
  'an iam.Policy attached with attachInlinePolicy': {
    build: (stack, fn) => fn.role!.attachInlinePolicy(new iam.Policy(stack, 'Inline', {
      statements: [new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [`arn:aws:states:${ENV.region}:${ENV.account}:stateMachine:flow`] })],
    })),
    gateways: [],
    interfaces: ['states'],
  },
  'SecureTable grants and a SecureQueue event source: the poller needs no endpoint': {
    build: (stack, fn) => {
      new SecureTable(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }).grants.readItems(fn);
      fn.addEventSource(new sources.SqsEventSource(new SecureQueue(stack, 'Queue'), { reportBatchItemFailures: true }));
    },
    gateways: ['dynamodb'],
    interfaces: [],
  },
  'granted nothing': {
    build: () => undefined,
    gateways: [],
    interfaces: [],
  },
};

function build(): { app: App; stacks: Map<string, { stack: Stack; fn: SecureFunction }> } {
  const app = new App({ context: prefixListContext() });
  const stacks = new Map<string, { stack: Stack; fn: SecureFunction }>();
  Object.entries(IDIOMS).forEach(([name, idiom], i) => {
    const stack = new Stack(app, `Idiom${i}`, { env: ENV });
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    idiom.build(stack, fn);
    stacks.set(name, { stack, fn });
  });
  return { app, stacks };
}

/** Where a function's security group may send HTTPS: `prefix-list:<id>` or `endpoint:<service>`. */
function egressOf(template: Template, fn: SecureFunction): string[] {
  const resources = template.toJSON().Resources;
  const groupId = logicalIdOf(fn.securityGroup!);
  const endpointServiceOfGroup = new Map<string, string>();
  for (const endpoint of Object.values<any>(resources)) {
    if (endpoint.Type !== 'AWS::EC2::VPCEndpoint' || endpoint.Properties.VpcEndpointType !== 'Interface') continue;
    const service = String(endpoint.Properties.ServiceName).split('.').pop()!;
    for (const group of endpoint.Properties.SecurityGroupIds) endpointServiceOfGroup.set(group['Fn::GetAtt'][0], service);
  }
  const inline = resources[groupId].Properties.SecurityGroupEgress ?? [];
  const standalone = Object.values<any>(resources)
    .filter(r => r.Type === 'AWS::EC2::SecurityGroupEgress' && r.Properties.GroupId['Fn::GetAtt'][0] === groupId)
    .map(r => r.Properties);
  return [...inline, ...standalone]
    .filter((rule: any) => rule.CidrIp !== '255.255.255.255/32')
    .map((rule: any) => {
      expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
      if (rule.DestinationPrefixListId) return `prefix-list:${rule.DestinationPrefixListId}`;
      if (rule.DestinationSecurityGroupId) return `endpoint:${endpointServiceOfGroup.get(rule.DestinationSecurityGroupId['Fn::GetAtt'][0])}`;
      return `cidr:${rule.CidrIp ?? rule.CidrIpv6}`;
    })
    .sort();
}

describe('the network follows the permissions, whatever granted them', () => {
  const { app, stacks } = build();
  const templates = new Map([...stacks].map(([name, { stack }]) => [name, Template.fromStack(stack)]));
  const violations = new ServerlessSecurityChecks().validateScope(app).violations
    .filter(v => v.ruleName.startsWith('ServerlessSecurity-LambdaNetworkPath'));

  test.each(Object.keys(IDIOMS))('%s: egress is exactly the needed endpoints', name => {
    const { gateways, interfaces } = IDIOMS[name];
    const { fn } = stacks.get(name)!;
    const expected = [
      ...gateways.map(service => `prefix-list:${PREFIX_LISTS[service as 's3' | 'dynamodb']}`),
      ...interfaces.map(service => `endpoint:${service}`),
    ].sort();

    expect(egressOf(templates.get(name)!, fn)).toEqual(expected);
  });

  test.each(Object.keys(IDIOMS))('%s: each needed endpoint exists once, and no other', name => {
    const { gateways, interfaces } = IDIOMS[name];
    const endpoints = Object.values<any>(templates.get(name)!.findResources('AWS::EC2::VPCEndpoint')).map(e => {
      const service = e.Properties.ServiceName;
      const text = typeof service === 'string' ? service : service['Fn::Join'][1].slice(-1)[0];
      return `${e.Properties.VpcEndpointType}:${text.split('.').pop()}`;
    });

    expect(endpoints.sort()).toEqual([...gateways.map(s => `Gateway:${s}`), ...interfaces.map(s => `Interface:${s}`)].sort());
  });

  test('the LambdaNetworkPath rule finds a path for every permission', () => {
    expect(violations).toEqual([]);
  });
});

describe('across stacks', () => {
  test('a table and a queue in one stack granted to a function in another: its stack gets the endpoints, with no cycle', () => {
    // GIVEN
    const app = new App({ context: prefixListContext() });
    const data = new Stack(app, 'Data', { env: ENV });
    const table = new dynamodb.Table(data, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const queue = new SecureQueue(data, 'Queue');
    const compute = new Stack(app, 'Compute', { env: ENV });
    const fn = new SecureFunction(compute, 'Fn', { code: CODE, handler: HANDLER });

    // WHEN
    table.grantReadData(fn);
    queue.grantSendMessages(fn);

    // THEN the function's stack has the endpoints and the egress, the data stack none
    const assembly = app.synth();
    const stackDependencies = (name: string) => assembly.getStackByName(name).dependencies.map(d => d.id).filter(id => !id.endsWith('.assets'));
    expect(stackDependencies('Compute')).toEqual(['Data']);
    expect(stackDependencies('Data')).toEqual([]);
    expect(egressOf(Template.fromStack(compute), fn)).toEqual(['endpoint:sqs', `prefix-list:${PREFIX_LISTS.dynamodb}`]);
    Template.fromStack(data).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(new ServerlessSecurityChecks().validateScope(app).violations.filter(v => v.ruleName.startsWith('ServerlessSecurity-LambdaNetworkPath'))).toEqual([]);
  });
});

describe('a permission with no path is a finding', () => {
  test('an action no VPC endpoint serves (IAM) fails with the service named', () => {
    const app = new App({ context: prefixListContext() });
    const stack = new Stack(app, 'S', { env: ENV });
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:GetRole'], resources: [`arn:aws:iam::${ENV.account}:role/app`] }));

    const found = new ServerlessSecurityChecks().validateScope(app).violations
      .filter(v => v.ruleName.startsWith('ServerlessSecurity-LambdaNetworkPath'))
      .flatMap(v => v.violatingResources.map(r => `${v.ruleName} @ ${r.constructPath}`));

    expect(found).toEqual(['ServerlessSecurity-LambdaNetworkPath[iam] @ S/Fn/Resource']);
  });

  test('a plain function in a VPC granted a queue, with no endpoint, fails; an interface endpoint it may reach fixes it', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const plain = (id: string) => new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: HANDLER, code: CODE, vpc, allowAllOutbound: false,
    });
    const queue = new sqs.Queue(stack, 'Queue');
    const without = plain('Without');
    queue.grantSendMessages(without);
    const withEndpoint = plain('With');
    queue.grantSendMessages(withEndpoint);
    vpc.addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS, open: false }).connections.allowFrom(withEndpoint, ec2.Port.tcp(443));

    const found = new ServerlessSecurityChecks().validateScope(app).violations
      .filter(v => v.ruleName.startsWith('ServerlessSecurity-LambdaNetworkPath'))
      .flatMap(v => v.violatingResources.map(r => `${v.ruleName} @ ${r.constructPath}`));

    expect(found).toEqual(['ServerlessSecurity-LambdaNetworkPath[sqs] @ S/Without/Resource']);
  });

  test('egress to anywhere from subnets that route to the internet is a path; from isolated subnets it is not', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const routed = new ec2.Vpc(stack, 'Routed', { natGateways: 1, maxAzs: 1 });
    const isolated = new ec2.Vpc(stack, 'Isolated', { natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    for (const [id, vpc] of [['Routed', routed], ['Isolated', isolated]] as const) {
      const fn = new lambda.Function(stack, `${id}Fn`, { runtime: lambda.Runtime.NODEJS_22_X, handler: HANDLER, code: CODE, vpc });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [`arn:aws:sns:${ENV.region}:${ENV.account}:alerts`] }));
    }

    const found = new ServerlessSecurityChecks().validateScope(app).violations
      .filter(v => v.ruleName.startsWith('ServerlessSecurity-LambdaNetworkPath'))
      .flatMap(v => v.violatingResources.map(r => `${v.ruleName} @ ${r.constructPath}`));

    expect(found).toEqual(['ServerlessSecurity-LambdaNetworkPath[sns] @ S/IsolatedFn/Resource']);
  });
});

describe('bring-your-own networks tell the truth', () => {
  function imported(stack: Stack, subnets: 'private' | 'isolated'): ec2.IVpc {
    return ec2.Vpc.fromVpcAttributes(stack, 'Company', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      ...subnets === 'private'
        ? { privateSubnetIds: ['subnet-0aaa', 'subnet-0bbb'], privateSubnetRouteTableIds: ['rtb-0aaa', 'rtb-0bbb'] }
        : { isolatedSubnetIds: ['subnet-0ccc', 'subnet-0ddd'], isolatedSubnetRouteTableIds: ['rtb-0ccc', 'rtb-0ddd'] },
    });
  }

  test('subnets that route to a NAT gateway without a waiver are our error', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const error = thrownBy(() => new PrivateNetwork(stack, 'Net', { vpc: imported(stack, 'private') }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Net: invalid internetEgress: received none for subnets that may route to the internet (subnet-0aaa, subnet-0bbb); '
      + 'allowed: InternetEgress.viaExistingRoutes(reason), recorded in the security report, or subnets the VPC lists as isolated (`isolatedSubnetIds`, `subnetType: PRIVATE_ISOLATED`)');
  });

  test('subnets the VPC does not list are not trusted to be isolated', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const vpc = imported(stack, 'isolated');
    const stray = ec2.Subnet.fromSubnetId(stack, 'Stray', 'subnet-0eee');

    const error = thrownBy(() => new PrivateNetwork(stack, 'Net', { vpc, subnets: { subnets: [stray] } }));

    expect(error.message).toContain('received none for subnets that may route to the internet (subnet-0eee (not listed as isolated))');
  });

  test('with the waiver, the network records it and functions still reach only their endpoints, through the prefix list', () => {
    const app = new App({ context: prefixListContext() });
    const stack = new Stack(app, 'S', { env: ENV });
    const reason = 'the company VPC routes through the inspection firewall';
    const network = new PrivateNetwork(stack, 'Net', { vpc: imported(stack, 'private'), internetEgress: InternetEgress.viaExistingRoutes(reason) });
    new SecurityBaseline(stack, 'SecurityBaseline', { network });
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    new s3.Bucket(stack, 'Bucket').grantRead(fn);

    const template = Template.fromStack(stack);
    expect(metadataOf(network, WAIVER_METADATA)).toEqual([{ setting: 'internetEgress', value: 'existing routes of the given VPC', reason }]);
    expect(egressOf(template, fn)).toEqual([`prefix-list:${PREFIX_LISTS.s3}`]);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
  });

  test('an existing gateway endpoint is reused, not duplicated', () => {
    const app = new App({ context: prefixListContext() });
    const stack = new Stack(app, 'S', { env: ENV });
    const vpc = imported(stack, 'isolated');
    const endpoint = ec2.GatewayVpcEndpoint.fromGatewayVpcEndpointId(stack, 'S3', 'vpce-0123');
    const network = new PrivateNetwork(stack, 'Net', { vpc, existingGatewayEndpoints: [{ service: ec2.GatewayVpcEndpointAwsService.S3, endpoint }] });
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, network: undefined, baseline: new SecurityBaseline(stack, 'SecurityBaseline', { network }) });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] }));

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(egressOf(template, fn)).toEqual([`prefix-list:${PREFIX_LISTS.s3}`]);
  });

  test('natGateways on a given VPC and viaExistingRoutes on a created one are our errors', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(thrownBy(() => new PrivateNetwork(stack, 'A', { vpc: imported(stack, 'isolated'), internetEgress: InternetEgress.natGateways('partner API') })).message)
      .toBe('S/A: invalid internetEgress: received "InternetEgress.natGateways()"; allowed: InternetEgress.viaExistingRoutes(reason) or InternetEgress.none() for a given `vpc`: NAT gateways are created only in a VPC the network creates');
    expect(thrownBy(() => new PrivateNetwork(stack, 'B', { internetEgress: InternetEgress.viaExistingRoutes('partner API') })).message)
      .toBe('S/B: invalid internetEgress: received "InternetEgress.viaExistingRoutes()"; allowed: InternetEgress.none() or InternetEgress.natGateways(reason) for a created VPC; viaExistingRoutes declares the routes of a given `vpc`');
  });
});

describe('an environment-agnostic stack', () => {
  test('in isolated subnets, reaches a gateway service with HTTPS to anywhere, which routes only to the gateway endpoint', () => {
    const stack = new Stack(new App(), 'S');
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    new s3.Bucket(stack, 'Bucket').grantRead(fn);

    expect(egressOf(Template.fromStack(stack), fn)).toEqual(['cidr:0.0.0.0/0']);
  });

  test('with a network that routes to the internet, a gateway service is our error naming the fix', () => {
    const stack = new Stack(new App(), 'S');
    new SecurityBaseline(stack, 'SecurityBaseline', { networkProps: { internetEgress: InternetEgress.natGateways('calls a partner API') } });
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

    fn.allowGatewayEndpoint('s3');
    const error = thrownBy(() => Template.fromStack(stack));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toContain('allowed: a stack with a concrete account and region, so that S/FunctionSecurityGroups/NetworkS3 reaches the s3 gateway endpoint through its prefix list instead of the internet');
  });
});

describe('functions that reach the same endpoints share one security group', () => {
  // GIVEN three functions granted the same table and queue, one granted the queue only,
  // and one whose connections the user widened
  const stack = new Stack(new App({ context: prefixListContext() }), 'S', { env: ENV });
  const table = new SecureTable(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const queue = new SecureQueue(stack, 'Queue');
  const same = ['A', 'B', 'C'].map(id => new SecureFunction(stack, id, { code: CODE, handler: HANDLER }));
  for (const fn of same) {
    table.grants.readData(fn);
    queue.grantSendMessages(fn);
  }
  const queueOnly = new SecureFunction(stack, 'QueueOnly', { code: CODE, handler: HANDLER });
  queue.grantSendMessages(queueOnly);
  const own = new SecureFunction(stack, 'Own', { code: CODE, handler: HANDLER });
  queue.grantSendMessages(own);
  own.connections.allowTo(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(5432), 'the database');
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const groupsOf = (fn: SecureFunction): unknown[] => resources[logicalIdOf(fn)].Properties.VpcConfig.SecurityGroupIds;

  test('one group per set of endpoints, named after them, with egress exactly to those endpoints', () => {
    const [a, b, c] = same.map(groupsOf);
    expect(a).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^FunctionSecurityGroupsNetworkDynamodbSqs/), 'GroupId'] }]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(egressOf(template, same[0])).toEqual(['endpoint:sqs', `prefix-list:${PREFIX_LISTS.dynamodb}`]);
    expect(groupsOf(queueOnly)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^FunctionSecurityGroupsNetworkSqs/), 'GroupId'] }]);
    expect(egressOf(template, queueOnly)).toEqual(['endpoint:sqs']);
  });

  test('a function whose connections the user used keeps its own group, with the user\'s rule and its endpoints', () => {
    expect(groupsOf(own)).toEqual([{ 'Fn::GetAtt': [logicalIdOf(own.securityGroup!), 'GroupId'] }]);
    expect(logicalIdOf(own.securityGroup!)).toMatch(/^OwnSecurityGroup/);
    const rules = resources[logicalIdOf(own.securityGroup!)].Properties.SecurityGroupEgress;
    expect(rules).toEqual(expect.arrayContaining([expect.objectContaining({ CidrIp: '10.0.0.0/16', FromPort: 5432 })]));
  });

  test('the groups the shared ones replaced are gone, and nothing refers to them', () => {
    const groups = Object.keys(template.findResources('AWS::EC2::SecurityGroup')).filter(id => !/^(SecurityBaselineNetwork)/.test(id));
    expect(groups.filter(id => /^(A|B|C|QueueOnly)SecurityGroup/.test(id))).toEqual([]);
    expect(JSON.stringify(resources)).not.toMatch(/"(A|B|C|QueueOnly)SecurityGroup[0-9A-F]{8}"/);
    // the sqs endpoint admits exactly the two shared groups and the own one
    const ingressSources = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map(r => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]).sort();
    expect(ingressSources).toEqual([groupsOf(same[0])[0], groupsOf(queueOnly)[0], groupsOf(own)[0]].map((g: any) => g['Fn::GetAtt'][0]).sort());
  });

  test('the pack finds a path for every permission', () => {
    const violations = new ServerlessSecurityChecks().validateScope(stack.node.scope as App).violations
      .filter(v => v.ruleName.startsWith('ServerlessSecurity-LambdaNetworkPath'));
    expect(violations).toEqual([]);
  });
});
