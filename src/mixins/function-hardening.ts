import { Annotations, ArnFormat, CfnResource, Duration, Mixin, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeHelperFunction, acknowledgeHelperGrants, HELPER_OUTSIDE_VPC_REASON, isAwsCdkLibHelper } from './aws-cdk-lib-helpers';
import { recordHardening, recordRuntimeChange } from './changes';
import { markMadeByMixin } from './data-store-support';
import { StackLookup } from './hardening-pass';
import { FunctionHardeningProps } from './hardening-props';
import { checkFunctionHardeningProps, hardeningBaseline, isLibraryManaged, roleNamedBy } from './hardening-scope';
import { hardenLogGroupInPlace } from './log-group-hardening';
import { managedInsteadOfInline } from './managed-instead-of-inline';
import { SecurityBaseline } from '../baseline/security-baseline';
import { acknowledgeAwsCdkLibFinding, acknowledgeFinding } from '../core/acknowledgements';
import { checkReason, invalidProp } from '../core/errors';
import { controlTowerFindingId, SERVERLESS_SECURITY_PACK } from '../core/finding-ids';
import { constructsUnder } from '../core/work-count';
import { adoptCdkManagedLogGroup } from '../function/cdk-managed-log-group';
import { EventSourceDefaults } from '../function/event-source-defaults';
import { FailureMetrics, functionFailureAlarm } from '../function/failure-alarm';
import {
  decryptOwnEnvironmentStatement, FUNCTION_DEFAULTS, hardenFunctionDeadLetterQueue, INTRINSIC_SOURCE_CONDITIONS_REASON, waiveFunctionVpc,
} from '../function/function-defaults';
import {
  attachRequiredWildcards, attachRequiredWildcardsToRawRole, RequiredWildcards, requiredWildcardsOf,
} from '../function/required-wildcards';
import { acknowledgePreviewRuntime, familyOf, newestRuntime } from '../function/runtime';
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
 * - an encrypted, TLS-only dead-letter queue for failed asynchronous events, and
 *   SecureFunction's failure alarm (errors, throttles, dead-lettered events) to the
 *   baseline's alarm topic;
 * - Lambda's own memory and timeout written out; the reserved concurrency of
 *   `reservedConcurrency` on a function that has none (and no provisioned one);
 * - the private subnets of the stack's network, with a security group of its
 *   own that reaches only the VPC endpoints its role's statements need. A function
 *   that must stay outside a VPC says so first with `FunctionOutsideVpc`; one whose
 *   environment names an internet URL gets a warning saying so.
 *
 * Whatever changes how a function runs (its network and what it reaches, its
 * concurrency, its log format, its event sources' failure handling) is shown at
 * synth, one message per function, and listed in the security report.
 *
 * aws-cdk-lib's deploy-time helpers (its custom-resource handlers, whether raw
 * resources or `lambda.Function`s: bucket deployments, AwsCustomResource, the
 * Provider framework, log retention, auto-delete objects) are hardened as
 * helpers: a scoped role and an encrypted log group, never the VPC; the findings
 * their code raises are acknowledged as aws-cdk-lib's.
 *
 * What it does not decide for you stays a finding: an old runtime (the warning
 * names the runtime to set), a role shared by several functions.
 *
 * @example
 * Mixins.of(this).apply(new FunctionHardening());
 */
export class FunctionHardening extends Mixin {
  private readonly props: FunctionHardeningProps;
  /** Provisioned concurrency by function logical id, per stack, read once per application of the mixin. */
  private readonly provisioned = new Map<Stack, Map<string, number>>();

  constructor(props: FunctionHardeningProps = {}) {
    super();
    checkFunctionHardeningProps(MIXIN, props);
    this.props = props;
  }

  public supports(construct: IConstruct): boolean {
    return (construct instanceof lambda.Function || construct instanceof lambda.CfnFunction || isHelperFunction(construct)
      || isServicePermission(construct) || construct instanceof lambda.CfnUrl) && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    if (construct instanceof lambda.CfnPermission) {
      pinSourceAccount(construct);
      return;
    }
    if (construct instanceof lambda.CfnUrl) {
      judgeFunctionUrl(construct);
      return;
    }
    if (isHelperFunction(construct)) {
      new HardenedHelper(construct as CfnResource, hardeningBaseline(construct, MIXIN, this.props)).harden();
      return;
    }
    const fn = construct instanceof lambda.Function ? construct : l2Of(construct as lambda.CfnFunction);
    const cfn = fn ? fn.node.defaultChild as lambda.CfnFunction : construct as lambda.CfnFunction;
    const baseline = hardeningBaseline(cfn, MIXIN, this.props);
    if (fn && isAwsCdkLibHelper(fn)) {
      new HardenedFunction(cfn, fn, baseline, { helper: true }).harden();
      return;
    }
    new HardenedFunction(cfn, fn, baseline, {
      helper: false,
      reservedConcurrency: this.props.reservedConcurrency,
      provisionedConcurrency: this.provisionedConcurrencyOf(cfn),
    }).harden();
  }

  /** The provisioned concurrency the stack's versions and aliases give `cfn`, if any. */
  private provisionedConcurrencyOf(cfn: lambda.CfnFunction): number | undefined {
    const stack = Stack.of(cfn);
    let byFunction = this.provisioned.get(stack);
    if (!byFunction) {
      byFunction = new Map();
      for (const c of stack.node.findAll()) {
        if (!(c instanceof lambda.CfnVersion || c instanceof lambda.CfnAlias)) continue;
        const config = stack.resolve(c.provisionedConcurrencyConfig) as { provisionedConcurrentExecutions?: unknown } | undefined;
        const executions = config?.provisionedConcurrentExecutions;
        const target = (stack.resolve(c.functionName) as { Ref?: string } | undefined)?.Ref;
        if (typeof executions !== 'number' || target === undefined) continue;
        byFunction.set(target, (byFunction.get(target) ?? 0) + executions);
      }
      this.provisioned.set(stack, byFunction);
    }
    return byFunction.get(stack.resolve(cfn.logicalId));
  }
}

/** How one function is hardened. */
interface HardeningOptions {
  /** An aws-cdk-lib deploy-time helper: hardened as a helper, never moved into the VPC. */
  readonly helper: boolean;
  /** The reserved concurrency to set on a function without any. */
  readonly reservedConcurrency?: number;
  /** The provisioned concurrency of the function's versions and aliases. */
  readonly provisionedConcurrency?: number;
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
  const account = sourceArnAccount(stack.resolve(permission.sourceArn));
  // A calling resource of another account, literal in its ARN, is the app's decision.
  if (account !== undefined && !Token.isUnresolved(stack.account) && account !== stack.account) return;
  // An environment-agnostic stack's account is the pseudo parameter, which CloudFormation fills in.
  permission.sourceAccount = stack.account;
  const named = Token.isUnresolved(stack.account) ? 'the stack\'s account' : `account ${stack.account}`;
  recordHardening(permission, MIXIN, `invocation limited to calls from ${named} (SourceAccount)`);
  if (Token.isUnresolved(stack.account) && Token.isUnresolved(permission.sourceArn)) {
    acknowledgeFinding(permission, controlTowerFindingId('CT.LAMBDA.PR.2'), INTRINSIC_SOURCE_CONDITIONS_REASON);
  }
}

/**
 * The account field of a source ARN when it is a literal account id: in a plain
 * string, or in the literal parts of a `Fn::Join` (aws-cdk-lib writes an API's
 * execute-api ARN with the account as the pseudo parameter, or as a literal).
 */
function sourceArnAccount(sourceArn: unknown): string | undefined {
  const text = typeof sourceArn === 'string' ? sourceArn
    : Array.isArray((sourceArn as any)?.['Fn::Join']?.[1])
      ? ((sourceArn as any)['Fn::Join'][1] as unknown[]).map((part) => typeof part === 'string' ? part : '\u0000').join((sourceArn as any)['Fn::Join'][0])
      : undefined;
  const account = text?.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * A function URL is never changed: who may call it is the app's decision. One
 * without authentication, or open to every origin, keeps its findings, and a
 * warning names the line to change.
 */
function judgeFunctionUrl(url: lambda.CfnUrl): void {
  const stack = Stack.of(url);
  const open = stack.resolve(url.authType) === 'NONE';
  const origins = (stack.resolve(url.cors) as { allowOrigins?: unknown } | undefined)?.allowOrigins;
  const anyOrigin = Array.isArray(origins) && origins.includes('*');
  if (!open && !anyOrigin) return;
  Annotations.of(url).addWarningV2('cdk-secure-serverless:functionUrl',
    `${url.node.path}: the function URL ${open ? 'takes calls without authentication (authType NONE)' : 'allows every CORS origin'}; `
    + `${MIXIN} does not decide who may call it: ${open ? 'set authType: lambda.FunctionUrlAuthType.AWS_IAM in addFunctionUrl, so callers sign their requests'
      : 'list the origins in cors.allowedOrigins'}, or keep it and acknowledge ServerlessSecurity-LambdaUrlAuth with the reason`);
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
    private readonly options: HardeningOptions,
  ) {
    this.stack = Stack.of(cfn);
    this.home = fn ?? cfn.node.scope as Construct;
    this.prefix = fn ? '' : cfn.node.id;
    this.role = fn?.role ?? roleNamedBy(cfn, cfn.role);
  }

  public harden(): void {
    const dropped = this.dropLambdaManagedPolicies();
    this.checkRuntime();
    this.explicitLimits();
    this.activeTracing();
    this.logToOwnGroup(dropped.includes(BASIC_EXECUTION));
    if (this.options.helper) {
      acknowledgeHelperFunction(this.cfn, this.newestRuntime());
    } else {
      this.deadLetterQueue();
      this.failureAlarm();
      this.privateNetwork();
    }
    this.encryptEnvironment();
    this.requiredWildcards();
    this.customerManagedPolicy();
    const defaultPolicy = this.options.helper && this.role instanceof iam.Role ? this.role.node.tryFindChild('DefaultPolicy') : undefined;
    if (defaultPolicy instanceof iam.Policy) acknowledgeHelperGrants(defaultPolicy);
  }

  private record(change: string): void {
    recordHardening(this.cfn, MIXIN, change);
  }

  /** A change to how the function runs: shown at synth and in the report, besides being recorded. */
  private runtimeChange(change: string): void {
    recordRuntimeChange(this.cfn, MIXIN, change);
  }

  /** The path the app wrote for the function: its L2's, or the L1's. */
  private get path(): string {
    return (this.fn ?? this.cfn).node.path;
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

  /** The newest runtime of the function's family, when its runtime is a literal of a family that has one. */
  private newestRuntime(): string | undefined {
    const runtime = this.cfn.runtime;
    if (typeof runtime !== 'string' || Token.isUnresolved(runtime)) return undefined;
    const family = familyOf(runtime);
    return family === 'provided' ? undefined : newestRuntime(family)?.name;
  }

  private checkRuntime(): void {
    const runtime = this.cfn.runtime;
    if (this.options.helper || typeof runtime !== 'string' || Token.isUnresolved(runtime)) return;
    const family = familyOf(runtime);
    const newest = family === 'provided' ? undefined : newestRuntime(family);
    acknowledgePreviewRuntime(this.cfn, runtime);
    if (newest && newest.name !== runtime) {
      // Changing the runtime can break the code: the user decides, and AwsSolutions-L1 keeps failing until then.
      Annotations.of(this.cfn).addWarningV2('cdk-secure-serverless:runtime',
        `${this.cfn.node.path}: runtime ${runtime} is not the newest generally available ${family} runtime; FunctionHardening leaves it to you: set runtime: lambda.Runtime.${runtimeConstant(newest)}`);
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
    if (!this.options.helper) this.reservedConcurrency();
  }

  /**
   * A function without reserved or provisioned concurrency gets the mixin's
   * `reservedConcurrency`; without one, it keeps sharing the account's pool,
   * which the REGULATED profile does not accept.
   */
  private reservedConcurrency(): void {
    if (this.cfn.reservedConcurrentExecutions !== undefined) return;
    const { reservedConcurrency: reserved, provisionedConcurrency: provisioned } = this.options;
    const prop = `${MIXIN}.reservedConcurrency`;
    if (provisioned !== undefined) {
      if (!this.baseline.regulated) return;
      invalidProp(this.path, 'reservedConcurrentExecutions', undefined,
        `a reserved concurrency of at least its provisioned concurrency (${provisioned}) on this function: HIPAA and NIST 800-53 `
        + `(the REGULATED profile) require one, and ${prop} does not change a function that has provisioned concurrency`);
    }
    if (reserved === undefined) {
      if (!this.baseline.regulated) return;
      invalidProp(this.path, prop, undefined,
        'the number of concurrent executions to reserve for each function that has none: HIPAA and NIST 800-53 (the REGULATED profile) '
        + 'require a reserved concurrency, and each reserved execution is taken from the account\'s pool; '
        + 'e.g. new ServerlessHardening({ profile: ComplianceProfile.REGULATED, reservedConcurrency: 10 }), '
        + 'or reservedConcurrentExecutions on the function itself');
    }
    this.cfn.reservedConcurrentExecutions = reserved;
    this.runtimeChange(`at most ${reserved} executions at once (reserved concurrency ${reserved}, where it had none): `
      + `requests beyond them are throttled, and ${reserved} executions are set aside from the account's unreserved pool`);
  }

  private activeTracing(): void {
    const tracing = this.stack.resolve(this.cfn.tracingConfig) as { mode?: string } | undefined;
    if (tracing?.mode === FUNCTION_DEFAULTS.tracingMode) return;
    this.cfn.tracingConfig = { mode: FUNCTION_DEFAULTS.tracingMode };
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
    if (config.logFormat === undefined) this.jsonLogFormat();
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
      this.jsonLogFormat();
    }
    if (!droppedBasicExecution || !this.role) return;
    const policy = this.child('LogGroupPolicy', (scope, id) => new iam.ManagedPolicy(scope, id, {
      description: `${this.cfn.node.path} may write its own log group only`,
      roles: [this.role!],
    }));
    policy.addStatements(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [group.logGroupArn] }));
    this.record(`logs to aws-cdk-lib's log group ${group.node.path}, now encrypted with the baseline key and retained`);
  }

  private jsonLogFormat(): void {
    if (this.options.helper) {
      this.record('JSON log format');
      return;
    }
    this.runtimeChange('log format JSON, where it was Text: each line the code logs becomes the "message" of a JSON record, '
      + 'so metric filters and queries written for plain lines need updating');
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
    if (this.fn) EventSourceDefaults.register(this.fn, deadLetterQueue, MIXIN);
  }

  /** SecureFunction's alarm on errors, throttles and dead-lettered events, to the baseline's alarm topic. */
  private failureAlarm(): void {
    const deadLetterQueue = this.fn?.deadLetterQueue
      ?? this.home.node.tryFindChild(`${this.prefix}DeadLetterQueue`) as sqs.IQueue | undefined;
    const created = this.home.node.tryFindChild(`${this.prefix}FailureAlarm`) === undefined;
    this.child('FailureAlarm', (scope, id) =>
      functionFailureAlarm(scope, id, this.path, this.fn ?? l1Metrics(this.cfn), deadLetterQueue, this.baseline.alarmTopic));
    if (created) this.record(`an alarm on errors, throttles${deadLetterQueue ? ' and dead-lettered events' : ''}, to the baseline's alarm topic`);
  }

  private privateNetwork(): void {
    if (OUTSIDE_VPC in this.cfn || this.cfn.vpcConfig !== undefined || !this.role) return;
    const network = this.baseline.network;
    const securityGroup = this.child('SecurityGroup', (scope, id) => new ec2.SecurityGroup(scope, id, {
      vpc: network.vpc,
      allowAllOutbound: false,
      description: `${this.cfn.node.path}: HTTPS only to the VPC endpoints it needs`,
    }));
    this.cfn.vpcConfig = { subnetIds: network.vpc.selectSubnets(network.subnets).subnetIds, securityGroupIds: [securityGroup.securityGroupId] };
    Object.defineProperty(this.cfn, PLACED, { value: true });
    const deadLetterArn = (this.cfn.deadLetterConfig as lambda.CfnFunction.DeadLetterConfigProperty | undefined)?.targetArn;
    // The aspect reads the function's network and queue by SecureFunction's names; a view of the function gives them.
    // The group stays the function's own: the user's code may hold the function and widen it.
    const view: NetworkedFunction = Object.assign(Object.create(this.fn ?? this.cfn), {
      role: this.role,
      network,
      _networkIdentity: {
        securityGroup, ownGroupNeeded: true, requestedEndpoints: [], reached: (endpoints: readonly string[]) => this.reaches(endpoints),
      },
      _joinSecurityGroup: () => undefined,
      deadLetterQueue: deadLetterArn === undefined ? undefined : { queueArn: deadLetterArn },
    });
    followPermissions(view);
    this.runtimeChange(`runs in the private subnets of ${network.node.path}, where it ran outside any VPC, with a security group of its own`);
    this.warnOfInternetUrls();
  }

  /** Told by the network aspect which endpoints the function reaches: the rest of the world is out of reach. */
  private reaches(endpoints: readonly string[]): void {
    const names = endpoints.map((key) => {
      const [kind, service] = key.split(':');
      return `${service} (${kind} endpoint)`;
    });
    this.runtimeChange(names.length === 0
      ? 'reaches no AWS service and nothing else: not the internet'
      : `reaches ${names.join(', ')} and nothing else: not the internet, nor AWS services its role's statements do not name`);
  }

  /**
   * A function the app points at an internet URL (a literal `http(s)://` value
   * of its environment) cannot call it from the private subnets: a warning names
   * the URL and the fix, at synth, without failing it.
   */
  private warnOfInternetUrls(): void {
    type Environment = { Variables?: Record<string, unknown>; variables?: Record<string, unknown> };
    const environment = this.stack.resolve(this.cfn.environment) as Environment | undefined;
    const entries = Object.entries(environment?.Variables ?? environment?.variables ?? {});
    const urls = entries.filter(([, value]) => typeof value === 'string' && isInternetUrl(value));
    if (urls.length === 0) return;
    Annotations.of(this.fn ?? this.cfn).addWarningV2('cdk-secure-serverless:internetUrl',
      `${this.path}: ${urls.map(([name, value]) => `${name} is ${value}`).join(', ')}, on the internet, which the function cannot reach `
      + `from the private subnets ${MIXIN} places it in (only the VPC endpoints its role needs): if it calls that URL, apply `
      + `FunctionOutsideVpc(reason) to it before the hardening, e.g. fn.with(new FunctionOutsideVpc('calls ${hostOf(urls[0][1] as string)} on the internet'))`);
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

  /**
   * X-Ray writes and, in a VPC, the network-interface actions come from the
   * stack's shared policy, acknowledged there: aws-cdk-lib's X-Ray statement (a
   * function traced before) and its `dynamodb:ListStreams` statement (a DynamoDB
   * event source, to a shared policy of its own) leave the role's own policy, where an
   * acknowledgement would also cover the user's statements.
   */
  private requiredWildcards(): void {
    if (!this.role) return;
    const inline = this.inlinePolicy();
    if (inline) {
      const statements = (inline.document as unknown as { statements: iam.PolicyStatement[] }).statements;
      const kept = statements.filter((statement) => requiredWildcardsOf(statement) === undefined);
      const listing = statements.some((statement) => requiredWildcardsOf(statement) === RequiredWildcards.STREAM_LISTING);
      statements.splice(0, statements.length, ...kept);
      if (listing) attachRequiredWildcards(this.role, RequiredWildcards.STREAM_LISTING, this.cfn);
    }
    attachRequiredWildcards(this.role, this.cfn.vpcConfig === undefined ? RequiredWildcards.TRACING : RequiredWildcards.TRACING_IN_VPC, this.cfn);
  }

  /** The role's inline policy becomes a customer-managed policy with the same document, so later grants land there too. */
  private customerManagedPolicy(): void {
    const inline = this.inlinePolicy();
    if (inline && !inline.document.isEmpty) managedInsteadOfInline(inline, MIXIN);
  }

  private inlinePolicy(): iam.Policy | undefined {
    const role = this.role;
    const inline = role instanceof iam.Role && !isImported(role) ? role.node.tryFindChild('DefaultPolicy') : undefined;
    return inline instanceof iam.Policy ? inline : undefined;
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
    if (this.overridden('TracingConfig') || this.overridden('LoggingConfig')) return;
    const roleConstruct = this.roleConstruct();
    const statements: iam.PolicyStatement[] = [];
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
    const raw = roleConstruct && !(roleConstruct instanceof iam.CfnRole) ? roleConstruct : undefined;
    if (raw) statements.push(...this.rawRoleStatements(raw));
    const policy = statements.length === 0 ? undefined : new iam.ManagedPolicy(scope, `${id}Policy`, {
      description: `Permissions FunctionHardening gave the deploy-time helper ${this.cfn.node.path}`,
      statements,
    });
    // CloudFormation invokes the helper once the function exists: it must hold these permissions by then.
    if (policy) this.cfn.node.addDependency(policy);
    if (roleConstruct instanceof iam.CfnRole && roleConstruct.node.scope instanceof iam.Role) {
      const role = roleConstruct.node.scope;
      if (policy) policy.attachToRole(role);
      attachRequiredWildcards(role, RequiredWildcards.TRACING, this.cfn);
      const managed = (role as any).managedPolicies as iam.IManagedPolicy[];
      const index = managed.findIndex((p) => p.managedPolicyArn.endsWith(`:iam::aws:policy/service-role/${BASIC_EXECUTION}`));
      if (index >= 0) {
        managed.splice(index, 1);
        recordHardening(roleConstruct, MIXIN, `AWS-managed policy ${BASIC_EXECUTION} replaced by statements scoped to the helper`);
      }
    } else if (raw) {
      this.replaceRawRolePolicies(raw, policy);
    }
    const retentionPolicy = scope.node.id.startsWith(LOG_RETENTION_PROVIDER) ? reserveDefaultPolicy(roleConstruct) : undefined;
    if (retentionPolicy) {
      // On aws-cdk-lib's own statement only: what others add to the role goes to a policy of its own.
      for (const finding of ['AwsSolutions-IAM5[Resource::*]', `${SERVERLESS_SECURITY_PACK}-LambdaPolicyWildcard[Resource::*]`]) {
        acknowledgeAwsCdkLibFinding(retentionPolicy, finding,
          'aws-cdk-lib\'s LogRetention helper sets the retention of log groups whose names it learns at deploy time (logs:PutRetentionPolicy, logs:DeleteRetentionPolicy on "*")');
      }
    }
    acknowledgeAwsCdkLibFinding(this.cfn, controlTowerFindingId('CT.LAMBDA.PR.3'), HELPER_OUTSIDE_VPC_REASON);
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

  /** The statements of a raw role's inline policies. */
  private rawRoleStatements(role: CfnResource): iam.PolicyStatement[] {
    const properties = (role as any)._cfnProperties ?? {};
    const inlinePolicies = Array.isArray(properties.Policies) ? properties.Policies : [];
    return (inlinePolicies as Array<{ PolicyDocument: { Statement: unknown[] } }>)
      .flatMap((inline) => inline.PolicyDocument.Statement.map((statement) => iam.PolicyStatement.fromJson(this.stack.resolve(statement))));
  }

  /** A raw role's inline policies and AWS-managed basic execution policy give way to `policy` and the shared X-Ray policy. */
  private replaceRawRolePolicies(role: CfnResource, policy: iam.ManagedPolicy | undefined): void {
    const properties = (role as any)._cfnProperties ?? {};
    role.addPropertyDeletionOverride('Policies');
    const kept = ((properties.ManagedPolicyArns ?? []) as unknown[])
      .filter((arn) => !JSON.stringify(this.stack.resolve(arn)).includes(`service-role/${BASIC_EXECUTION}`));
    attachRequiredWildcardsToRawRole(role, policy ? [...kept, policy.managedPolicyArn] : kept, RequiredWildcards.TRACING);
    recordHardening(role, MIXIN, `inline policies and AWS-managed ${BASIC_EXECUTION} replaced by customer-managed policies`);
  }
}

/**
 * The default policy of an aws-cdk-lib helper's role, kept for aws-cdk-lib's
 * statements only: statements added to the role later (`addToPrincipalPolicy`,
 * grants) go to a policy of their own (`AddedPolicy`), so an acknowledgement on
 * the default policy covers aws-cdk-lib's statements alone.
 */
function reserveDefaultPolicy(roleConstruct: CfnResource | undefined): iam.Policy | undefined {
  const role = roleConstruct?.node.scope;
  const reserved = role instanceof iam.Role ? role.node.tryFindChild('DefaultPolicy') : undefined;
  if (!(role instanceof iam.Role) || !(reserved instanceof iam.Policy) || RESERVED in role) return undefined;
  Object.defineProperty(role, RESERVED, { value: true });
  let added: iam.Policy | undefined;
  role.addToPrincipalPolicy = (statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult => {
    added ??= new iam.Policy(role, 'AddedPolicy', { roles: [role] });
    added.addStatements(statement);
    return { statementAdded: true, policyDependable: added };
  };
  return reserved;
}
const RESERVED = Symbol.for('cdk-secure-serverless.ReservedDefaultPolicy');

function isImported(role: iam.Role): boolean {
  return !(role.node.defaultChild instanceof iam.CfnRole);
}


/** The static member name of a runtime, e.g. `NODEJS_24_X` for `nodejs24.x`. */
function runtimeConstant(runtime: lambda.Runtime): string {
  const known = Object.entries(lambda.Runtime).find(([, value]) => value === runtime);
  return known ? known[0] : `of('${runtime.name}')`;
}

/** The failure metrics of a function that has no L2: Lambda's, by the function's name. */
function l1Metrics(cfn: lambda.CfnFunction): FailureMetrics {
  const metric = (metricName: string) => (props?: cloudwatch.MetricOptions) =>
    new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: cfn.ref }, ...props });
  return { metricErrors: metric('Errors'), metricThrottles: metric('Throttles') };
}

/**
 * A literal `http://` or `https://` URL whose host is on the internet: not an
 * AWS service endpoint, which a VPC endpoint reaches (an API Gateway URL is an
 * API on the internet).
 */
function isInternetUrl(value: string): boolean {
  if (Token.isUnresolved(value)) return false;
  const host = hostOf(value);
  if (host === undefined) return false;
  return !/\.amazonaws\.com(\.cn)?$/i.test(host) || /\.execute-api\./i.test(host);
}

function hostOf(value: string): string | undefined {
  return /^https?:\/\/([^/:?#\s]+)/i.exec(value.trim())?.[1];
}
