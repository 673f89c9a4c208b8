import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeFindings } from '../core/acknowledgements';
import { SERVERLESS_SECURITY_PACK } from '../core/finding-ids';

export const AWS_REQUIRED_WILDCARD_REASON =
  'AWS requires Resource "*" for these actions: X-Ray PutTraceSegments/PutTelemetryRecords and the EC2 network-interface actions Lambda uses '
  + 'to attach a function to its VPC subnets support no resource-level scoping; this policy holds only those statements, and every function '
  + 'of the stack shares it';

/** X-Ray's write actions, which accept only `Resource: "*"`. */
const TRACE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/** What Lambda needs of the execution role to attach a function to its VPC subnets. */
const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * `dynamodb:ListStreams` supports no resource-level permission, and Lambda's
 * DynamoDB event source lists it among the execution role's permissions
 * (aws-cdk-lib's `DynamoEventSource` grants it on `"*"`).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-eventsourcemapping.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 */
const STREAM_LISTING_ACTIONS = ['dynamodb:ListStreams'];

export const STREAM_LISTING_REASON =
  'AWS requires Resource "*" for dynamodb:ListStreams, which supports no resource-level permission and which Lambda\'s DynamoDB event source '
  + 'lists among the execution role\'s permissions; this policy holds only that statement, and every function of the stack that was granted it shares it';

/** The construct, under the stack, that holds the shared policies. */
const HOLDER_ID = 'FunctionRequiredWildcards';

/** What a function needs on `*`: tracing always, network interfaces when it runs in a VPC. */
export enum RequiredWildcards {
  TRACING = 'Tracing',
  TRACING_IN_VPC = 'TracingInVpc',
  /** `dynamodb:ListStreams` alone: a function granted it (a DynamoDB event source) attaches it besides one of the above. */
  STREAM_LISTING = 'StreamListing',
}

/** X-Ray's write statement, as aws-cdk-lib writes it for an actively traced function. */
export function writeTracesStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: TRACE_ACTIONS, resources: ['*'] });
}

/** Lambda's network-interface statement for a function in a VPC. */
export function attachToVpcSubnetsStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: 'AttachToVpcSubnets', actions: NETWORK_INTERFACE_ACTIONS, resources: ['*'] });
}

/**
 * Which shared policy already grants `statement`: an Allow on `"*"` alone,
 * without conditions, of X-Ray write or network-interface actions only.
 * Anything else (another action, a condition, a `NotAction`) is judged on its own.
 */
export function requiredWildcardsOf(statement: iam.PolicyStatement): RequiredWildcards | undefined {
  const plain = statement.effect === iam.Effect.ALLOW && statement.principals.length === 0 && statement.notPrincipals.length === 0
    && statement.notActions.length === 0 && statement.notResources.length === 0 && Object.keys(statement.conditions).length === 0
    && statement.resources.length === 1 && statement.resources[0] === '*' && statement.actions.length > 0;
  if (!plain) return undefined;
  if (statement.actions.every((action) => TRACE_ACTIONS.includes(action))) return RequiredWildcards.TRACING;
  if (statement.actions.every((action) => NETWORK_INTERFACE_ACTIONS.includes(action))) return RequiredWildcards.TRACING_IN_VPC;
  if (statement.actions.every((action) => STREAM_LISTING_ACTIONS.includes(action))) return RequiredWildcards.STREAM_LISTING;
  return undefined;
}

/**
 * The stack's one customer-managed policy for `kind`, holding only the
 * statements AWS requires on `*`, where exactly those findings are
 * acknowledged. Every function of the stack attaches it instead of carrying
 * the statements in its own policy, where the acknowledgement would also
 * cover the user's statements: one resource per stack, none per function.
 */
export function requiredWildcardsPolicy(scope: IConstruct, kind: RequiredWildcards): iam.ManagedPolicy {
  const stack = Stack.of(scope);
  const holder = (stack.node.tryFindChild(HOLDER_ID) as Construct | undefined) ?? new Construct(stack, HOLDER_ID);
  const existing = holder.node.tryFindChild(kind) as iam.ManagedPolicy | undefined;
  if (existing) return existing;
  const listing = kind === RequiredWildcards.STREAM_LISTING;
  const statements = listing
    ? [new iam.PolicyStatement({ actions: STREAM_LISTING_ACTIONS, resources: ['*'] })]
    : [writeTracesStatement()];
  if (kind === RequiredWildcards.TRACING_IN_VPC) statements.push(attachToVpcSubnetsStatement());
  const description = {
    [RequiredWildcards.TRACING]: 'X-Ray writes of the functions of this stack: AWS authorizes them only on all resources',
    [RequiredWildcards.TRACING_IN_VPC]: 'X-Ray writes and VPC network interfaces of the functions of this stack: AWS authorizes them only on all resources',
    [RequiredWildcards.STREAM_LISTING]: 'DynamoDB stream listing of the functions of this stack that read a stream: AWS authorizes it only on all resources',
  }[kind];
  const policy = new iam.ManagedPolicy(holder, kind, { description, statements });
  acknowledgeFindings(policy, [
    'AwsSolutions-IAM5[Resource::*]',
    `${SERVERLESS_SECURITY_PACK}-LambdaPolicyWildcard[Resource::*]`,
  ], listing ? STREAM_LISTING_REASON : AWS_REQUIRED_WILDCARD_REASON);
  return policy;
}

/**
 * Attaches the stack's shared policy for `kind` to `role`, from the role's side
 * (`ManagedPolicyArns`): the role, and so every function using it, then waits
 * for the policy, which itself refers to nothing. A role whose attachments
 * cannot be changed from its side (imported) lists itself on the policy, and
 * `dependent` (the function) waits for the policy.
 */
export function attachRequiredWildcards(role: iam.IRole, kind: RequiredWildcards, dependent?: IConstruct): iam.ManagedPolicy {
  const policy = requiredWildcardsPolicy(role, kind);
  if (role instanceof iam.Role && role.node.defaultChild instanceof iam.CfnRole) {
    const attached = (role as unknown as { managedPolicies: iam.IManagedPolicy[] }).managedPolicies;
    if (!attached.includes(policy)) role.addManagedPolicy(policy);
  } else {
    policy.attachToRole(role);
    const resource = dependent && (CfnResource.isCfnResource(dependent) ? dependent : dependent.node.defaultChild);
    if (resource && CfnResource.isCfnResource(resource)) resource.addDependency(policy.node.defaultChild as CfnResource);
  }
  return policy;
}

/** Attaches the shared policy to a raw `AWS::IAM::Role` from its side, keeping its other managed policies. */
export function attachRequiredWildcardsToRawRole(role: CfnResource, managedPolicyArns: unknown[], kind: RequiredWildcards): void {
  role.addPropertyOverride('ManagedPolicyArns', [...managedPolicyArns, requiredWildcardsPolicy(role, kind).managedPolicyArn]);
}
