import { NagMessageLevel } from 'cdk-nag';
import { ANY_RESOURCE_TYPE, ResourceType as T } from '../resource-index';
import { ApiStageThrottling } from './apigw/ApiStageThrottling';
import { ApiStageWaf } from './apigw/ApiStageWaf';
import { TemplateDependencyCycle } from './cloudformation/TemplateDependencyCycle';
import { DynamoDBTableDeletionProtection } from './dynamodb/DynamoDBTableDeletionProtection';
import { DynamoDBTableKey } from './dynamodb/DynamoDBTableKey';
import { KmsKeyPolicy } from './kms/KmsKeyPolicy';
import { EventSourceVisibilityTimeout } from './lambda/EventSourceVisibilityTimeout';
import { LambdaEnvironmentCredential } from './lambda/LambdaEnvironmentCredential';
import { LambdaEnvironmentKey } from './lambda/LambdaEnvironmentKey';
import { LambdaLogGroup } from './lambda/LambdaLogGroup';
import { LambdaNetworkPath } from './lambda/LambdaNetworkPath';
import { LambdaPermissionSource } from './lambda/LambdaPermissionSource';
import { LambdaPolicyWildcard } from './lambda/LambdaPolicyWildcard';
import { LambdaSharedRole } from './lambda/LambdaSharedRole';
import { LambdaUrlAuth } from './lambda/LambdaUrlAuth';
import { SecurityRule } from './security-rule';
import { VpcEndpointPolicy } from './vpc/VpcEndpointPolicy';
import { VpcEndpointSecurityGroup } from './vpc/VpcEndpointSecurityGroup';

/** A rule with what the pack reports about it. Its id is `ServerlessSecurity-<rule.name>`. */
export interface RuleDefinition {
  readonly rule: SecurityRule;
  /** The CloudFormation types the rule judges (`ANY_RESOURCE_TYPE` for all): it runs on no other resource. */
  readonly resourceTypes: readonly string[];
  readonly level: NagMessageLevel;
  /** Why the rule was triggered. */
  readonly info: string;
  /** Why the rule exists. */
  readonly explanation: string;
  /** How to fix a finding, shown with it in `security-report.sarif`. */
  readonly fix: string;
}

/** Every rule of the `ServerlessSecurity` pack, in report order. */
export const RULES: readonly RuleDefinition[] = [
  {
    rule: LambdaSharedRole,
    resourceTypes: [T.LAMBDA_FUNCTION],
    level: NagMessageLevel.ERROR,
    info: 'The Lambda function shares its execution role with another function.',
    explanation: 'A shared role gives every function the union of all their permissions, so one compromised function reaches the data of all. Give each function its own role.',
    fix: 'Give each function its own role: drop the shared `role` prop (a SecureFunction creates one), or create one role per function.',
  },
  {
    rule: LambdaPolicyWildcard,
    resourceTypes: [T.IAM_ROLE, T.IAM_POLICY, T.IAM_ROLE_POLICY, T.IAM_MANAGED_POLICY],
    level: NagMessageLevel.ERROR,
    info: 'A policy of a Lambda function role grants a wildcard action or resource.',
    explanation: 'Wildcard actions (`*`, `service:*`) and resources (`*`, every resource of a type) grant far more than the function uses. List the actions and the resource ARNs it needs, or acknowledge the exact finding with a reason.',
    fix: 'Grant with the resource\'s own grant methods (`table.grants.readItems(fn)`), or list the exact actions and resource ARNs; if AWS supports no narrower resource, acknowledge the exact finding id on the policy with the reason.',
  },
  {
    rule: LambdaLogGroup,
    resourceTypes: [T.LAMBDA_FUNCTION],
    level: NagMessageLevel.ERROR,
    info: 'The Lambda function does not write to its own log group kept at least 365 days and encrypted with a KMS key.',
    explanation: 'Without a log group in the template, Lambda creates one that never expires and is not encrypted, outside the stack. A shared log group mixes functions\' logs and their access.',
    fix: 'Use a SecureFunction or apply `FunctionHardening`, or pass `logGroup:` a log group of its own with retention of at least 365 days and a KMS key.',
  },
  {
    rule: LambdaEnvironmentKey,
    resourceTypes: [T.LAMBDA_FUNCTION],
    level: NagMessageLevel.ERROR,
    info: 'The Lambda function has environment variables but no customer-managed KMS key for them.',
    explanation: 'With the AWS-managed key, anyone allowed to read the function configuration reads the variables; a customer-managed key lets the key policy decide who may decrypt them.',
    fix: 'Pass `environmentEncryption:` a customer-managed key (a SecureFunction uses the baseline key).',
  },
  {
    rule: LambdaEnvironmentCredential,
    resourceTypes: [T.LAMBDA_FUNCTION],
    level: NagMessageLevel.ERROR,
    info: 'An environment variable of the Lambda function holds a literal value that looks like a credential.',
    explanation: 'Literal credentials end up in the template, the cloud assembly, source control and the function configuration. Pass a reference (a secret ARN) and read the value at run time.',
    fix: 'Keep the value in Secrets Manager and pass the secret by reference (`secrets: { NAME: secret }` on a SecureFunction), reading it at run time.',
  },
  {
    rule: LambdaUrlAuth,
    resourceTypes: [T.LAMBDA_URL],
    level: NagMessageLevel.ERROR,
    info: 'The Lambda function URL allows unauthenticated calls or every CORS origin.',
    explanation: 'A function URL with auth type NONE can be invoked by anyone on the internet; CORS with `*` lets any web page call it from a browser.',
    fix: 'Use `authType: FunctionUrlAuthType.AWS_IAM` and list the allowed CORS origins.',
  },
  {
    rule: LambdaPermissionSource,
    resourceTypes: [T.LAMBDA_PERMISSION],
    level: NagMessageLevel.ERROR,
    info: 'A permission lets an AWS service invoke the function without both SourceArn and SourceAccount.',
    explanation: 'Without them, a resource of that service in any account can invoke the function (confused deputy).',
    fix: 'Pass `sourceArn` and `sourceAccount` to `addPermission`, or grant through the service\'s own integration (a route, a rule target, a subscription), which sets both.',
  },
  {
    rule: LambdaNetworkPath,
    resourceTypes: [T.LAMBDA_FUNCTION],
    level: NagMessageLevel.ERROR,
    info: 'The Lambda function in a VPC may call an AWS service it has no network path to. The finding names the service: give the function its endpoint (a SecureFunction opens the endpoints its statements name; `fn.allowInterfaceEndpoint(service)` for a call no statement shows), or run it where it may reach the internet (`FunctionNetwork.outsideVpc(reason)`, or a network with `InternetEgress` and the egress the function opens itself).',
    explanation: 'IAM allows the call but nothing routes it: the function times out at run time while synth is green. A VPC endpoint reaches the service without the internet; the security report lists each function\'s services and how it reaches each.',
    fix: 'Let a SecureFunction open the endpoint its statements name, call `fn.allowInterfaceEndpoint(service)` for a call no statement shows, or run the function where it may reach the internet (`FunctionNetwork.outsideVpc(reason)`).',
  },
  {
    rule: ApiStageThrottling,
    resourceTypes: [T.API_STAGE, T.API_DEPLOYMENT, T.API_V2_STAGE],
    level: NagMessageLevel.ERROR,
    info: 'The API Gateway stage does not set a throttling rate and burst limit for every method or route.',
    explanation: 'Without stage throttling, one caller can consume the account-wide API Gateway quota and scale the functions behind the API without bound.',
    fix: 'Set `throttlingRateLimit` and `throttlingBurstLimit` in the stage\'s `deployOptions` (a SecureApi and a SecureHttpApi set both).',
  },
  {
    rule: ApiStageWaf,
    resourceTypes: [T.API_STAGE, T.API_DEPLOYMENT],
    level: NagMessageLevel.ERROR,
    info: 'The API Gateway stage is not associated with a WAFv2 web ACL in the same template.',
    explanation: 'A web ACL filters common exploits and rate-limits clients before requests reach the functions.',
    fix: 'Associate a WAFv2 web ACL with the stage (a SecureApi associates the baseline\'s `SecureWebAcl`).',
  },
  {
    rule: DynamoDBTableKey,
    resourceTypes: [T.DYNAMODB_TABLE, T.DYNAMODB_GLOBAL_TABLE],
    level: NagMessageLevel.ERROR,
    info: 'The DynamoDB table is not encrypted with a customer-managed KMS key.',
    explanation: 'With an AWS-owned or AWS-managed key, access to the data is governed by IAM alone; a customer-managed key adds a key policy, key usage in CloudTrail and the ability to revoke access.',
    fix: 'Use a SecureTable, or set `encryption: TableEncryption.CUSTOMER_MANAGED` with an `encryptionKey`.',
  },
  {
    rule: DynamoDBTableDeletionProtection,
    resourceTypes: [T.DYNAMODB_TABLE, T.DYNAMODB_GLOBAL_TABLE],
    level: NagMessageLevel.ERROR,
    info: 'The DynamoDB table does not have deletion protection enabled.',
    explanation: 'Deletion protection stops a table, and its data, from being deleted by a stack update, a replacement or a console mistake.',
    fix: 'Set `deletionProtection: true` (a SecureTable does).',
  },
  {
    rule: VpcEndpointPolicy,
    resourceTypes: [T.EC2_VPC_ENDPOINT],
    level: NagMessageLevel.ERROR,
    info: 'The VPC endpoint has no policy, or one that allows everything.',
    explanation: 'The default endpoint policy allows any principal to reach any resource of the service, in any account, which makes the endpoint a path for data exfiltration. Pin the policy to the account and the resources used.',
    fix: 'Give the endpoint a policy pinned to the account and the resources used (PrivateNetwork\'s endpoints have one).',
  },
  {
    rule: VpcEndpointSecurityGroup,
    resourceTypes: [T.EC2_VPC_ENDPOINT],
    level: NagMessageLevel.ERROR,
    info: 'The interface VPC endpoint accepts HTTPS from anywhere or from the whole VPC.',
    explanation: 'Only the functions that use an endpoint should reach it: allow port 443 from their security groups rather than from a CIDR that covers every workload.',
    fix: 'Allow 443 into the endpoint\'s security group from the functions\' security groups only.',
  },
  {
    rule: KmsKeyPolicy,
    resourceTypes: [T.KMS_KEY],
    level: NagMessageLevel.ERROR,
    info: 'The KMS key policy grants all KMS actions to a principal other than the account root, or allows grants that are not for AWS resources.',
    explanation: 'kms:* to a role or service lets it change the key policy and schedule deletion; an unrestricted kms:CreateGrant lets a principal delegate use of the key to anyone. Allow CreateGrant only with kms:GrantIsForAWSResource, and deny it otherwise.',
    fix: 'Give `kms:*` only to the account root, and allow `kms:CreateGrant` only with `kms:GrantIsForAWSResource` plus a Deny of it otherwise (a SecureKey writes both).',
  },
  {
    rule: EventSourceVisibilityTimeout,
    resourceTypes: [T.LAMBDA_EVENT_SOURCE_MAPPING],
    level: NagMessageLevel.WARN,
    info: 'The SQS queue feeding the Lambda function has a visibility timeout under six times the function timeout.',
    explanation: 'A message whose processing outlasts the visibility timeout is delivered again while still in flight, so it is processed twice or lands in the dead-letter queue.',
    fix: 'Set the queue\'s `visibilityTimeout` to at least six times the function\'s `timeout`.',
  },
  {
    rule: TemplateDependencyCycle,
    resourceTypes: [ANY_RESOURCE_TYPE],
    level: NagMessageLevel.ERROR,
    info: 'The resource is in a dependency cycle with the resources named in the finding (Ref, Fn::GetAtt, Fn::Sub, DependsOn): CloudFormation cannot deploy the template. Break one link: an ARN built from a literal name (Stack.formatArn) instead of a reference, a condition that needs no reference, a separate policy resource, or one DependsOn less.',
    explanation: 'CloudFormation creates each resource after the resources it refers to; a cycle has no such order and the deployment fails. Break one link: build an ARN from a literal name (Stack.formatArn) instead of referring to the resource, use a condition that needs no reference (aws:SourceAccount, kms:ViaService), move a policy statement into a separate policy resource, or remove a DependsOn.',
    fix: 'Break one link of the cycle: an ARN built from a literal name (`Stack.formatArn`) instead of a reference, a condition that needs no reference (`aws:SourceAccount`, `kms:ViaService`), a separate policy resource, or one `DependsOn` less.',
  },
];
