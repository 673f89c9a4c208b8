import { Mixins } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ServerlessSecurityChecks } from '../../src/guardrails';
import { FunctionHardening } from '../../src/mixins/function-hardening';
import { CODE, HANDLER, PREFIX_LISTS, logicalIdOf, newStack } from '../core/fixtures';

/**
 * A plain function that FunctionHardening places in the private network reaches
 * exactly the services its grants name, as a SecureFunction does: the network
 * aspect reads its role's statements.
 */
describe('a hardened plain function in the private network', () => {
  const { app, stack } = newStack();
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const parameter = new ssm.StringParameter(stack, 'Param', { stringValue: 'v' });
  const fn = new lambda.Function(stack, 'Fn', { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST });
  table.grantReadData(fn);
  parameter.grantRead(fn);
  Mixins.of(stack).apply(new FunctionHardening());
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;

  test('its security group sends HTTPS to the DynamoDB prefix list and the SSM endpoint only', () => {
    const [group] = resources[logicalIdOf(fn)].Properties.VpcConfig.SecurityGroupIds.map((g: any) => g['Fn::GetAtt'][0]);
    const egress = [
      ...resources[group].Properties.SecurityGroupEgress,
      ...Object.values<any>(template.findResources('AWS::EC2::SecurityGroupEgress'))
        .map(r => r.Properties)
        .filter(p => p.GroupId['Fn::GetAtt'][0] === group),
    ];
    expect(egress).toEqual(expect.arrayContaining([expect.objectContaining({ DestinationPrefixListId: PREFIX_LISTS.dynamodb, FromPort: 443 })]));
    const ssmEndpoint = Object.values<any>(template.findResources('AWS::EC2::VPCEndpoint'))
      .find(e => String(e.Properties.ServiceName).endsWith('.ssm'));
    expect(ssmEndpoint).toBeDefined();
    const toEndpoint = egress.filter((rule: any) => rule.DestinationSecurityGroupId);
    expect(toEndpoint).toEqual([expect.objectContaining({
      DestinationSecurityGroupId: { 'Fn::GetAtt': [ssmEndpoint.Properties.SecurityGroupIds[0]['Fn::GetAtt'][0], 'GroupId'] },
      FromPort: 443,
    })]);
    expect(egress.filter((rule: any) => rule.CidrIp && rule.CidrIp !== '255.255.255.255/32')).toEqual([]);
  });

  test('the pack finds a path for every permission', () => {
    const violations = new ServerlessSecurityChecks().validateScope(app).violations
      .filter(v => v.ruleName.startsWith('ServerlessSecurity-LambdaNetworkPath'));
    expect(violations).toEqual([]);
  });
});
