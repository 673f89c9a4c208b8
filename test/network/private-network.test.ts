process.env.CDK_VALIDATION = 'false';

import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { WAIVER_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { InternetEgress } from '../../src/network/internet-egress';
import { PrivateNetwork } from '../../src/network/private-network';
import {
  anyOrder, CODE, expectSameStatements, HANDLER, logicalIdOf, logicalIds, metadataOf, newStack, onlyResource, PARTITION, statementsOf, thrownBy,
} from '../core/fixtures';

const ACCOUNT_PINNED_POLICY = {
  Statement: [{
    Sid: 'OnlyThisAccount',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: '*',
    Resource: '*',
    Condition: { StringEquals: { 'aws:PrincipalAccount': '111111111111', 'aws:ResourceAccount': '111111111111' } },
  }],
  Version: '2012-10-17',
};

describe('PrivateNetwork defaults', () => {
  // GIVEN a network with default props, synthesized once
  const { stack } = newStack();
  const network = new PrivateNetwork(stack, 'Network');
  const template = Template.fromStack(stack);
  const vpcId = logicalIdOf(network.vpc);

  test('has isolated subnets only, in two availability zones', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')) as any[];

    expect(subnets).toHaveLength(2);
    for (const subnet of subnets) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      expect(subnet.Properties.Tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Isolated' });
    }
    expect(new Set(subnets.map(s => s.Properties.AvailabilityZone)).size).toBe(2);
    expect(network.subnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
  });

  test('has no internet gateway, NAT gateway or route to either', () => {
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    template.resourceCountIs('AWS::EC2::Route', 0);
  });

  test('sends all flow logs to an encrypted log group kept at least a year and retained', () => {
    const flowLog = onlyResource(template, 'AWS::EC2::FlowLog').resource.Properties;
    const groupId = flowLog.LogGroupName.Ref;

    expect(flowLog).toMatchObject({ ResourceType: 'VPC', ResourceId: { Ref: vpcId }, TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    const group = template.toJSON().Resources[groupId];
    expect(group.Type).toBe('AWS::Logs::LogGroup');
    expect(group.DeletionPolicy).toBe('Retain');
    expect(group.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalIdOf(SecurityBaseline.of(stack).key), 'Arn'] });
  });

  test('the flow-log role trusts the service for this account only and has a customer-managed policy', () => {
    const flowLog = onlyResource(template, 'AWS::EC2::FlowLog').resource.Properties;
    const roleId = flowLog.DeliverLogsPermissionArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId];

    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    }]);
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: anyOrder(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams']),
          Resource: { 'Fn::GetAtt': [flowLog.LogGroupName.Ref, 'Arn'] },
        }],
      },
    });
  });

  test('has no inline IAM policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as any[]) {
      expect(role.Properties.Policies).toBeUndefined();
    }
  });

  test('has no endpoint until a function needs one, not even the free gateway endpoints', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(network.interfaceEndpointServices).toEqual([]);
  });

  test('creates the S3 and DynamoDB gateway endpoints on first need, once, with policies pinned to this account', () => {
    const { stack: other } = newStack();
    const own = new PrivateNetwork(other, 'Network');
    const group = new ec2.SecurityGroup(other, 'Group', { vpc: own.vpc, allowAllOutbound: false });
    for (const service of ['s3', 'dynamodb', 's3'] as const) own.allowGatewayEndpoint(service, group);

    const gateways = Object.values(Template.fromStack(other).findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } })) as any[];
    expect(gateways.map(g => JSON.stringify(g.Properties.ServiceName)).sort()).toEqual([
      JSON.stringify({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] }),
      JSON.stringify({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] }),
    ]);
    for (const gateway of gateways) {
      expect(gateway.Properties.PolicyDocument).toEqual(ACCOUNT_PINNED_POLICY);
      expect(gateway.Properties.VpcId).toEqual({ Ref: logicalIdOf(own.vpc) });
    }
  });

  test('closes the default security group with a hardened helper', () => {
    // THEN the custom resource is there
    const closer = onlyResource(template, 'Custom::VpcRestrictDefaultSG').resource.Properties;
    expect(closer.DefaultSecurityGroupId).toEqual({ 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] });

    // AND its handler logs in JSON to an encrypted, retained log group and runs one at a time
    const handlerId = closer.ServiceToken['Fn::GetAtt'][0];
    const handler = template.toJSON().Resources[handlerId];
    expect(handler.Type).toBe('AWS::Lambda::Function');
    expect(handler.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(handler.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) }, LogFormat: 'JSON' });
    const helperLogs = template.toJSON().Resources[handler.Properties.LoggingConfig.LogGroup.Ref];
    expect(helperLogs).toMatchObject({ Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365, KmsKeyId: expect.anything() } });

    // AND its role has our customer-managed policy only: no AWS-managed policy, no inline policy
    const roleId = handler.Properties.Role['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId].Properties;
    expect(role.Policies).toBeUndefined();
    expect(role.ManagedPolicyArns).toHaveLength(1);
    const policyId = role.ManagedPolicyArns[0].Ref;
    const policy = template.toJSON().Resources[policyId];
    expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');

    // AND that policy writes its own logs and changes the rules of the default security group only
    const securityGroupArn = PARTITION === 'aws'
      ? { 'Fn::Join': ['', ['arn:aws:ec2:eu-west-1:111111111111:security-group/', { 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] }]] }
      : { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:111111111111:security-group/', { 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] }]] };
    expectSameStatements(statementsOf(policy.Properties.PolicyDocument), [
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [handler.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] } },
      {
        Effect: 'Allow',
        Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
        Resource: securityGroupArn,
      },
    ]);
  });

  test('records no waiver', () => {
    expect(metadataOf(network, WAIVER_METADATA)).toEqual([]);
  });
});

describe('PrivateNetwork interface endpoints', () => {
  // GIVEN two functions granted the same queue, and one function granted nothing
  const { stack } = newStack();
  const queue = new SecureQueue(stack, 'Queue');
  const first = new SecureFunction(stack, 'First', { code: CODE, handler: HANDLER });
  const second = new SecureFunction(stack, 'Second', { code: CODE, handler: HANDLER });
  const idle = new SecureFunction(stack, 'Idle', { code: CODE, handler: HANDLER });
  queue.grantSendMessages(first);
  queue.grantSendMessages(second);
  const template = Template.fromStack(stack);
  const network = SecurityBaseline.of(stack).network;
  const sgOf = (fn: SecureFunction) => logicalIdOf(fn.securityGroup!);

  test('one SQS endpoint is created and shared by both functions', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })) as any[];

    expect(endpoints).toHaveLength(1);
    expect(endpoints[0].Properties).toMatchObject({
      ServiceName: 'com.amazonaws.eu-west-1.sqs',
      PrivateDnsEnabled: true,
      PolicyDocument: ACCOUNT_PINNED_POLICY,
      SubnetIds: network.vpc.isolatedSubnets.map(s => ({ Ref: logicalIdOf(s) })),
    });
    expect(network.interfaceEndpointServices).toEqual([ec2.InterfaceVpcEndpointAwsService.SQS.name]);
  });

  test('the endpoint security group admits HTTPS from the granted functions only', () => {
    const endpoint = onlyResource(template, 'AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }).resource;
    const endpointSg = endpoint.Properties.SecurityGroupIds[0]['Fn::GetAtt'][0];

    // no inline ingress at all, and an egress that allows nothing
    const group = template.toJSON().Resources[endpointSg].Properties;
    expect(group.SecurityGroupIngress).toBeUndefined();
    expect(group.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);

    const ingress = (Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')) as any[])
      .map(r => r.Properties)
      .filter(p => p.GroupId['Fn::GetAtt']?.[0] === endpointSg);
    // the two granted functions reach the same endpoints, so they share one group; the idle one is elsewhere
    expect(sgOf(first)).toBe(sgOf(second));
    expect(sgOf(idle)).not.toBe(sgOf(first));
    expect(ingress.map(p => p.SourceSecurityGroupId['Fn::GetAtt'][0])).toEqual([sgOf(first)]);
    for (const rule of ingress) {
      expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
      expect(rule.CidrIp).toBeUndefined();
    }
  });

  test('each granted function may send HTTPS to the endpoint, the idle one nowhere', () => {
    const endpointSg = onlyResource(template, 'AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })
      .resource.Properties.SecurityGroupIds[0]['Fn::GetAtt'][0];
    const egress = (Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')) as any[]).map(r => r.Properties);

    for (const fn of [first, second]) {
      const rules = egress.filter(p => p.GroupId['Fn::GetAtt'][0] === sgOf(fn));
      expect(rules).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] } })]);
    }
    expect(egress.filter(p => p.GroupId['Fn::GetAtt'][0] === sgOf(idle))).toEqual([]);
  });

  test('a function granted nothing adds no endpoint: a network with only it has no interface endpoint', () => {
    const { stack: lone } = newStack();
    new SecureFunction(lone, 'Fn', { code: CODE, handler: HANDLER });

    expect(logicalIds(Template.fromStack(lone), 'AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })).toEqual([]);
  });

  test('an endpoint listed as existing in a bring-your-own VPC is reused, not duplicated', () => {
    // GIVEN
    const { stack: own } = newStack();
    const vpc = new ec2.Vpc(own, 'Vpc', { subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const existing = vpc.addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS });
    new SecurityBaseline(own, 'SecurityBaseline', {
      network: new PrivateNetwork(own, 'Network', { vpc, existingInterfaceEndpoints: [{ service: ec2.InterfaceVpcEndpointAwsService.SQS, endpoint: existing }] }),
    });
    const fn = new SecureFunction(own, 'Fn', { code: CODE, handler: HANDLER });

    // WHEN
    new SecureQueue(own, 'Queue').grantSendMessages(fn);

    // THEN
    const t = Template.fromStack(own);
    expect(logicalIds(t, 'AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })).toEqual([logicalIdOf(existing)]);
  });
});

describe('PrivateNetwork options', () => {
  test('maxAzs sets the number of availability zones', () => {
    const { stack } = newStack();
    new PrivateNetwork(stack, 'Network', { maxAzs: 3 });

    Template.fromStack(stack).resourceCountIs('AWS::EC2::Subnet', 3);
  });

  test.each([0, 7, 1.5, -1])('maxAzs %p throws our error', maxAzs => {
    const { stack } = newStack();

    const error = thrownBy(() => new PrivateNetwork(stack, 'Network', { maxAzs }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`S/Network: invalid maxAzs: received ${maxAzs}; allowed: an integer from 1 to 6 availability zones`);
  });

  test('InternetEgress.natGateways(reason) adds an internet gateway and NAT gateway, and records the waiver', () => {
    // GIVEN
    const { stack } = newStack();
    const reason = 'functions call a payment API that has no VPC endpoint';

    // WHEN
    const network = new PrivateNetwork(stack, 'Network', { internetEgress: InternetEgress.natGateways(reason) });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::InternetGateway', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet')) as any[]) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    }
    expect(network.subnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    expect(metadataOf(network, WAIVER_METADATA)).toEqual([{ setting: 'internetEgress', value: '1 NAT gateway(s)', reason }]);
  });

  test('InternetEgress.natGateways(reason, 2) adds two NAT gateways', () => {
    const { stack } = newStack();
    new PrivateNetwork(stack, 'Network', { internetEgress: InternetEgress.natGateways('payment API without endpoint', 2) });

    Template.fromStack(stack).resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test.each(['', ' ', 'no'])('InternetEgress.natGateways with reason %j throws our error', reason => {
    const error = thrownBy(() => InternetEgress.natGateways(reason));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`InternetEgress.natGateways: invalid reason: received ${JSON.stringify(reason)}; `
      + 'allowed: a written reason of at least 3 characters explaining why the default is weakened');
  });

  test.each([0, 7, 1.5])('InternetEgress.natGateways with count %p throws our error', count => {
    const error = thrownBy(() => InternetEgress.natGateways('payment API without endpoint', count));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`InternetEgress.natGateways: invalid count: received ${count}; allowed: an integer from 1 to 6 NAT gateways`);
  });

  test('InternetEgress.none() is the default: no NAT, no reason', () => {
    expect(InternetEgress.none()).toMatchObject({ natGatewayCount: 0, reason: undefined });
  });

  test('two networks in one stack share one hardened default-security-group closer that covers both', () => {
    // GIVEN
    const { stack } = newStack();

    // WHEN
    const networks = [new PrivateNetwork(stack, 'One'), new PrivateNetwork(stack, 'Two')];

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 2);
    const handler = onlyResource(template, 'AWS::Lambda::Function').resource;
    const role = template.toJSON().Resources[handler.Properties.Role['Fn::GetAtt'][0]].Properties;
    expect(role.Policies).toBeUndefined();
    expect(role.ManagedPolicyArns).toHaveLength(1);
    const policy = template.toJSON().Resources[role.ManagedPolicyArns[0].Ref].Properties.PolicyDocument;
    const securityGroups = statementsOf(policy).flatMap(st => JSON.stringify(st.Resource).match(/"Fn::GetAtt":\["(\w+)","DefaultSecurityGroup"\]/g) ?? []);
    expect(securityGroups.sort()).toEqual(networks.map(n => `"Fn::GetAtt":["${logicalIdOf(n.vpc)}","DefaultSecurityGroup"]`).sort());
  });

  test('a bring-your-own VPC is used as is: no second VPC, flow log or gateway endpoint', () => {
    // GIVEN
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, 'OwnVpc', { subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });

    // WHEN
    const network = new PrivateNetwork(stack, 'Network', { vpc });
    new SecurityBaseline(stack, 'SecurityBaseline', { network });
    new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

    // THEN
    const template = Template.fromStack(stack);
    expect(network.vpc).toBe(vpc);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: HANDLER,
      VpcConfig: { SubnetIds: vpc.isolatedSubnets.map(s => ({ Ref: logicalIdOf(s) })) },
    });
  });

  test('a bring-your-own VPC with private subnets only places functions in them, once its routes to the internet are declared', () => {
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, 'OwnVpc', { natGateways: 1 });

    const network = new PrivateNetwork(stack, 'Network', { vpc, internetEgress: InternetEgress.viaExistingRoutes('the platform team routes all VPCs through an inspection firewall') });

    expect(network.subnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    expect(network.routesToInternet).toBe(true);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPC', 1);
  });
});
