import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { reported, testStack } from '../support';

function vpc(scope: Stack): ec2.Vpc {
  return new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 1,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    restrictDefaultSecurityGroup: false,
  });
}

function accountPinned(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    principals: [new iam.AnyPrincipal()],
    actions: ['dynamodb:GetItem'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:PrincipalAccount': '111111111111' } },
  });
}

describe('VpcEndpointPolicy', () => {
  test('reports gateway and interface endpoints without a policy', () => {
    const { app, stack } = testStack();
    const network = vpc(stack);
    network.addGatewayEndpoint('DynamoDB', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
    network.addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS });

    expect(reported(app, 'VpcEndpointPolicy')).toEqual([
      'ServerlessSecurity-VpcEndpointPolicy @ Test/Vpc/DynamoDB/Resource',
      'ServerlessSecurity-VpcEndpointPolicy @ Test/Vpc/Sqs/Resource',
    ]);
  });

  test('passes endpoints with a policy pinned to the account', () => {
    const { app, stack } = testStack();
    const network = vpc(stack);
    network.addGatewayEndpoint('DynamoDB', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB }).addToPolicy(accountPinned());
    network.addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS }).addToPolicy(accountPinned());

    expect(reported(app, 'VpcEndpointPolicy')).toEqual([]);
  });

  test('reports a policy that allows everything to everyone', () => {
    const { app, stack } = testStack();
    vpc(stack).addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 }).addToPolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      resources: ['*'],
    }));

    expect(reported(app, 'VpcEndpointPolicy')).toEqual(['ServerlessSecurity-VpcEndpointPolicy @ Test/Vpc/S3/Resource']);
  });
});

describe('VpcEndpointSecurityGroup', () => {
  test('reports the default interface endpoint, which allows 443 from the whole VPC CIDR', () => {
    const { app, stack } = testStack();
    vpc(stack).addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS });

    expect(reported(app, 'VpcEndpointSecurityGroup')).toEqual(['ServerlessSecurity-VpcEndpointSecurityGroup @ Test/Vpc/Sqs/Resource']);
  });

  test('passes an endpoint reachable only from a function security group', () => {
    const { app, stack } = testStack();
    const network = vpc(stack);
    const functions = new ec2.SecurityGroup(stack, 'Functions', { vpc: network, allowAllOutbound: false });
    const endpoint = network.addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS, open: false });
    endpoint.connections.allowDefaultPortFrom(functions);

    expect(reported(app, 'VpcEndpointSecurityGroup')).toEqual([]);
  });

  test('reports ingress from anywhere, all traffic and the literal VPC CIDR', () => {
    const { app, stack } = testStack();
    const network = new ec2.CfnVPC(stack, 'Literal', { cidrBlock: '10.1.0.0/16' });
    const groups = ['Anywhere', 'AllTraffic', 'VpcCidr'].map((id) => new ec2.CfnSecurityGroup(stack, `${id}Group`, {
      groupDescription: id,
      vpcId: network.ref,
    }));
    new ec2.CfnSecurityGroupIngress(stack, 'AnywhereIngress', { groupId: groups[0].attrGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0' });
    new ec2.CfnSecurityGroupIngress(stack, 'AllTrafficIngress', { groupId: groups[1].attrGroupId, ipProtocol: '-1', cidrIpv6: '::/0' });
    new ec2.CfnSecurityGroupIngress(stack, 'VpcCidrIngress', { groupId: groups[2].attrGroupId, ipProtocol: 'tcp', fromPort: 0, toPort: 65535, cidrIp: '10.1.0.0/16' });
    groups.forEach((group, i) => new ec2.CfnVPCEndpoint(stack, `Endpoint${i}`, {
      vpcId: network.ref,
      serviceName: 'com.amazonaws.eu-west-1.sqs',
      vpcEndpointType: 'Interface',
      securityGroupIds: [group.attrGroupId],
    }));

    expect(reported(app, 'VpcEndpointSecurityGroup')).toEqual([
      'ServerlessSecurity-VpcEndpointSecurityGroup @ Test/Endpoint0',
      'ServerlessSecurity-VpcEndpointSecurityGroup @ Test/Endpoint1',
      'ServerlessSecurity-VpcEndpointSecurityGroup @ Test/Endpoint2',
    ]);
  });

  test('passes a CIDR ingress that does not cover 443 or is narrower than the VPC', () => {
    const { app, stack } = testStack();
    const network = new ec2.CfnVPC(stack, 'Literal', { cidrBlock: '10.1.0.0/16' });
    const group = new ec2.CfnSecurityGroup(stack, 'Group', {
      groupDescription: 'endpoint',
      vpcId: network.ref,
      securityGroupIngress: [
        { ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIp: '0.0.0.0/0' },
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '10.1.2.0/24' },
      ],
    });
    new ec2.CfnVPCEndpoint(stack, 'Endpoint', {
      vpcId: network.ref,
      serviceName: 'com.amazonaws.eu-west-1.sqs',
      vpcEndpointType: 'Interface',
      securityGroupIds: [group.attrGroupId],
    });

    expect(reported(app, 'VpcEndpointSecurityGroup')).toEqual([]);
  });
});
