import { ArnFormat, RemovalPolicy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeFindings } from '../core/acknowledgements';
import { SecureServerlessError } from '../core/errors';
import { renderText } from '../guardrails/cfn-values';
import { PolicyRole } from '../iam/policy-role';

const REGISTRY = Symbol.for('cdk-secure-serverless.ApiGatewayAccount.registry');
const ACCOUNT_SETTING_METADATA = 'cdk-secure-serverless:account-setting';

/**
 * The account-wide API Gateway setting that names the role API Gateway uses to
 * write execution and access logs of every REST API of one account and region.
 *
 * There is one such setting per account and region, so an app holds at most one
 * ApiGatewayAccount per account and region: the first SecureApi creates it in a
 * stack of its own, `ApiGatewayAccount-<account>-<region>` (`ApiGatewayAccount.of`),
 * or you create it yourself in the stack of your choice, before any SecureApi;
 * every SecureApi of the app for that environment uses it, and its stack depends
 * on that stack. A stack of its own depends on nothing, so stacks with APIs may
 * reference each other in any direction without a cycle through the setting, and
 * deleting any of them leaves the account's logging alone.
 *
 * - the role has one customer-managed policy (no AWS-managed policy) that may
 *   only create log groups and streams and write log events in this account and
 *   region; it cannot read, delete or reach another account;
 * - the role, its policy and the setting are retained when their stack is
 *   deleted: API Gateway keeps using the role for the whole account, and deleting
 *   it would silently stop the logging of every API of the account.
 */
export class ApiGatewayAccount extends Construct {
  /**
   * The ApiGatewayAccount of the app for the account and region of `scope`'s stack,
   * created in a stack of its own if there is none yet.
   */
  public static of(scope: IConstruct): ApiGatewayAccount {
    const stack = Stack.of(scope);
    return registryOf(stack).get(environmentKey(stack)) ?? new ApiGatewayAccount(accountStackFor(stack), 'ApiGatewayAccount');
  }

  /** The role API Gateway assumes to write logs. */
  public readonly role: iam.IRole;

  private readonly resource: apigateway.CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const registry = registryOf(stack);
    const key = environmentKey(stack);
    const existing = registry.get(key);
    if (existing) {
      throw new SecureServerlessError(this.node.path, 'scope',
        `invalid scope: received a second ApiGatewayAccount for ${describeEnvironment(stack)}; ` +
        `allowed: one per app and environment, and ${existing.node.path} already sets it (the setting is account-wide: a second one would overwrite the first)`);
    }
    registry.set(key, this);

    const role = new PolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: `API Gateway writes the execution and access logs of every REST API of ${describeEnvironment(stack)} with this role`,
    });
    const logGroups = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const logStreams = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*:log-stream:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteApiLogsInThisAccountAndRegion',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      resources: [logGroups, logStreams],
    }));
    acknowledgeFindings(role.policy, [logGroups, logStreams].map(arn => `AwsSolutions-IAM5[Resource::${renderText(stack.resolve(arn))}]`),
      'API Gateway uses this one role for the execution and access logs of every REST API of the account and region, ' +
      'whose log group names it cannot know in advance; the policy only writes logs, in this account and region');
    // The acknowledgement covers this statement only: what others add to the role lands in a policy of its own.
    role._reserveForLibrary();
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    role.policy.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.role = role;

    this.resource = new apigateway.CfnAccount(this, 'Resource', { cloudWatchRoleArn: role.roleArn });
    this.resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.resource.node.addDependency(role.policy);
    this.node.addMetadata(ACCOUNT_SETTING_METADATA, {
      setting: 'AWS::ApiGateway::Account',
      environment: describeEnvironment(stack),
      reason: 'API Gateway needs a CloudWatch role to write execution and access logs',
    });
  }

  /**
   * Makes `dependent` (a stage that logs) wait for the setting: in the same stack
   * through a resource dependency, otherwise through a stack dependency.
   *
   * @internal
   */
  public _requiredBy(dependent: IConstruct): void {
    const dependentStack = Stack.of(dependent);
    const ownStack = Stack.of(this);
    if (dependentStack === ownStack) {
      dependent.node.addDependency(this.resource);
    } else {
      dependentStack.addStackDependency(ownStack, `${dependent.node.path} logs through the API Gateway CloudWatch role set by ${this.node.path}`);
    }
  }
}

/**
 * Which role API Gateway uses to write the logs of a SecureApi.
 */
export class ApiCloudWatchRole {
  /**
   * The app's ApiGatewayAccount for the stack's account and region: the existing one,
   * or one created in a stack of its own.
   */
  public static appManaged(): ApiCloudWatchRole {
    return new ApiCloudWatchRole(true);
  }

  /**
   * The account's API Gateway CloudWatch role is already set, outside this app (by a
   * platform team or another app): nothing is created. If it is not set, deploying
   * the stage fails, as execution logging requires it.
   */
  public static alreadyConfigured(): ApiCloudWatchRole {
    return new ApiCloudWatchRole(false);
  }

  /** Whether the app manages the account setting. */
  public readonly managed: boolean;

  private constructor(managed: boolean) {
    this.managed = managed;
  }

  /**
   * The setting `dependent` needs, made a dependency of it.
   *
   * @internal
   */
  public _bind(dependent: IConstruct): ApiGatewayAccount | undefined {
    if (!this.managed) return undefined;
    const account = ApiGatewayAccount.of(dependent);
    account._requiredBy(dependent);
    return account;
  }
}

/**
 * The stack that holds the app's setting for `stack`'s environment, beside the
 * stacks of the app (or of its Stage), created on first need.
 */
function accountStackFor(stack: Stack): Stack {
  const holder = holderOf(stack);
  const account = Token.isUnresolved(stack.account) ? undefined : stack.account;
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  const id = ['ApiGatewayAccount', account, region].filter(part => part !== undefined).join('-');
  const existing = holder.node.tryFindChild(id);
  if (existing) return existing as Stack;
  return new Stack(holder, id, {
    env: { account, region },
    description: `The API Gateway CloudWatch role setting used by every SecureApi of ${describeEnvironment(stack)}`,
  });
}

function holderOf(stack: Stack): Construct {
  // Per Stage: each stage is its own cloud assembly, deployed on its own.
  return (Stage.of(stack) ?? stack.node.root) as Construct;
}

function registryOf(stack: Stack): Map<string, ApiGatewayAccount> {
  const holder = holderOf(stack) as any;
  holder[REGISTRY] ??= new Map<string, ApiGatewayAccount>();
  return holder[REGISTRY];
}

function environmentKey(stack: Stack): string {
  const account = Token.isUnresolved(stack.account) ? '<account>' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '<region>' : stack.region;
  return `${account}/${region}`;
}

function describeEnvironment(stack: Stack): string {
  const account = Token.isUnresolved(stack.account) ? 'the deployment account' : `account ${stack.account}`;
  const region = Token.isUnresolved(stack.region) ? 'the deployment region' : stack.region;
  return `${account} in ${region}`;
}
