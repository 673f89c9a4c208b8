import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { asArray, CfnValue, isObject, referencedLogicalId } from './cfn-values';
import { isAllow, literalActions, statementsOf } from './policy-document';
import { IndexedResource, ResourceType } from './resource-index';
import { endpointForAction, endpointKey, prefixOf, ServiceEndpoint } from '../network/service-endpoints';

/** A service a function's code may call, and the actions that say so. */
export interface CalledService {
  /** The endpoint that serves it; undefined when no VPC endpoint does (it needs the internet). */
  readonly endpoint?: ServiceEndpoint;
  /** The IAM prefix, e.g. `sqs`, or `*` for an action that names every service. */
  readonly prefix: string;
  /** The actions, as the policy writes them. */
  readonly actions: string[];
}

/**
 * Actions the Lambda service performs with the execution role itself, outside
 * the function's network: writing logs, sending trace segments, and attaching
 * the function to its subnets.
 */
const LAMBDA_SERVICE_ACTIONS = new Set([
  'logs:createlogstream', 'logs:putlogevents', 'logs:createloggroup',
  'xray:puttracesegments', 'xray:puttelemetryrecords', 'xray:getsamplingrules', 'xray:getsamplingtargets',
  'ec2:createnetworkinterface', 'ec2:describenetworkinterfaces', 'ec2:deletenetworkinterface', 'ec2:describesubnets',
  'ec2:assignprivateipaddresses', 'ec2:unassignprivateipaddresses', 'ec2:describesecuritygroups', 'ec2:describevpcs',
]);

/**
 * KMS actions that AWS services call on the caller's behalf (S3, DynamoDB, SQS,
 * SNS, Secrets Manager... decrypting and encrypting their data). Granting them
 * does not mean the code calls KMS; code that uses the KMS API directly (envelope
 * encryption) declares it with `fn.allowInterfaceEndpoint(KMS)`.
 */
const KMS_DATA_KEY_ACTIONS = /^kms:(decrypt|encrypt|generatedatakey.*|reencrypt.*|describekey)$/i;

/** Actions of the poller Lambda runs for an event source mapping, by the source's service. */
const POLLER_ACTIONS: { readonly [source: string]: RegExp } = {
  dynamodb: /^dynamodb:(getrecords|getsharditerator|describestream|liststreams)$/i,
  kinesis: /^kinesis:(describestream|describestreamsummary|getrecords|getsharditerator|listshards|liststreams|subscribetoshard|describestreamconsumer)$/i,
};

const KNOWN_INTERFACE_SERVICES: ReadonlySet<string> = new Set(Object.values(ec2.InterfaceVpcEndpointAwsService)
  .filter((value): value is ec2.InterfaceVpcEndpointAwsService => value instanceof ec2.InterfaceVpcEndpointAwsService)
  .map((service) => service.shortName));

/**
 * The services a function's code may call, read from its role's final
 * statements as the template shows them, whatever wrote them.
 *
 * Left out: what the Lambda service does with the role (logs, traces, network
 * interfaces, delivery to the dead-letter queue and async destinations, and
 * the polling of event source mappings), KMS data-key use through another
 * service (`kms:ViaService`, or the data-key actions any encrypted resource's
 * grant includes), and a role outside the template, which cannot be read.
 */
export function servicesCalledBy(fn: IndexedResource): CalledService[] {
  const { template } = fn;
  const roleId = referencedLogicalId(fn.properties.Role);
  if (roleId === undefined || !template.resource(roleId, ResourceType.IAM_ROLE)) return [];
  const deliveries: FunctionDeliveries = { delivered: [], pollerSources: [] };
  if (isObject(fn.properties.DeadLetterConfig)) deliveries.delivered.push(fn.properties.DeadLetterConfig.TargetArn);
  for (const setting of template.invocationSettingsOf(fn.logicalId)) {
    addDeliveries(deliveries, setting.properties, sourceServiceOf(setting));
  }
  return servicesInDocuments(template.policyDocumentsOf(roleId), deliveries);
}

/** Where the Lambda service itself sends a function's events or reads them from. */
export interface FunctionDeliveries {
  /** Dead-letter queues, async destinations and event source ARNs, as resolved values. */
  readonly delivered: CfnValue[];
  /** The services of its event source mappings' pollers: `dynamodb`, `kinesis`. */
  readonly pollerSources: string[];
}

/**
 * Records the destinations of an `AWS::Lambda::EventInvokeConfig` or the
 * source and on-failure destination of an `AWS::Lambda::EventSourceMapping`,
 * given their resolved properties.
 */
export function addDeliveries(deliveries: FunctionDeliveries, props: CfnValue, pollerSource: string | undefined): void {
  const destinations = isObject(props.DestinationConfig) ? props.DestinationConfig : {};
  for (const destination of [destinations.OnFailure, destinations.OnSuccess]) {
    if (isObject(destination) && destination.Destination !== undefined) deliveries.delivered.push(destination.Destination);
  }
  if (props.EventSourceArn !== undefined) deliveries.delivered.push(props.EventSourceArn);
  if (pollerSource !== undefined) deliveries.pollerSources.push(pollerSource);
}

/** The services the statements of resolved policy documents let a function's code call. */
export function servicesInDocuments(documents: readonly CfnValue[], deliveries: FunctionDeliveries): CalledService[] {
  const delivered = new Set(deliveries.delivered.map(key));
  const services = new Map<string, CalledService>();
  for (const document of documents) {
    for (const statement of statementsOf(document)) {
      if (!isAllow(statement) || statement.NotAction !== undefined) continue;
      const resources = asArray(statement.Resource);
      const onDelivered = resources.length > 0 && resources.every((resource) => delivered.has(key(resource)));
      if (onDelivered || isThroughService(statement)) continue;
      for (const action of literalActions(statement.Action)) {
        if (LAMBDA_SERVICE_ACTIONS.has(action.toLowerCase()) || KMS_DATA_KEY_ACTIONS.test(action)) continue;
        if (deliveries.pollerSources.some((source) => POLLER_ACTIONS[source]?.test(action))) continue;
        if (POLLER_ACTIONS.dynamodb.test(action) && !resources.some(mayBeStream)) continue;
        const prefix = prefixOf(action) ?? '*';
        const endpoint = prefix === '*' ? undefined : knownEndpoint(endpointForAction(action));
        const id = endpoint ? endpointKey(endpoint) : `none:${prefix}`;
        const entry = services.get(id) ?? { endpoint, prefix, actions: [] };
        if (!entry.actions.includes(action)) entry.actions.push(action);
        services.set(id, entry);
      }
    }
  }
  return [...services.values()];
}

/** Only endpoints that exist: aws-cdk-lib's list of interface endpoint services, and the two gateways. */
function knownEndpoint(endpoint: ServiceEndpoint | undefined): ServiceEndpoint | undefined {
  if (endpoint === undefined || endpoint.kind === 'gateway') return endpoint;
  return KNOWN_INTERFACE_SERVICES.has(endpoint.service) ? endpoint : undefined;
}

/** A KMS statement used through another service (`kms:ViaService`) or by Lambda for the environment. */
function isThroughService(statement: CfnValue): boolean {
  if (!isObject(statement.Condition)) return false;
  const keys = Object.values(statement.Condition).filter(isObject).flatMap((block) => Object.keys(block).map((name) => name.toLowerCase()));
  return literalActions(statement.Action).every((action) => action.toLowerCase().startsWith('kms:'))
    && keys.some((name) => name === 'kms:viaservice' || name === 'kms:encryptioncontext:aws:lambda:functionarn');
}

/** The service an event source mapping polls, when its poller needs stream actions: `dynamodb` or `kinesis`. */
function sourceServiceOf(mapping: IndexedResource): string | undefined {
  if (mapping.type !== ResourceType.LAMBDA_EVENT_SOURCE_MAPPING) return undefined;
  const source = mapping.template.resource(referencedLogicalId(mapping.properties.EventSourceArn));
  return pollerSourceOf(mapping.properties.EventSourceArn, source?.type);
}

/**
 * The poller service of an event source ARN: `dynamodb` for a table stream,
 * `kinesis` for a stream; undefined for SQS and others, whose poller actions
 * are scoped to the source ARN itself.
 *
 * @param sourceType the CloudFormation type of the resource the ARN references, when known
 */
export function pollerSourceOf(eventSourceArn: CfnValue, sourceType?: string): string | undefined {
  if (sourceType === ResourceType.DYNAMODB_TABLE) return 'dynamodb';
  if (sourceType === 'AWS::Kinesis::Stream') return 'kinesis';
  const text = JSON.stringify(eventSourceArn);
  if (/:dynamodb:|StreamArn/.test(text)) return 'dynamodb';
  if (/:kinesis:/.test(text)) return 'kinesis';
  return undefined;
}

/**
 * Whether a resource may be a DynamoDB stream. aws-cdk-lib's table read grants
 * list stream actions on the table itself, where they allow nothing: only a
 * statement on a stream (or on every resource) means the code reads a stream.
 */
function mayBeStream(resource: CfnValue): boolean {
  const text = JSON.stringify(resource);
  return text === '"*"' || /\/stream\/|StreamArn|LatestStreamArn/.test(text);
}

function key(value: CfnValue): string {
  return JSON.stringify(value);
}
