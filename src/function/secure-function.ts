import { createHash } from 'crypto';
import { ArnFormat, CfnResource, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { adoptCdkManagedLogGroup } from './cdk-managed-log-group';
import { EventSourceDefaults, firstReference } from './event-source-defaults';
import { functionFailureAlarm } from './failure-alarm';
import {
  decryptOwnEnvironmentStatement, FUNCTION_DEFAULTS, hardenFunctionDeadLetterQueue, INTRINSIC_SOURCE_CONDITIONS_REASON, waiveFunctionVpc,
} from './function-defaults';
import { FunctionNetwork } from './function-network';
import { FunctionRole } from './function-role';
import { grantInvokeThroughManagedPolicy } from './invoke-grants';
import { attachToVpcSubnetsStatement } from './required-wildcards';
import { orderOnlyTheFunctionAfterRoutes } from './route-dependencies';
import { acknowledgePreviewRuntime, familyOf, newestRuntime } from './runtime';
import { rejectUnhonouredProps, UNHONOURED_FUNCTION_PROPS } from './unhonoured-props';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeFinding } from '../core/acknowledgements';
import { claimId } from '../core/construct-ids';
import { checkDurationSeconds, checkIntegerRange, describeValue, invalidProp, SecureServerlessError } from '../core/errors';
import { controlTowerFindingId, SERVERLESS_SECURITY_PACK } from '../core/finding-ids';
import { LogRetention } from '../core/log-retention';
import { checkPropKinds, kinds } from '../core/prop-types';
import { credentialInText, looksLikeCredential } from '../guardrails/credentials';
import { followPermissions, NetworkIdentity, RequestedEndpoint } from '../network/network-paths';
import { PrivateNetwork } from '../network/private-network';

const SECURE_FUNCTION = Symbol.for('cdk-secure-serverless.SecureFunction');
const ENV_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
/** Variables the Lambda runtime sets itself; a function may not define them. */
const RESERVED_ENV = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);
/** Retries of a failed asynchronous invocation that Lambda makes without an EventInvokeConfig. */
const LAMBDA_ASYNC_RETRIES = 2;

/**
 * Options of a SecureFunction shared with factories and SecureNodejsFunction.
 */
export interface SecureFunctionOptions {
  /**
   * A description of the function.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * A name for the function.
   *
   * @default - the stack name and a name unique to the construct path
   */
  readonly functionName?: string;

  /**
   * Environment variables. Values that look like credentials (by name, such as
   * PASSWORD, SECRET, TOKEN or API_KEY, or by shape, such as an AWS access key)
   * are rejected: pass secrets with `secrets` instead.
   *
   * @default - no environment variables
   */
  readonly environment?: { [key: string]: string };

  /**
   * Secrets the function reads at run time, by environment variable name. The
   * variable holds the secret's ARN (never its value) and the function is granted
   * read access to that secret only, with the key use it needs and the Secrets
   * Manager endpoint in its network.
   *
   * @default - no secrets
   */
  readonly secrets?: { [key: string]: secretsmanager.ISecret };

  /**
   * Memory in MB, from 128 to 10240.
   *
   * @default 512
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
   */
  readonly memorySize?: number;

  /**
   * Maximum run time of one invocation, from 1 to 900 seconds.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * Concurrent executions reserved for, and capping, this function; at least 1.
   *
   * A cap keeps one function from exhausting the account's concurrency and
   * bounds the cost of a flood of requests.
   *
   * @default 10
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * The instruction set architecture.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Where the function runs.
   *
   * @default FunctionNetwork.privateNetwork()
   */
  readonly network?: FunctionNetwork;

  /**
   * How long the function's log group keeps events.
   *
   * @default - the baseline's retention, at least one year
   */
  readonly logRetention?: LogRetention;

  /**
   * Retries of a failed asynchronous invocation before the event goes to the
   * dead-letter queue, from 0 to 2.
   *
   * @default 2
   */
  readonly retryAttempts?: number;

  /**
   * Code signing configuration that deployments of this function must satisfy.
   *
   * @default - code is not signature-checked
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html
   */
  readonly codeSigningConfig?: lambda.ICodeSigningConfig;

  /**
   * Layers added to the function.
   *
   * @default - no layers
   */
  readonly layers?: lambda.ILayerVersion[];

  /**
   * The baseline that provides the key, log defaults, network and alarm topic.
   *
   * @default SecurityBaseline.of(this)
   */
  readonly baseline?: SecurityBaseline;
}

/**
 * Properties of a SecureFunction.
 */
export interface SecureFunctionProps extends SecureFunctionOptions {
  /**
   * The function code.
   */
  readonly code: lambda.Code;

  /**
   * The handler, e.g. `index.handler`.
   */
  readonly handler: string;

  /**
   * The runtime. It must be the newest generally available one of its family
   * that the installed aws-cdk-lib knows; an older one is an error
   * (AwsSolutions-L1), and so is a public preview runtime (not for production use).
   *
   * @default - the newest generally available Node.js runtime known to aws-cdk-lib
   */
  readonly runtime?: lambda.Runtime;
}

/**
 * A Lambda function that is secure by default.
 *
 * - its own role, with a customer-managed policy of its own and no AWS-managed
 *   policy; it may write logs only to its own log group;
 * - its own log group, encrypted with the baseline key, retained, kept for at least
 *   a year, in JSON format;
 * - environment encrypted with the baseline key, which the role may use only to
 *   decrypt this function's environment; credential-looking literal values
 *   rejected; secrets passed by reference;
 * - active tracing; explicit memory, timeout and reserved concurrency;
 * - an encrypted, TLS-only dead-letter queue that receives failed asynchronous
 *   events (`configureAsyncInvoke` adds destinations and keeps it);
 * - private subnets, with a security group that reaches only the VPC endpoints the
 *   function was granted;
 * - the newest runtime; invoke permissions for AWS services always carry
 *   `SourceArn` and `SourceAccount`; invoke grants name the function's own ARN,
 *   never every version and alias; function URLs only with `AWS_IAM` auth;
 * - an alarm on errors, throttles and dead-letter queue depth to the alarm topic.
 */
export class SecureFunction extends lambda.Function {
  /**
   * Whether `x` is a SecureFunction.
   */
  public static isSecureFunction(x: unknown): x is SecureFunction {
    return typeof x === 'object' && x !== null && SECURE_FUNCTION in x;
  }

  /** The baseline this function uses. */
  public readonly baseline: SecurityBaseline;
  /** The private network the function runs in; undefined when it runs outside a VPC. */
  public readonly network?: PrivateNetwork;
  /**
   * The first customer-managed policy of the function's role; permissions spill into
   * further policies (`policies`) before one would exceed IAM's size limit.
   */
  public readonly policy: iam.ManagedPolicy;
  /** Every customer-managed policy of the function's role. */
  public readonly policies: iam.ManagedPolicy[];
  /** The alarm on errors, throttles and dead-letter queue depth (one alarm on all three). */
  public readonly alarms: cloudwatch.IAlarm[];

  private readonly secureLogGroup: logs.ILogGroup;
  private readonly asyncRetryAttempts: number;
  /** The group the function is in; replaced by a shared one at synth unless someone else used it. */
  private _securityGroup?: ec2.ISecurityGroup;
  /** Whether code other than the library read the security group, so that it may carry that code's rules. */
  private securityGroupUsed = false;
  /** Endpoints asked for with `allowInterfaceEndpoint` / `allowGatewayEndpoint`, opened at synth. */
  private readonly requestedEndpoints: RequestedEndpoint[] = [];
  private asyncInvokeConfigured = false;

  constructor(scope: Construct, id: string, props: SecureFunctionProps) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    validateProps(scope, path, props);
    const baseline = props.baseline ?? SecurityBaseline.of(scope);
    const functionNetwork = props.network ?? FunctionNetwork.privateNetwork();
    const network = functionNetwork.outsideVpcReason ? undefined : functionNetwork.network ?? baseline.network;
    // The role is created beside the function: lambda.Function needs it at construction.
    const role = new FunctionRole(scope, claimId(scope, `${id}ServiceRole`, `the execution role of ${path}`), {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${path} only`,
    }, network !== undefined);
    const securityGroup = network
      ? new ec2.SecurityGroup(scope, claimId(scope, `${id}SecurityGroup`, `the security group of ${path}`), {
        vpc: network.vpc,
        allowAllOutbound: false,
        description: `${path}: HTTPS only to the VPC endpoints it was granted`,
      })
      : undefined;

    super(scope, id, {
      code: props.code,
      handler: props.handler,
      runtime: props.runtime ?? defaultRuntime(),
      description: props.description,
      functionName: props.functionName,
      environment: props.environment,
      environmentEncryption: baseline.key,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? FUNCTION_DEFAULTS.reservedConcurrentExecutions,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      tracing: FUNCTION_DEFAULTS.tracing,
      role,
      vpc: network?.vpc,
      vpcSubnets: network?.subnets,
      securityGroups: securityGroup ? [securityGroup] : undefined,
      codeSigningConfig: props.codeSigningConfig,
      layers: props.layers,
      deadLetterQueueEnabled: true,
      loggingFormat: FUNCTION_DEFAULTS.loggingFormat,
    });
    Object.defineProperty(this, SECURE_FUNCTION, { value: true });
    acknowledgePreviewRuntime(this, this.runtime.name);
    this.baseline = baseline;
    this.network = network;
    this._securityGroup = securityGroup;
    this.policy = role.policy;
    this.policies = role.policies;

    const functionName = this.decryptOwnEnvironment(props.functionName);
    this.secureLogGroup = this.createLogGroup(props.logRetention, functionName);
    const deadLetterQueue = this.hardenDeadLetterQueue();
    EventSourceDefaults.register(this, deadLetterQueue);
    this.asyncRetryAttempts = props.retryAttempts ?? LAMBDA_ASYNC_RETRIES;
    // Lambda retries twice by itself: an EventInvokeConfig is written only for other retries.
    if (this.asyncRetryAttempts !== LAMBDA_ASYNC_RETRIES) this.writeEventInvokeConfig({ retryAttempts: this.asyncRetryAttempts });
    if (network) {
      role.addToPrincipalPolicy(attachToVpcSubnetsStatement());
      followPermissions(this);
    } else {
      waiveFunctionVpc(this, functionNetwork.outsideVpcReason!);
    }
    for (const [name, secret] of Object.entries(props.secrets ?? {})) {
      this.addEnvironment(name, secret.secretArn);
      secret.grantRead(this);
      this.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER);
    }
    this.alarms = this.createAlarms(deadLetterQueue);
    if (network) {
      orderOnlyTheFunctionAfterRoutes([deadLetterQueue, this.secureLogGroup, ...this.alarms],
        network.vpc.selectSubnets(network.subnets).internetConnectivityEstablished);
    }
  }

  /**
   * The function's own log group.
   */
  public get logGroup(): logs.ILogGroup {
    return this.secureLogGroup;
  }

  /**
   * Adds an environment variable, rejecting values that look like credentials.
   */
  public addEnvironment(key: string, value: string, options?: lambda.EnvironmentOptions): this {
    const secret = checkEnvironmentEntry(this, this.node.path, key, value);
    super.addEnvironment(key, value, options);
    if (secret) this.acknowledgeSecretName(key, secret);
    return this;
  }

  /**
   * The ARNs an invoke grant names: this function's own ARN.
   *
   * aws-cdk-lib adds `<arn>:*` (every version and alias of the function), which
   * AwsSolutions-IAM5 flags. The invoker of a version or alias is granted on it:
   * `fn.currentVersion.grantInvoke(role)`, `alias.grantInvoke(role)`. aws-cdk-lib's
   * Step Functions `tasks.LambdaInvoke` and Scheduler `LambdaInvoke` read these ARNs too.
   */
  public get resourceArnsForGrantInvoke(): string[] {
    return [this.functionArn];
  }

  /**
   * Grants invoking this function (its unqualified ARN, `$LATEST`).
   *
   * A plain `iam.Role` of this account (such as the role aws-cdk-lib's scheduler
   * targets create) gets the statement in a customer-managed policy attached to it
   * only, instead of its inline `DefaultPolicy`, which HIPAA, NIST 800-53 and PCI
   * DSS flag.
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return grantInvokeThroughManagedPolicy(this, grantee, this.resourceArnsForGrantInvoke) ?? super.grantInvoke(grantee);
  }

  /**
   * Grants invoking one version of this function, like `grantInvoke` for a plain role.
   */
  public grantInvokeVersion(grantee: iam.IGrantable, version: lambda.IVersion): iam.Grant {
    // aws-cdk-lib also names the unqualified ARN for $LATEST, which is what it invokes.
    const arns = version === this.latestVersion ? [version.functionArn, this.functionArn] : [version.functionArn];
    return grantInvokeThroughManagedPolicy(this, grantee, arns) ?? super.grantInvokeVersion(grantee, version);
  }

  /**
   * Grants an AWS service or account permission to invoke the function.
   *
   * A service principal must name the calling resource (`sourceArn`); the
   * calling account (`sourceAccount`) defaults to this stack's account.
   */
  public addPermission(id: string, permission: lambda.Permission): void {
    const services = [Stack.of(this).resolve(permission.principal.policyFragment.principalJson.Service) ?? []].flat();
    const principal = services.length > 0 ? services.join(', ') : undefined;
    if (principal !== undefined) {
      if (permission.sourceArn === undefined) {
        invalidProp(this, 'permission.sourceArn', permission.sourceArn,
          `the ARN of the ${principal} resource allowed to invoke the function (confused-deputy protection)`);
      }
      permission = { ...permission, sourceAccount: permission.sourceAccount ?? Stack.of(this).account };
    }
    super.addPermission(id, permission);
    if (principal !== undefined && Token.isUnresolved(permission.sourceAccount) && Token.isUnresolved(permission.sourceArn)) {
      // In an environment-agnostic stack both conditions are intrinsics, which the guard rule cannot read.
      acknowledgeFinding((permission.scope ?? this).node.findChild(id), controlTowerFindingId('CT.LAMBDA.PR.2'), INTRINSIC_SOURCE_CONDITIONS_REASON);
    }
  }

  /**
   * Adds a function URL; only `AWS_IAM` authentication is allowed and CORS may not
   * allow every origin.
   */
  public addFunctionUrl(options: lambda.FunctionUrlOptions = {}): lambda.FunctionUrl {
    const authType = options.authType ?? lambda.FunctionUrlAuthType.AWS_IAM;
    if (authType !== lambda.FunctionUrlAuthType.AWS_IAM) {
      invalidProp(this, 'authType', authType, 'FunctionUrlAuthType.AWS_IAM (a function URL without auth is public)');
    }
    if (options.cors?.allowedOrigins?.some(origin => origin === '*')) {
      invalidProp(this, 'cors.allowedOrigins', options.cors.allowedOrigins, 'explicit origins, not "*"');
    }
    return super.addFunctionUrl({ ...options, authType });
  }

  /**
   * Configures asynchronous invocation: success destination, event age, retries
   * (0 to 2, by default the function's `retryAttempts`) and an on-failure
   * destination besides the dead-letter queue, which keeps receiving failed events.
   * An on-failure destination must be a SecureQueue, SecureTopic or SecureFunction.
   * Call it once, with every option.
   */
  public configureAsyncInvoke(options: lambda.EventInvokeConfigOptions): void {
    if (this.asyncInvokeConfigured) {
      invalidProp(this, 'configureAsyncInvoke', 'a second call', 'one call with every option (onSuccess, onFailure, maxEventAge, retryAttempts)');
    }
    checkIntegerRange(this, 'retryAttempts', options.retryAttempts, 0, 2, 'retries');
    checkDurationSeconds(this, 'maxEventAge', options.maxEventAge, 60, 21600, '60 (1 minute) to 21600 (6 hours)');
    this.asyncInvokeConfigured = true;
    this.node.tryRemoveChild('EventInvokeConfig');
    this.writeEventInvokeConfig({ ...options, retryAttempts: options.retryAttempts ?? this.asyncRetryAttempts });
    if (options.onFailure) this.checkOnFailureDestination(options.onFailure);
  }

  /**
   * The function's security group; undefined when it runs outside a VPC.
   *
   * Functions whose groups nobody else uses share one group per set of endpoints at
   * synth (its egress is exactly those endpoints). Reading this property (or
   * `connections`) keeps the function in a group of its own, so that the rules you
   * add to it apply to this function alone.
   */
  public get securityGroup(): ec2.ISecurityGroup | undefined {
    this.securityGroupUsed = true;
    return this._securityGroup;
  }

  /**
   * The function's network connections: its security group.
   *
   * Using them keeps the function in a security group of its own (see `securityGroup`).
   */
  public get connections(): ec2.Connections {
    this.securityGroupUsed = true;
    return super.connections;
  }

  /**
   * Lets the function reach an AWS service through its interface endpoint, which is
   * created in the function's network at synth. Grants of the Secure* constructs
   * call this for you, and the endpoints the function's statements name are opened
   * without it; call it for a call no statement shows.
   */
  public allowInterfaceEndpoint(service: ec2.InterfaceVpcEndpointAwsService): void {
    if (this.network) this.requestedEndpoints.push({ kind: 'interface', service });
  }

  /**
   * Lets the function reach DynamoDB (`dynamodb`) or S3 (`s3`) through the network's
   * gateway endpoint.
   */
  public allowGatewayEndpoint(service: string): void {
    if (service !== 'dynamodb' && service !== 's3') invalidProp(this, 'service', service, '"dynamodb" or "s3"');
    if (this.network) this.requestedEndpoints.push({ kind: 'gateway', service });
  }

  /**
   * What the network aspect needs: the function's group, whether only the library
   * used it, and the endpoints asked for explicitly.
   *
   * @internal
   */
  public get _networkIdentity(): NetworkIdentity | undefined {
    if (!this._securityGroup) return undefined;
    return { securityGroup: this._securityGroup, ownGroupNeeded: this.securityGroupUsed, requestedEndpoints: this.requestedEndpoints };
  }

  /**
   * Moves the function into `shared` and removes its own group, which nothing
   * else references.
   *
   * @internal
   */
  public _joinSecurityGroup(shared: ec2.ISecurityGroup): void {
    const own = this._securityGroup;
    if (!own || own === shared || this.securityGroupUsed) return;
    const cfn = this.node.defaultChild as lambda.CfnFunction;
    const vpcConfig = cfn.vpcConfig as lambda.CfnFunction.VpcConfigProperty;
    cfn.vpcConfig = { ...vpcConfig, securityGroupIds: [shared.securityGroupId] };
    (this as any)._connections = new ec2.Connections({ securityGroups: [shared] });
    own.node.scope!.node.tryRemoveChild(own.node.id);
    this._securityGroup = shared;
  }

  private writeEventInvokeConfig(options: lambda.EventInvokeConfigOptions): void {
    super.configureAsyncInvoke(options);
    if (!options.onFailure) {
      acknowledgeFinding(this.node.findChild('EventInvokeConfig'), 'Serverless-LambdaAsyncFailureDestination',
        'failed asynchronous events go to the function\'s encrypted dead-letter queue (DeadLetterConfig); an on-failure destination to the same queue would deliver each failed event twice');
    }
  }

  /** An on-failure destination must keep failed events as safe as the dead-letter queue: encrypted with a customer-managed key. */
  private checkOnFailureDestination(destination: lambda.IDestination): void {
    const stack = Stack.of(this);
    const config = this.node.findChild('EventInvokeConfig').node.defaultChild as lambda.CfnEventInvokeConfig;
    const logicalId = firstReference(stack.resolve(config.destinationConfig));
    const resource = logicalId === undefined ? undefined : stack.node.findAll()
      .find((c): c is CfnResource => CfnResource.isCfnResource(c) && stack.resolve(c.logicalId) === logicalId);
    const customerKey = (key: unknown) => typeof key === 'string' ? !/^alias\/aws\//.test(key) : key !== undefined;
    const secure = resource !== undefined && (SecureFunction.isSecureFunction(resource.node.scope) ||
      (resource instanceof sqs.CfnQueue && customerKey(stack.resolve(resource.kmsMasterKeyId))) ||
      (resource instanceof sns.CfnTopic && customerKey(stack.resolve(resource.kmsMasterKeyId))));
    if (!secure) {
      invalidProp(this, 'onFailure', resource?.node.path ?? destination.constructor.name,
        'a destination to a queue or topic of this stack encrypted with a customer-managed key (SecureQueue, SecureTopic) or to a SecureFunction, ' +
        'or none: failed events always go to the function\'s dead-letter queue');
    }
  }

  /** The variable holds the literal name of a secret of this app, which the credential rule cannot tell from a password. */
  private acknowledgeSecretName(key: string, secret: secretsmanager.ISecret): void {
    acknowledgeFinding(this, `${SERVERLESS_SECURITY_PACK}-LambdaEnvironmentCredential[Variable::${key}]`,
      `the value of ${key} is the name of the secret ${secret.node.path}, a reference to it, not a credential`);
  }

  private createLogGroup(retention: LogRetention | undefined, functionName: string): logs.ILogGroup {
    const purpose = `logs of ${this.node.path}`;
    const group = adoptCdkManagedLogGroup(this, functionName, (managed) => this.baseline.hardenLogGroup(managed, purpose, retention))
      ?? this.baseline.createLogGroup(this, 'LogGroup', purpose, retention);
    (retention ?? this.baseline.logRetention)._acknowledgeOn(this);
    const cfn = this.node.defaultChild as lambda.CfnFunction;
    cfn.loggingConfig = { ...(cfn.loggingConfig as object), logFormat: FUNCTION_DEFAULTS.logFormat, logGroup: group.logGroupName };
    group.grantWrite(this.role!);
    return group;
  }

  /**
   * Lambda decrypts the environment with the execution role, naming the function in
   * the encryption context: the role may decrypt this function's environment only.
   * The ARN is built from the function's name, not referenced: the function depends
   * on its role's policies, so a reference would be a dependency cycle. Hence a
   * function without a given name gets one generated from its stack name and path.
   */
  private decryptOwnEnvironment(functionName: string | undefined): string {
    const name = functionName ?? generatedFunctionName(this);
    if (functionName === undefined) (this.node.defaultChild as lambda.CfnFunction).functionName = name;
    const arn = Stack.of(this).formatArn({ service: 'lambda', resource: 'function', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.role!.addToPrincipalPolicy(decryptOwnEnvironmentStatement(this.baseline.key, arn));
    return name;
  }

  private hardenDeadLetterQueue(): sqs.IQueue {
    // lambda.Function created it (deadLetterQueueEnabled); make it encrypted, TLS-only and terminal.
    const queue = this.deadLetterQueue as sqs.Queue;
    hardenFunctionDeadLetterQueue(queue, this.baseline.key, (statement) => this.role!.addToPrincipalPolicy(statement));
    return queue;
  }

  private createAlarms(deadLetterQueue: sqs.IQueue): cloudwatch.IAlarm[] {
    const id = claimId(this, 'FailureAlarm', 'the failure alarm');
    return [functionFailureAlarm(this, id, this.node.path, this, deadLetterQueue, this.baseline.alarmTopic)];
  }

}

/**
 * The stack name plus a name unique to the construct path, at most 64 characters:
 * function names are unique per account and region, so the same stack deployed
 * under two names needs two.
 */
function generatedFunctionName(fn: SecureFunction): string {
  const stackName = Stack.of(fn).stackName;
  const cleaned = Token.isUnresolved(stackName) ? '' : stackName.replace(/[^a-zA-Z0-9-]/g, '-');
  const prefix = cleaned.length <= 24 ? cleaned : `${cleaned.slice(0, 16)}${createHash('sha256').update(cleaned).digest('hex').slice(0, 8)}`;
  const unique = Names.uniqueResourceName(fn, { maxLength: prefix ? 63 - prefix.length : 64, separator: '-' });
  return prefix ? `${prefix}-${unique}` : unique;
}

function defaultRuntime(): lambda.Runtime {
  return newestRuntime('nodejs') ?? lambda.Runtime.NODEJS_LATEST;
}

function validateProps(scope: Construct, path: string, props: SecureFunctionProps): void {
  if (props === undefined || props === null || typeof props !== 'object') {
    invalidProp(path, 'props', props, 'an object with at least code and handler');
  }
  rejectUnhonouredProps(path, props, UNHONOURED_FUNCTION_PROPS);
  checkPropKinds(path, props, {
    description: kinds.string(256),
    functionName: kinds.string(64, /^[a-zA-Z0-9_-]+$/, 'letters, digits, "-" and "_" (1 to 64)'),
    environment: kinds.struct('an object of environment variable names to values'),
    secrets: kinds.struct('an object of environment variable names to secrets'),
    timeout: kinds.duration,
    architecture: kinds.instance(lambda.Architecture, 'a lambda.Architecture'),
    network: kinds.instance(FunctionNetwork, 'a FunctionNetwork, e.g. FunctionNetwork.outsideVpc(reason)'),
    logRetention: kinds.instance(LogRetention, 'a LogRetention, e.g. LogRetention.days(RetentionDays.TWO_YEARS)'),
    codeSigningConfig: kinds.implementing('a lambda.ICodeSigningConfig', 'codeSigningConfigArn'),
    layers: kinds.arrayOf(kinds.implementing('lambda.ILayerVersion', 'layerVersionArn')),
    baseline: kinds.instance(SecurityBaseline, 'a SecurityBaseline'),
  });
  if (!(props.code instanceof lambda.Code)) invalidProp(path, 'code', props.code, 'a lambda.Code, e.g. lambda.Code.fromAsset(dir)');
  if (typeof props.handler !== 'string' || (!Token.isUnresolved(props.handler) && !/^[^\s]{1,128}$/.test(props.handler))) {
    invalidProp(path, 'handler', props.handler, 'a handler name such as "index.handler" (1 to 128 characters, no spaces)');
  }
  if (props.runtime !== undefined) {
    if (!(props.runtime instanceof lambda.Runtime) || props.runtime === lambda.Runtime.FROM_IMAGE) {
      invalidProp(path, 'runtime', props.runtime?.name ?? props.runtime, 'a zip-package lambda.Runtime (container images are not supported)');
    }
    if (props.code instanceof lambda.InlineCode && !props.runtime.supportsInlineCode) {
      invalidProp(path, 'runtime', props.runtime.name, 'a runtime that supports inline code (Node.js or Python), or code from an asset');
    }
    const family = familyOf(props.runtime.name);
    const newest = family === 'provided' ? undefined : newestRuntime(family);
    if (newest && newest.name !== props.runtime.name) {
      invalidProp(path, 'runtime', props.runtime.name, `the newest generally available ${family} runtime known to the installed aws-cdk-lib (${newest.name})`);
    }
  }
  checkIntegerRange(path, 'memorySize', props.memorySize, 128, 10240, 'MB');
  checkDurationSeconds(path, 'timeout', props.timeout, 1, 900, '1 to 900');
  checkIntegerRange(path, 'reservedConcurrentExecutions', props.reservedConcurrentExecutions, 1, 1_000_000, 'executions');
  checkIntegerRange(path, 'retryAttempts', props.retryAttempts, 0, 2, 'retries');
  // lambda.Function passes each variable to addEnvironment, which acknowledges secret names.
  for (const [key, value] of Object.entries(props.environment ?? {})) checkEnvironmentEntry(scope, path, key, value);
  for (const [key, secret] of Object.entries(props.secrets ?? {})) {
    if (!ENV_NAME.test(key)) invalidProp(path, `secrets.${key}`, key, 'an environment variable name: a letter, then letters, digits and underscores');
    if (!secret || typeof (secret as secretsmanager.ISecret).grantRead !== 'function') {
      invalidProp(path, `secrets.${key}`, secret, 'a secretsmanager.ISecret, such as a SecureSecret');
    }
    if (props.environment && key in props.environment) {
      invalidProp(path, `secrets.${key}`, key, 'a name not also used in environment');
    }
  }
}

/**
 * Rejects a bad environment entry. A literal value under a credential-like name
 * (`DB_SECRET`) passes when it is the name of a secret of the app (such as an
 * imported `Secret.fromSecretNameV2`): that secret is returned, so the caller
 * acknowledges the rule that sees only the literal.
 */
function checkEnvironmentEntry(scope: Construct, path: string, key: string, value: unknown): secretsmanager.ISecret | undefined {
  if (!ENV_NAME.test(key)) invalidProp(path, `environment.${key}`, key, 'an environment variable name: a letter, then letters, digits and underscores');
  if (RESERVED_ENV.has(key)) invalidProp(path, `environment.${key}`, key, 'a name the Lambda runtime does not reserve for itself');
  if (typeof value !== 'string') invalidProp(path, `environment.${key}`, value, 'a string');
  if (Token.isUnresolved(value)) return undefined;
  const why = looksLikeCredential(key, value);
  if (!why) return undefined;
  // Shape findings (an access key, a PEM key) are credentials whatever a secret is named.
  const secret = credentialInText(value, key) ? undefined : secretNamed(scope, value);
  if (!secret) {
    throw new SecureServerlessError(path, `environment.${key}`,
      `invalid environment.${key}: received ${describeValue(value.length > 8 ? value.slice(0, 4) + '…' : '…')} (${why}); ` +
      'allowed: values that are not credentials; pass a secret with `secrets: { NAME: secret }` so only its ARN is in the environment');
  }
  return secret;
}

/** The secret of `scope`'s app whose name is `name`, if any. */
function secretNamed(scope: Construct, name: string): secretsmanager.ISecret | undefined {
  return scope.node.root.node.findAll().find((c): c is secretsmanager.ISecret & Construct => {
    const candidate = c as Partial<secretsmanager.ISecret>;
    return typeof candidate.grantRead === 'function' && typeof candidate.secretArn === 'string' && candidate.secretName === name;
  });
}

