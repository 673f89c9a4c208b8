import { Annotations, ArnFormat, CfnResource, Duration, Mixin, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { markMadeByMixin } from './data-store-support';
import { StackLookup } from './hardening-pass';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps, hardeningBaseline, isLibraryManaged } from './hardening-scope';
import { hardenLogGroupInPlace } from './log-group-hardening';
import { managedInsteadOfInline } from './managed-instead-of-inline';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeFinding, acknowledgeFindings } from '../core/acknowledgements';
import { checkReason, invalidProp } from '../core/errors';
import { controlTowerFindingId, SERVERLESS_SECURITY_PACK } from '../core/finding-ids';
import { constructsUnder } from '../core/work-count';
import { adoptCdkManagedLogGroup } from '../function/cdk-managed-log-group';
import { EventSourceDefaults } from '../function/event-source-defaults';
import {
  acknowledgeRequiredWildcards, attachToVpcSubnetsStatement, decryptOwnEnvironmentStatement, FUNCTION_DEFAULTS,
  hardenFunctionDeadLetterQueue, waiveFunctionVpc, writeTracesStatement,
} from '../function/function-defaults';
import { familyOf, newestRuntime } from '../function/runtime';
import { followPermissions, NetworkedFunction } from '../network/network-paths';

const MIXIN = 'FunctionHardening';
const OUTSIDE_VPC = Symbol.for('cdk-secure-serverless.FunctionOutsideVpc');
/** The id aws-cdk-lib gives its LogRetention helper function, a singleton per stack. */
const LOG_RETENTION_PROVIDER = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';
/** The AWS-managed policies lambda.Function attaches, replaced by statements scoped to the function. */
const BASIC_EXECUTION = 'AWSLambdaBasicExecutionRole';
const VPC_ACCESS = 'AWSLambdaVPCAccessExecutionRole';
/** What Lambda uses when a function sets no memory or timeout: written out, so the value is explicit and unchanged. */
const LAMBDA_IMPLICIT_MEMORY_MB = 128;
const LAMBDA_IMPLICIT_TIMEOUT = Duration.seconds(3);

/**
 * Hardens a plain Lambda function (`lambda.Function`, `NodejsFunction`, the
 * function of a `SingletonFunction`, or a `lambda.CfnFunction`) in place to what
 * SecureFunction does by default, as far as a built function allows:
 *
 * - the AWS-managed `AWSLambdaBasicExecutionRole` and VPC access policies are
 *   replaced by statements scoped to the function, and the role's inline policy
 *   becomes a customer-managed policy;
 * - logs go to an explicit log group encrypted with the baseline key, retained,
 *   kept for the baseline's retention, in JSON;
 * - active tracing; the environment encrypted with the baseline key, which the
 *   role may use only to decrypt this function's environment;
 * - an encrypted, TLS-only dead-letter queue for failed asynchronous events;
 * - SecureFunction's reserved concurrency, and Lambda's own memory and timeout
 *   written out;
 * - the private subnets of the stack's network, with a security group of its
 *   own that reaches only the VPC endpoints its role's statements need. A function
 *   that must stay outside a VPC says so first with `FunctionOutsideVpc`.
 *
 * What it does not decide for you stays a finding: an old runtime (the warning
 * names the runtime to set), a role shared by several functions.
 *
 * @example
 * Mixins.of(this).apply(new FunctionHardening());
 */
export class FunctionHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  public supports(construct: IConstruct): boolean {
    return (construct instanceof lambda.Function || construct instanceof lambda.CfnFunction || isHelperFunction(construct)
      || isServicePermission(construct)) && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    if (construct instanceof lambda.CfnPermission) {
      pinSourceAccount(construct);
      return;
    }
    if (isHelperFunction(construct)) {
      new HardenedHelper(construct as CfnResource, hardeningBaseline(construct, MIXIN, this.props)).harden();
      return;
    }
    const fn = construct instanceof lambda.Function ? construct : l2Of(construct as lambda.CfnFunction);
    const cfn = fn ? fn.node.defaultChild as lambda.CfnFunction : construct as lambda.CfnFunction;
    new HardenedFunction(cfn, fn, hardeningBaseline(cfn, MIXIN, this.props)).harden();
  }
}

/**
 * Keeps a plain function outside any VPC, for a function that must call
 * something no VPC endpoint reaches (a SaaS API on the internet). Apply it before
 * `FunctionHardening` or `ServerlessHardening`.
 *
 * The findings this causes (HIPAA/NIST/PCI LambdaInsideVPC and Control Tower
 * CT.LAMBDA.PR.3) are acknowledged on this function only, with the reason, and
 * the waiver is listed in the security report.
 *
 * @example
 * const charges = new lambda.Function(this, 'Charges', {
 *   code: lambda.Code.fromAsset('dist/charges'),
 *   handler: 'index.handler',
 *   runtime: NewestRuntime.nodejs(),
 * });
 * charges.with(new FunctionOutsideVpc('calls the payment provider\'s API on the internet'));
 */
export class FunctionOutsideVpc extends Mixin {
  private readonly reason: string;

  /**
   * @param reason why the function cannot run in the private network
   */
  constructor(reason: string) {
    super();
    this.reason = checkReason('FunctionOutsideVpc', 'reason', reason);
  }

  public supports(construct: IConstruct): boolean {
    return (construct instanceof lambda.Function || construct instanceof lambda.CfnFunction) && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const fn = construct instanceof lambda.Function ? construct : l2Of(construct as lambda.CfnFunction);
    const cfn = fn ? fn.node.defaultChild as lambda.CfnFunction : construct as lambda.CfnFunction;
    if (OUTSIDE_VPC in cfn) return;
    if (hardenedInto(cfn)) {
      invalidProp(cfn.node.path, 'FunctionOutsideVpc', 'applied after FunctionHardening',
        'FunctionOutsideVpc applied before FunctionHardening or ServerlessHardening, which place the function in the private network');
    }
    Object.defineProperty(cfn, OUTSIDE_VPC, { value: this.reason });
    waiveFunctionVpc(cfn, this.reason);
  }
}

/**
 * A Lambda function that aws-cdk-lib writes as a raw `CfnResource` (custom-resource
 * providers, the bucket-notifications handler): it has no typed properties, so it
 * is hardened through property overrides.
 */
function isHelperFunction(construct: IConstruct): boolean {
  return CfnResource.isCfnResource(construct) && construct.cfnResourceType === 'AWS::Lambda::Function' && !(construct instanceof lambda.CfnFunction);
}

/** A permission that lets an AWS service invoke a function, and names no calling account. */
function isServicePermission(construct: IConstruct): boolean {
  if (!(construct instanceof lambda.CfnPermission) || construct.sourceAccount !== undefined) return false;
  const principal = Stack.of(construct).resolve(construct.principal);
  return typeof principal === 'string' && principal.endsWith('.amazonaws.com');
}

/**
 * A service's permission names the calling account (`SourceAccount`) besides the
 * calling resource, against the confused-deputy problem, as SecureFunction's
 * `addPermission` does. A calling resource of another, literal account is left.
 */
function pinSourceAccount(permission: lambda.CfnPermission): void {
  const stack = Stack.of(permission);
  const sourceArn = stack.resolve(permission.sourceArn);
  const account = typeof sourceArn === 'string' ? sourceArn.split(':')[4] : undefined;
  if (account !== undefined && account !== '' && account !== stack.account) return;
  if (Token.isUnresolved(stack.account)) return;
  permission.sourceAccount = stack.account;
  recordHardening(permission, MIXIN, `invocation limited to calls from account ${stack.account} (SourceAccount)`);
}

/** The function FunctionHardening placed in a VPC, if it did. */
function hardenedInto(cfn: lambda.CfnFunction): boolean {
  return (cfn as any)[PLACED] === true;
}
const PLACED = Symbol.for('cdk-secure-serverless.FunctionHardening.placed');

/** The L2 whose main resource `cfn` is, if any. */
function l2Of(cfn: lambda.CfnFunction): lambda.Function | undefined {
  const parent = cfn.node.scope;
  return parent instanceof lambda.Function && parent.node.defaultChild === cfn ? parent : undefined;
}

/** One function being hardened: the L1 always, its L2 when there is one. */
class HardenedFunction {
  private readonly stack: Stack;
  /** Where the resources the mixin adds go: under the L2, or beside a bare L1. */
  private readonly home: Construct;
  private readonly prefix: string;
  private readonly role?: iam.IRole;
  private rolePolicy?: iam.ManagedPolicy;

  constructor(
    private readonly cfn: lambda.CfnFunction,
    private readonly fn: lambda.Function | undefined,
    private readonly baseline: SecurityBaseline,
  ) {
    this.stack = Stack.of(cfn);
    this.home = fn ?? cfn.node.scope as Construct;
    this.prefix = fn ? '' : cfn.node.id;
    this.role = fn?.role ?? roleOfL1(cfn);
  }

  public harden(): void {
    const dropped = this.dropLambdaManagedPolicies();
    this.checkRuntime();
    this.explicitLimits();
    this.activeTracing();
    this.logToOwnGroup(dropped.includes(BASIC_EXECUTION));
    this.deadLetterQueue();
    this.privateNetwork(dropped.includes(VPC_ACCESS));
    this.encryptEnvironment();
    this.customerManagedPolicy();
  }

  private record(change: string): void {
    recordHardening(this.cfn, MIXIN, change);
  }

  private child<T extends IConstruct>(id: string, create: (scope: Construct, id: string) => T): T {
    const fullId = `${this.prefix}${id}`;
    return (this.home.node.tryFindChild(fullId) as T | undefined) ?? create(this.home, fullId);
  }

  /** Statements the function needs go to its role's policy: the inline one (made customer-managed below) or ours. */
  private addToRolePolicy(statement: iam.PolicyStatement): void {
    if (this.role instanceof iam.Role && !isImported(this.role)) {
      this.role.addToPrincipalPolicy(statement);
      return;
    }
    if (!this.role) return;
    this.rolePolicy ??= this.child('HardeningPolicy', (scope, id) => {
      const policy = new iam.ManagedPolicy(scope, id, {
        description: `Permissions FunctionHardening gave ${this.cfn.node.path}`,
        roles: [this.role!],
      });
      // Lambda checks the role's permissions (VPC, dead-letter queue) when it creates the function.
      this.cfn.node.addDependency(policy);
      return policy;
    });
    this.rolePolicy.addStatements(statement);
  }

  private checkRuntime(): void {
    const runtime = this.cfn.runtime;
    if (typeof runtime !== 'string' || Token.isUnresolved(runtime)) return;
    const family = familyOf(runtime);
    const newest = family === 'provided' ? undefined : newestRuntime(family);
    if (newest && newest.name !== runtime) {
      // Changing the runtime can break the code: the user decides, and AwsSolutions-L1 keeps failing until then.
      Annotations.of(this.cfn).addWarningV2('cdk-secure-serverless:runtime',
        `${this.cfn.node.path}: runtime ${runtime} is not the newest ${family} runtime; FunctionHardening leaves it to you: set runtime: lambda.Runtime.${runtimeConstant(newest)}`);
    }
  }

  private explicitLimits(): void {
    if (this.cfn.memorySize === undefined) {
      this.cfn.memorySize = LAMBDA_IMPLICIT_MEMORY_MB;
      this.record(`memory written out as Lambda's own default, ${LAMBDA_IMPLICIT_MEMORY_MB} MB`);
    }
    if (this.cfn.timeout === undefined) {
      this.cfn.timeout = LAMBDA_IMPLICIT_TIMEOUT.toSeconds();
      this.record(`timeout written out as Lambda's own default, ${LAMBDA_IMPLICIT_TIMEOUT.toSeconds()} seconds`);
    }
    if (this.cfn.reservedConcurrentExecutions === undefined) {
      this.cfn.reservedConcurrentExecutions = FUNCTION_DEFAULTS.reservedConcurrentExecutions;
      this.record(`reserved concurrency ${FUNCTION_DEFAULTS.reservedConcurrentExecutions}, as SecureFunction's default`);
    }
  }

  private activeTracing(): void {
    const tracing = this.stack.resolve(this.cfn.tracingConfig) as { mode?: string } | undefined;
    if (tracing?.mode === FUNCTION_DEFAULTS.tracingMode) return;
    this.cfn.tracingConfig = { mode: FUNCTION_DEFAULTS.tracingMode };
    this.addToRolePolicy(writeTracesStatement());
    this.record('active X-Ray tracing');
  }

  private logToOwnGroup(droppedBasicExecution: boolean): void {
    const config = (this.stack.resolve(this.cfn.loggingConfig) ?? {}) as lambda.CfnFunction.LoggingConfigProperty;
    let logGroupName = (this.cfn.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined)?.logGroup;
    if (this.dropLogRetention()) logGroupName = undefined;
    if (logGroupName === undefined && this.fn) {
      const adopted = adoptCdkManagedLogGroup(this.fn, undefined, (group) => {
        hardenLogGroupInPlace(group.node.defaultChild as logs.CfnLogGroup, this.baseline, MIXIN);
        return group;
      });
      if (adopted) {
        this.logToCdkManagedGroup(adopted, config, droppedBasicExecution);
        return;
      }
    }
    const created = logGroupName === undefined;
    let logGroupArn: string;
    if (logGroupName === undefined) {
      // lambda.Function keeps the group of its `logRetention` prop as an imported `LogGroup` child.
      const taken = this.home.node.tryFindChild(`${this.prefix}LogGroup`);
      const id = taken && !(taken.node.defaultChild instanceof logs.CfnLogGroup) ? 'OwnLogGroup' : 'LogGroup';
      const group = this.child(id, (scope, childId) =>
        this.baseline.createLogGroup(scope, childId, `logs of ${this.cfn.node.path}`));
      logGroupName = group.logGroupName;
      logGroupArn = group.logGroupArn;
      this.record('logs to its own log group, encrypted with the baseline key and retained');
    } else {
      logGroupArn = this.logGroupArnOf(logGroupName);
    }
    if (config.logFormat === undefined) this.record('JSON log format');
    const logFormat = config.logFormat ?? FUNCTION_DEFAULTS.logFormat;
    this.cfn.loggingConfig = { ...this.cfn.loggingConfig as object, logFormat, logGroup: logGroupName };
    if (!created && !droppedBasicExecution) return;
    // The AWS-managed policy granted log writes everywhere: grant them on the function's log group only.
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroupArn],
    }));
  }

  /**
   * Under `@aws-cdk/aws-lambda:useCdkManagedLogGroup`, lambda.Function made the
   * function's log group itself, `/aws/lambda/<Ref of the function>`, which is where
   * Lambda writes by default: it is hardened where it is, keeping its logical id and
   * name. Its name refers to the function, so the function may not refer to it (no
   * `LoggingConfig.LogGroup`) and the statement on it goes to a policy the function
   * does not depend on; either would be a dependency cycle.
   */
  private logToCdkManagedGroup(group: logs.LogGroup, config: lambda.CfnFunction.LoggingConfigProperty, droppedBasicExecution: boolean): void {
    if (config.logFormat === undefined) {
      this.cfn.loggingConfig = { ...this.cfn.loggingConfig as object, logFormat: FUNCTION_DEFAULTS.logFormat };
      this.record('JSON log format');
    }
    if (!droppedBasicExecution || !this.role) return;
    const policy = this.child('LogGroupPolicy', (scope, id) => new iam.ManagedPolicy(scope, id, {
      description: `${this.cfn.node.path} may write its own log group only`,
      roles: [this.role!],
    }));
    policy.addStatements(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [group.logGroupArn] }));
    this.record(`logs to aws-cdk-lib's log group ${group.node.path}, now encrypted with the baseline key and retained`);
  }

  /**
   * The `logRetention` prop's custom resource sets a retention on the implicit,
   * unencrypted `/aws/lambda/<name>` group: the function's own encrypted group
   * takes its place, so the custom resource goes (dependencies on it are dropped,
   * as it no longer synthesizes).
   */
  private dropLogRetention(): boolean {
    const retention = this.fn?.node.tryFindChild('LogRetention');
    if (!retention) return false;
    for (const resource of constructsUnder(retention)) {
      if (CfnResource.isCfnResource(resource)) Object.defineProperty(resource, 'shouldSynthesize', { value: () => false });
    }
    this.fn!.node.tryRemoveChild('LogRetention');
    this.record('aws-cdk-lib\'s LogRetention custom resource replaced by a log group of its own');
    return true;
  }

  /** The ARN of the log group named `name`: its attribute when the stack defines it, else built from the name. */
  private logGroupArnOf(name: string): string {
    const ref = (this.stack.resolve(name) as { Ref?: string }).Ref;
    const group = ref === undefined ? undefined
      : StackLookup.of(this.stack).referring(logs.CfnLogGroup, 'logicalId', c => c.logicalId, ref, 'equals')[0];
    return group?.attrArn
      ?? this.stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private deadLetterQueue(): void {
    if (this.cfn.deadLetterConfig !== undefined) {
      // lambda.Function's own queue (deadLetterQueueEnabled) is hardened; a queue or topic of the user's is theirs.
      if (this.fn?.deadLetterQueue instanceof sqs.Queue && this.fn.deadLetterQueue.node.scope === this.fn) {
        // Hardened here as SecureFunction's is; QueueHardening, applied before or after, leaves it so.
        markMadeByMixin(this.fn.deadLetterQueue);
        hardenFunctionDeadLetterQueue(this.fn.deadLetterQueue, this.baseline.key, (s) => this.addToRolePolicy(s));
        this.record('dead-letter queue encrypted with the baseline key and TLS-only');
        this.eventSourceDefaults(this.fn.deadLetterQueue);
      }
      return;
    }
    if (!this.role) return;
    const queue = markMadeByMixin(this.child('DeadLetterQueue', (scope, id) => new sqs.Queue(scope, id, { retentionPeriod: Duration.days(14) })));
    hardenFunctionDeadLetterQueue(queue, this.baseline.key, (s) => this.addToRolePolicy(s));
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    this.cfn.deadLetterConfig = { targetArn: queue.queueArn };
    this.record('failed asynchronous events go to an encrypted, TLS-only dead-letter queue');
    this.eventSourceDefaults(queue);
  }

  /** Event sources get SecureQueue.addConsumer's and SecureTable.addStreamConsumer's defaults, as a SecureFunction's do. */
  private eventSourceDefaults(deadLetterQueue: sqs.IQueue): void {
    if (this.fn) EventSourceDefaults.register(this.fn, deadLetterQueue);
  }

  private privateNetwork(droppedVpcAccess: boolean): void {
    if (droppedVpcAccess) this.addToRolePolicy(attachToVpcSubnetsStatement());
    if (OUTSIDE_VPC in this.cfn || this.cfn.vpcConfig !== undefined || !this.role) return;
    const network = this.baseline.network;
    const securityGroup = this.child('SecurityGroup', (scope, id) => new ec2.SecurityGroup(scope, id, {
      vpc: network.vpc,
      allowAllOutbound: false,
      description: `${this.cfn.node.path}: HTTPS only to the VPC endpoints it needs`,
    }));
    this.cfn.vpcConfig = { subnetIds: network.vpc.selectSubnets(network.subnets).subnetIds, securityGroupIds: [securityGroup.securityGroupId] };
    Object.defineProperty(this.cfn, PLACED, { value: true });
    this.addToRolePolicy(attachToVpcSubnetsStatement());
    const deadLetterArn = (this.cfn.deadLetterConfig as lambda.CfnFunction.DeadLetterConfigProperty | undefined)?.targetArn;
    // The aspect reads the function's network and queue by SecureFunction's names; a view of the function gives them.
    // The group stays the function's own: the user's code may hold the function and widen it.
    const view: NetworkedFunction = Object.assign(Object.create(this.fn ?? this.cfn), {
      role: this.role,
      network,
      _networkIdentity: { securityGroup, ownGroupNeeded: true, requestedEndpoints: [] },
      _joinSecurityGroup: () => undefined,
      deadLetterQueue: deadLetterArn === undefined ? undefined : { queueArn: deadLetterArn },
    });
    followPermissions(view);
    this.record('placed in the private subnets of the stack\'s network, with a security group of its own reaching only the endpoints it needs');
  }

  private encryptEnvironment(): void {
    if (this.cfn.kmsKeyArn !== undefined || !this.role) return;
    this.cfn.kmsKeyArn = this.baseline.key.keyArn;
    // This statement names the function's ARN, so it lives in a policy the function does not depend on.
    const policy = this.child('EnvironmentKeyPolicy', (scope, id) => new iam.ManagedPolicy(scope, id, {
      description: `${this.cfn.node.path} may decrypt its own environment only`,
      roles: [this.role!],
    }));
    policy.addStatements(decryptOwnEnvironmentStatement(this.baseline.key, this.cfn.attrArn));
    this.record('environment encrypted with the baseline key, which the role may use for this function\'s environment only');
  }

  /** Drops the AWS-managed Lambda policies of the function's own L2 role, and says which it dropped. */
  private dropLambdaManagedPolicies(): string[] {
    const role = this.role;
    if (!(role instanceof iam.Role) || isImported(role)) return [];
    const managed = (role as any).managedPolicies as iam.IManagedPolicy[];
    const dropped: string[] = [];
    for (const name of [BASIC_EXECUTION, VPC_ACCESS]) {
      const index = managed.findIndex((p) => p.managedPolicyArn.endsWith(`:iam::aws:policy/service-role/${name}`));
      if (index < 0) continue;
      managed.splice(index, 1);
      dropped.push(name);
      recordHardening(role.node.defaultChild!, MIXIN, `AWS-managed policy ${name} replaced by statements scoped to the function`);
    }
    return dropped;
  }

  /** The role's inline policy becomes a customer-managed policy with the same document, so later grants land there too. */
  private customerManagedPolicy(): void {
    const role = this.role;
    const inline = role instanceof iam.Role && !isImported(role) ? role.node.tryFindChild('DefaultPolicy') : undefined;
    const policy = inline instanceof iam.Policy ? managedInsteadOfInline(inline, MIXIN) : this.rolePolicy;
    if (policy) acknowledgeRequiredWildcards(policy);
  }
}

/**
 * A deploy-time helper function that aws-cdk-lib writes as a raw CfnResource.
 * CloudFormation invokes it synchronously while deploying, so it needs no
 * dead-letter queue, and it answers CloudFormation through a pre-signed URL of an
 * AWS-owned S3 bucket, which the private network's endpoints (pinned to this
 * account) do not reach: it stays outside the VPC, acknowledged with that reason.
 */
class HardenedHelper {
  private readonly stack: Stack;
  private readonly properties: Record<string, any>;

  constructor(private readonly cfn: CfnResource, private readonly baseline: SecurityBaseline) {
    this.stack = Stack.of(cfn);
    this.properties = (cfn as any)._cfnProperties ?? {};
  }

  public harden(): void {
    const scope = this.cfn.node.scope as Construct;
    const id = `${this.cfn.node.id}Hardening`;
    // Hardened before: by this mixin, or by the library itself (the default security group closer of a PrivateNetwork).
    if (scope.node.tryFindChild(`${id}Policy`) || this.overridden('LoggingConfig')) return;
    const roleConstruct = this.roleConstruct();
    const statements: iam.PolicyStatement[] = [writeTracesStatement()];
    let logGroupArn: string | undefined;
    if (this.properties.LoggingConfig?.LogGroup === undefined) {
      const group = this.baseline.createLogGroup(scope, `${id}LogGroup`, `logs of the deploy-time helper ${this.cfn.node.path}`);
      this.cfn.addPropertyOverride('LoggingConfig', { LogGroup: group.logGroupName, LogFormat: FUNCTION_DEFAULTS.logFormat });
      logGroupArn = group.logGroupArn;
      statements.push(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn] }));
      recordHardening(this.cfn, MIXIN, 'logs to its own log group, encrypted with the baseline key and retained, in JSON');
    }
    this.cfn.addPropertyOverride('TracingConfig', { Mode: FUNCTION_DEFAULTS.tracingMode });
    recordHardening(this.cfn, MIXIN, 'active X-Ray tracing');
    if (this.properties.ReservedConcurrentExecutions === undefined) {
      this.cfn.addPropertyOverride('ReservedConcurrentExecutions', FUNCTION_DEFAULTS.reservedConcurrentExecutions);
      recordHardening(this.cfn, MIXIN, `reserved concurrency ${FUNCTION_DEFAULTS.reservedConcurrentExecutions}, as SecureFunction's default`);
    }
    const policy = new iam.ManagedPolicy(scope, `${id}Policy`, {
      description: `Permissions FunctionHardening gave the deploy-time helper ${this.cfn.node.path}`,
      statements,
    });
    acknowledgeRequiredWildcards(policy);
    // CloudFormation invokes the helper once the function exists: it must hold these permissions by then.
    this.cfn.node.addDependency(policy);
    if (roleConstruct instanceof iam.CfnRole && roleConstruct.node.scope instanceof iam.Role) {
      const role = roleConstruct.node.scope;
      policy.attachToRole(role);
      const managed = (role as any).managedPolicies as iam.IManagedPolicy[];
      const index = managed.findIndex((p) => p.managedPolicyArn.endsWith(`:iam::aws:policy/service-role/${BASIC_EXECUTION}`));
      if (index >= 0) {
        managed.splice(index, 1);
        recordHardening(roleConstruct, MIXIN, `AWS-managed policy ${BASIC_EXECUTION} replaced by statements scoped to the helper`);
      }
    } else if (roleConstruct && !(roleConstruct instanceof iam.CfnRole)) {
      this.moveRawRolePolicies(roleConstruct, policy);
    }
    if (scope.node.id.startsWith(LOG_RETENTION_PROVIDER) && roleConstruct) {
      acknowledgeFindings(roleConstruct.node.scope ?? roleConstruct, ['AwsSolutions-IAM5[Resource::*]', `${SERVERLESS_SECURITY_PACK}-LambdaPolicyWildcard[Resource::*]`],
        'aws-cdk-lib\'s LogRetention helper sets the retention of log groups whose names it learns at deploy time (logs:PutRetentionPolicy, logs:DeleteRetentionPolicy on "*")');
    }
    acknowledgeFinding(this.cfn, controlTowerFindingId('CT.LAMBDA.PR.3'),
      'deploy-time helper of aws-cdk-lib invoked by CloudFormation, which it answers through a pre-signed URL of an AWS-owned S3 bucket that the private network\'s endpoints, pinned to this account, do not reach');
  }

  /** Whether a property override already sets `property`. */
  private overridden(property: string): boolean {
    return (this.cfn as unknown as { rawOverrides?: { Properties?: Record<string, unknown> } }).rawOverrides?.Properties?.[property] !== undefined;
  }

  /** The role resource the helper names, if the stack defines it. */
  private roleConstruct(): CfnResource | undefined {
    const getAtt = (this.stack.resolve(this.properties.Role) as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
    if (!getAtt) return undefined;
    return StackLookup.of(this.stack).referring(CfnResource, 'roleLogicalId',
      c => c.cfnResourceType === 'AWS::IAM::Role' ? c.logicalId : undefined, getAtt[0], 'equals')[0];
  }

  /** A raw role's inline policies and AWS-managed basic execution policy become statements of `policy`. */
  private moveRawRolePolicies(role: CfnResource, policy: iam.ManagedPolicy): void {
    const properties = (role as any)._cfnProperties ?? {};
    const inlinePolicies = Array.isArray(properties.Policies) ? properties.Policies : [];
    for (const inline of inlinePolicies as Array<{ PolicyDocument: { Statement: unknown[] } }>) {
      for (const statement of inline.PolicyDocument.Statement) policy.addStatements(iam.PolicyStatement.fromJson(this.stack.resolve(statement)));
    }
    role.addPropertyDeletionOverride('Policies');
    const kept = ((properties.ManagedPolicyArns ?? []) as unknown[])
      .filter((arn) => !JSON.stringify(this.stack.resolve(arn)).includes(`service-role/${BASIC_EXECUTION}`));
    role.addPropertyOverride('ManagedPolicyArns', [...kept, policy.managedPolicyArn]);
    recordHardening(role, MIXIN, `inline policies and AWS-managed ${BASIC_EXECUTION} replaced by a customer-managed policy`);
  }
}

function isImported(role: iam.Role): boolean {
  return !(role.node.defaultChild instanceof iam.CfnRole);
}

/** The role a bare CfnFunction names, as a construct of this stack that a policy can attach to. */
function roleOfL1(cfn: lambda.CfnFunction): iam.IRole | undefined {
  const stack = Stack.of(cfn);
  const getAtt = (stack.resolve(cfn.role) as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (!getAtt) return undefined;
  const cfnRole = StackLookup.of(stack).referring(iam.CfnRole, 'logicalId', c => c.logicalId, getAtt[0], 'equals')[0];
  if (!cfnRole) return undefined;
  const parent = cfnRole.node.scope;
  if (parent instanceof iam.Role && parent.node.defaultChild === cfnRole) return parent;
  const id = `${cfnRole.node.id}Attachable`;
  return (cfnRole.node.scope!.node.tryFindChild(id) as iam.IRole | undefined)
    ?? iam.Role.fromRoleName(cfnRole.node.scope as Construct, id, cfnRole.ref, { mutable: false });
}

/** The static member name of a runtime, e.g. `NODEJS_24_X` for `nodejs24.x`. */
function runtimeConstant(runtime: lambda.Runtime): string {
  const known = Object.entries(lambda.Runtime).find(([, value]) => value === runtime);
  return known ? known[0] : `of('${runtime.name}')`;
}
