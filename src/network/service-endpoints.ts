/**
 * Which VPC endpoint serves the API an IAM action calls.
 *
 * A function in a VPC reaches an AWS service only through an endpoint of that
 * service (or a route to the internet). The service is read from the action's
 * prefix; where one prefix spans several endpoints (DynamoDB tables and
 * streams, AppConfig's control and data planes, Bedrock and SageMaker
 * runtimes, Step Functions' synchronous executions), from the action's name.
 */

/** How a function reaches one service. */
export type EndpointKind = 'gateway' | 'interface';

/** The endpoint an action needs. */
export interface ServiceEndpoint {
  readonly kind: EndpointKind;
  /** The endpoint service's short name: `sqs`, `dynamodb`, `ecr.api`... */
  readonly service: string;
}

const GATEWAY: ReadonlySet<string> = new Set(['s3', 'dynamodb']);

/** IAM prefixes whose interface endpoint has another name. */
const RENAMED: { readonly [prefix: string]: string } = {
  cloudwatch: 'monitoring',
  kinesis: 'kinesis-streams',
  firehose: 'kinesis-firehose',
  ses: 'email',
  ecr: 'ecr.api',
};

/** Actions served by a data-plane endpoint apart from the prefix's control plane. */
const BY_ACTION: ReadonlyArray<{ readonly prefix: string; readonly actions: RegExp; readonly endpoint: ServiceEndpoint }> = [
  { prefix: 'dynamodb', actions: /^(GetRecords|GetShardIterator|DescribeStream|ListStreams)$/i, endpoint: { kind: 'interface', service: 'dynamodb-streams' } },
  { prefix: 'appconfig', actions: /^(StartConfigurationSession|GetLatestConfiguration)$/i, endpoint: { kind: 'interface', service: 'appconfigdata' } },
  { prefix: 'bedrock', actions: /^(InvokeModel|InvokeModelWithResponseStream|Converse|ConverseStream|ApplyGuardrail)$/i, endpoint: { kind: 'interface', service: 'bedrock-runtime' } },
  { prefix: 'sagemaker', actions: /^InvokeEndpoint/i, endpoint: { kind: 'interface', service: 'sagemaker.runtime' } },
  // Synchronous Express executions have an endpoint of their own.
  { prefix: 'states', actions: /^StartSyncExecution$/i, endpoint: { kind: 'interface', service: 'sync-states' } },
];

/**
 * IAM prefixes of services that have no endpoint a function could call
 * through, or whose calls the function never makes over its own network.
 * `iam` is a global control plane with no VPC endpoint.
 */
const NO_ENDPOINT: ReadonlySet<string> = new Set(['iam', 'organizations', 'account', 'support', 'cloudfront', 'route53', 'waf', 'shield']);

/**
 * The endpoint an action (`sqs:SendMessage`) needs; undefined for a prefix no
 * VPC endpoint serves (those need a route to the internet).
 */
export function endpointForAction(action: string): ServiceEndpoint | undefined {
  const separator = action.indexOf(':');
  if (separator <= 0) return undefined;
  const prefix = action.slice(0, separator).toLowerCase();
  const name = action.slice(separator + 1);
  for (const special of BY_ACTION) {
    if (special.prefix === prefix && special.actions.test(name)) return special.endpoint;
  }
  if (GATEWAY.has(prefix)) return { kind: 'gateway', service: prefix };
  if (NO_ENDPOINT.has(prefix)) return undefined;
  return { kind: 'interface', service: RENAMED[prefix] ?? prefix };
}

/** The IAM prefix of an action, lower-cased; undefined for `*`. */
export function prefixOf(action: string): string | undefined {
  const separator = action.indexOf(':');
  return separator > 0 ? action.slice(0, separator).toLowerCase() : undefined;
}

/** A stable key for an endpoint: `interface:sqs`, `gateway:s3`. */
export function endpointKey(endpoint: ServiceEndpoint): string {
  return `${endpoint.kind}:${endpoint.service}`;
}
