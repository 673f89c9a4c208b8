import { invalidProp } from '../core/errors';

/**
 * Props of aws-cdk-lib's `lambda.FunctionProps` that SecureFunction does not
 * take, each with the supported way. TypeScript callers cannot pass them; from
 * JavaScript (or through a cast) they would otherwise be ignored without a word.
 */
const NETWORK = 'no value: a SecureFunction runs in its network with a security group of its own whose egress reaches only the endpoints it was granted; ' +
  'to run in your VPC use network: FunctionNetwork.privateNetwork(new PrivateNetwork(scope, \'Network\', { vpc }))';
const ROLE = 'no value: a SecureFunction has a role of its own with customer-managed policies; extend it with grants (table.grants.readItems(fn)) ' +
  'or fn.addToRolePolicy(statement)';
const DEAD_LETTER = 'no value: a SecureFunction always has an encrypted dead-letter queue of its own (fn.deadLetterQueue), ' +
  'which is also its asynchronous on-failure destination';
const LOGS = 'no value: a SecureFunction writes JSON logs to a log group of its own (fn.logGroup), encrypted with the baseline key and retained; ' +
  'set how long with logRetention: LogRetention.days(RetentionDays.TWO_YEARS)';
const ASYNC = 'no value at construction: call fn.configureAsyncInvoke({ onSuccess, onFailure, maxEventAge }), which keeps the protections of the dead-letter queue';
const MANAGED_POLICY = 'no value: it attaches an AWS-managed policy to the function\'s role (AwsSolutions-IAM4)';

export const UNHONOURED_FUNCTION_PROPS: Readonly<Record<string, string>> = {
  vpc: NETWORK,
  vpcSubnets: NETWORK,
  securityGroups: NETWORK,
  allowAllOutbound: NETWORK,
  allowAllIpv6Outbound: NETWORK,
  ipv6AllowedForDualStack: NETWORK,
  allowPublicSubnet: NETWORK,
  filesystem: 'no value: EFS mounts are not supported by SecureFunction; use a lambda.Function hardened by hand, or S3 or DynamoDB',
  role: ROLE,
  initialPolicy: ROLE,
  deadLetterQueue: DEAD_LETTER,
  deadLetterQueueEnabled: DEAD_LETTER,
  deadLetterTopic: DEAD_LETTER,
  onFailure: ASYNC,
  onSuccess: ASYNC,
  maxEventAge: ASYNC,
  events: 'no value at construction: call fn.addEventSource(source), which gets the defaults of queue.addConsumer(fn) and table.addStreamConsumer(fn)',
  tracing: 'no value: active X-Ray tracing is always on',
  logGroup: LOGS,
  logFormat: LOGS,
  loggingFormat: LOGS,
  logRemovalPolicy: LOGS,
  logRetentionRole: LOGS,
  logRetentionRetryOptions: LOGS,
  applicationLogLevel: LOGS,
  applicationLogLevelV2: LOGS,
  systemLogLevel: LOGS,
  systemLogLevelV2: LOGS,
  environmentEncryption: 'no value: the environment is encrypted with the baseline key; choose that key with new SecurityBaseline(stack, \'SecurityBaseline\', { key })',
  insightsVersion: MANAGED_POLICY,
  profiling: MANAGED_POLICY,
  profilingGroup: MANAGED_POLICY,
  adotInstrumentation: 'no value: X-Ray tracing is on; add an ADOT layer with layers if you need OpenTelemetry',
  paramsAndSecrets: 'no value: pass secrets with secrets: { NAME: secret }, which grants read access to that secret only',
  currentVersionOptions: 'no value: create the version yourself with new lambda.Version(scope, id, { lambda: fn, ...options })',
  runtimeManagementMode: 'no value: the runtime is updated automatically, as the newest runtime (AwsSolutions-L1) needs',
  recursiveLoop: 'no value: recursive loops are always stopped (RecursiveLoop.TERMINATE)',
  snapStart: 'no value: SnapStart is for Java runtimes, which SecureFunction does not offer',
  ephemeralStorageSize: 'no value: a SecureFunction has the default 512 MiB of /tmp',
  tenancyConfig: 'no value: SecureFunction does not configure tenant isolation',
  durableConfig: 'no value: SecureFunction does not configure durable execution',
};

/** Props of aws-cdk-lib's `NodejsFunctionProps` that SecureNodejsFunction does not take. */
export const UNHONOURED_NODEJS_PROPS: Readonly<Record<string, string>> = {
  code: 'no value: the code is bundled from entry',
  bundling: 'no value: bundling is set with externalModules, minify and sourceMap; esbuild runs locally, never in Docker',
  depsLockFilePath: 'no value: esbuild bundles from entry and resolves modules from it',
  projectRoot: 'no value: esbuild bundles from entry and resolves modules from it',
  awsSdkConnectionReuse: 'no value: the AWS SDK for JavaScript v3 in the runtime reuses connections by default',
};

/** Throws our error for the first prop of `table` that `props` sets. */
export function rejectUnhonouredProps(path: string, props: object, table: Readonly<Record<string, string>>): void {
  for (const [prop, value] of Object.entries(props)) {
    if (value !== undefined && Object.prototype.hasOwnProperty.call(table, prop)) invalidProp(path, prop, value, table[prop]);
  }
}
