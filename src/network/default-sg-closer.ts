import { ArnFormat, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../core/acknowledgements';
import { controlTowerFindingId } from '../core/finding-ids';

const PROVIDER_ID = 'Custom::VpcRestrictDefaultSGCustomResourceProvider';
const HARDENING_ID = 'DefaultSecurityGroupCloserPolicy';

/**
 * Hardens the deploy-time helper Lambda that aws-cdk-lib emits (as a raw
 * `CfnResource`, invisible to cdk-nag's `instanceof CfnFunction` rules) to
 * revoke the rules of the VPC's default security group:
 *
 * - its AWS-managed `AWSLambdaBasicExecutionRole` and inline policy are replaced
 *   by one customer-managed policy: the EC2 rule changes on each default
 *   security group, and log writes to one encrypted, retained log group;
 * - it logs in JSON to that log group, and at most one copy runs at a time.
 *
 * It stays outside the VPC: it calls the EC2 API once per deployment, which an
 * isolated subnet could reach only through an EC2 interface endpoint billed
 * every hour of every month. That single finding is acknowledged with this reason.
 */
export function hardenDefaultSecurityGroupCloser(vpc: ec2.Vpc, logGroup: logs.ILogGroup): CfnResource | undefined {
  const stack = Stack.of(vpc);
  const provider = stack.node.tryFindChild(PROVIDER_ID);
  if (!provider) return undefined;
  const existing = stack.node.tryFindChild(HARDENING_ID) as iam.ManagedPolicy | undefined;
  const policy = existing ?? createPolicy(stack, provider, logGroup);
  policy.addStatements(new iam.PolicyStatement({
    actions: [
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
    ],
    resources: [stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: vpc.vpcDefaultSecurityGroup, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
  }));
  return provider.node.findChild('Handler') as CfnResource;
}

function createPolicy(stack: Stack, provider: Construct, logGroup: logs.ILogGroup): iam.ManagedPolicy {
  const policy = new iam.ManagedPolicy(stack, HARDENING_ID, {
    description: 'Permissions of the deploy-time helper that closes the default security groups of this stack',
    statements: [new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    })],
  });
  const role = provider.node.findChild('Role') as CfnResource;
  role.addPropertyDeletionOverride('Policies');
  role.addPropertyOverride('ManagedPolicyArns', [policy.managedPolicyArn]);

  const handler = provider.node.findChild('Handler') as CfnResource;
  handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName, LogFormat: 'JSON' });
  handler.addPropertyOverride('ReservedConcurrentExecutions', 1);
  acknowledgeFinding(handler, controlTowerFindingId('CT.LAMBDA.PR.3'),
    'deploy-time helper that revokes the default security group rules through the EC2 API; an isolated subnet would need an EC2 interface endpoint billed every month for a call made once per deployment');
  return policy;
}
