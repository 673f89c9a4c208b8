process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { mostly, propertyRuns, sometimes } from './runners';
import { SecureTable, SecureTableProps } from '../../src/table/secure-table';
import { AutoscaledCapacity, TableBilling } from '../../src/table/table-billing';

/**
 * Over generated SecureTable props (and a grant with generated options),
 * construction either throws our error or the app synthesizes with zero
 * findings under STANDARD (our pack, AwsSolutions, Serverless; the Control
 * Tower guard rules run once at the end over a sample of the apps that
 * synthesized). No other exception type is allowed.
 */

const NUM_RUNS = 400;
const GUARD_SAMPLE = 20;
const ENV = { account: '111111111111', region: 'eu-west-1' };

const TYPES = Object.values(dynamodb.AttributeType) as string[];
const STREAMS = Object.values(dynamodb.StreamViewType) as string[];
const PROJECTIONS = Object.values(dynamodb.ProjectionType) as string[];
const CLASSES = Object.values(dynamodb.TableClass) as string[];


/** Attribute names from a small pool, so index keys often meet table keys. */
const attributeName = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('pk', 'sk', 'customer', 'status', 'date', 'region', 'expiresAt') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
/** Each pooled name has one type, so indexes usually agree with the table; sometimes they do not. */
const TYPE_OF: Record<string, string> = { pk: 'S', sk: 'S', customer: 'S', status: 'S', date: 'N', region: 'S', expiresAt: 'N' };
const attribute = fc.record({
  name: attributeName,
  type: fc.oneof(
    { weight: 30, arbitrary: fc.constant('consistent') },
    { weight: 3, arbitrary: fc.constantFrom(...TYPES) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, 'X') },
  ),
}).map(({ name, type }) => ({ name, type: type === 'consistent' ? TYPE_OF[name] ?? 'S' : type }) as Partial<dynamodb.Attribute>);

/** Valid values nearly always, sometimes missing or anything. */
function usually<T>(valid: fc.Arbitrary<T>, any: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: 20, arbitrary: valid },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: any },
  );
}

const capacity: fc.Arbitrary<Partial<AutoscaledCapacity>> = fc.record({
  minCapacity: usually(fc.integer({ min: 1, max: 50 }), fc.integer({ min: -5, max: 100 })),
  maxCapacity: usually(fc.integer({ min: 50, max: 500 }), fc.integer({ min: -5, max: 100 })),
  targetUtilizationPercent: mostly(fc.integer({ min: 20, max: 90 }), fc.integer({ min: 0, max: 120 })),
}, { requiredKeys: [] });

interface GeneratedIndex {
  readonly indexName?: string;
  readonly partitionKey?: Partial<dynamodb.Attribute>;
  readonly sortKey?: Partial<dynamodb.Attribute>;
  readonly projectionType?: string;
  readonly nonKeyAttributes?: string[];
  readonly readCapacity?: Partial<AutoscaledCapacity>;
  readonly writeCapacity?: Partial<AutoscaledCapacity>;
  /** Whether the index has capacities exactly when the table is provisioned. */
  readonly matchBilling?: boolean;
}

const indexName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('byCustomer', 'byStatus', 'byDate', 'byRegion') },
  { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
);
const nonKeyAttributes = fc.uniqueArray(fc.constantFrom('total', 'items', 'note'), { minLength: 1, maxLength: 2 });
/** Mostly a consistent projection, sometimes any mix. */
const projection = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.record({ projectionType: fc.constantFrom(dynamodb.ProjectionType.ALL, dynamodb.ProjectionType.KEYS_ONLY) }) },
  { weight: 3, arbitrary: fc.record({ projectionType: fc.constant(dynamodb.ProjectionType.INCLUDE), nonKeyAttributes }) },
  {
    weight: 1,
    arbitrary: fc.record({
      projectionType: sometimes(fc.constantFrom(...PROJECTIONS, 'EVERYTHING'), 2),
      nonKeyAttributes: sometimes(fc.array(fc.constantFrom('total', 'pk', ''), { maxLength: 2 }), 1),
    }, { requiredKeys: [] }),
  },
);
const globalIndex: fc.Arbitrary<GeneratedIndex> = fc.tuple(fc.record({
  indexName,
  partitionKey: attribute,
  sortKey: sometimes(attribute, 2),
  readCapacity: usually(capacity, fc.constant(undefined)),
  writeCapacity: usually(capacity, fc.constant(undefined)),
  matchBilling: fc.oneof({ weight: 10, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
}), projection).map(([index, p]) => ({ ...index, ...p }));
const localIndex: fc.Arbitrary<GeneratedIndex> = fc.tuple(fc.record({ indexName, sortKey: attribute }), projection)
  .map(([index, p]) => ({ ...index, ...p }));

interface Generated {
  readonly partitionKey?: Partial<dynamodb.Attribute>;
  readonly sortKey?: Partial<dynamodb.Attribute>;
  readonly tableName?: string;
  readonly billing?: { provisioned: boolean; read?: Partial<AutoscaledCapacity>; write?: Partial<AutoscaledCapacity>; maxRead?: number };
  readonly stream?: string;
  readonly timeToLiveAttribute?: string;
  readonly contributorInsights?: boolean;
  readonly tableClass?: string;
  readonly globalSecondaryIndexes?: GeneratedIndex[];
  readonly localSecondaryIndexes?: GeneratedIndex[];
  readonly backup?: { deleteAfterDays?: number; startHours?: number; completionHours?: number; rate?: boolean };
  readonly grant?: { kind: 'readItems' | 'writeItems' | 'readWriteItems' | 'grantReadWriteData'; leadingKeys?: string[]; allowScan?: boolean };
}

const generated: fc.Arbitrary<Generated> = fc.record({
  partitionKey: fc.oneof({ weight: 30, arbitrary: attribute }, { weight: 1, arbitrary: fc.constant(undefined) }),
  sortKey: sometimes(attribute, 2),
  tableName: sometimes(fc.oneof({ weight: 6, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_.-]{3,20}$/) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }), 3),
  billing: sometimes(fc.record({
    provisioned: fc.boolean(),
    read: usually(capacity, fc.constant(undefined)),
    write: usually(capacity, fc.constant(undefined)),
    maxRead: sometimes(fc.integer({ min: -1, max: 1000 }), 2),
  }, { requiredKeys: ['provisioned', 'read', 'write'] }), 1),
  stream: sometimes(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...STREAMS) }, { weight: 1, arbitrary: fc.constant('EVERYTHING') }), 2),
  timeToLiveAttribute: sometimes(fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('ttl', 'expiresAt') },
    { weight: 1, arbitrary: attributeName },
    { weight: 1, arbitrary: fc.constantFrom('', 'expires at') },
  ), 2),
  contributorInsights: sometimes(fc.boolean(), 2),
  tableClass: sometimes(fc.constantFrom(...CLASSES), 3),
  globalSecondaryIndexes: sometimes(fc.array(globalIndex, { maxLength: 3 }), 1),
  localSecondaryIndexes: sometimes(fc.array(localIndex, { maxLength: 2 }), 2),
  backup: sometimes(fc.record({
    deleteAfterDays: sometimes(fc.integer({ min: 0, max: 400 }), 1),
    startHours: sometimes(fc.integer({ min: 0, max: 10 }), 1),
    completionHours: sometimes(fc.integer({ min: 0, max: 24 }), 1),
    rate: sometimes(fc.boolean(), 2),
  }, { requiredKeys: [] }), 3),
  grant: sometimes(fc.record({
    kind: fc.constantFrom('readItems', 'writeItems', 'readWriteItems', 'grantReadWriteData') as fc.Arbitrary<'readItems'>,
    leadingKeys: sometimes(fc.array(fc.constantFrom('${aws:PrincipalTag/tenant}', 'tenant-1'), { maxLength: 2 }), 1),
    allowScan: sometimes(fc.boolean(), 1),
  }, { requiredKeys: ['kind'] }), 1),
}, { requiredKeys: ['partitionKey'] });

function billingOf(b: Generated['billing']): TableBilling | undefined {
  if (b === undefined) return undefined;
  return b.provisioned
    ? TableBilling.provisioned({ readCapacity: b.read, writeCapacity: b.write } as any)
    : TableBilling.onDemand({ maxReadRequestUnits: b.maxRead });
}

function backupOf(b: Generated['backup']): SecureTableProps['backup'] {
  if (b === undefined) return undefined;
  return {
    deleteAfter: b.deleteAfterDays === undefined ? undefined : Duration.days(b.deleteAfterDays),
    startWindow: b.startHours === undefined ? undefined : Duration.hours(b.startHours),
    completionWindow: b.completionHours === undefined ? undefined : Duration.hours(b.completionHours),
    schedule: b.rate === undefined ? undefined : b.rate ? events.Schedule.rate(Duration.days(1)) : events.Schedule.cron({ minute: '0', hour: '3' }),
  };
}

/** Builds the app; every call that takes user input (factories included) happens here. */
function buildApp(g: Generated): App {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const table = new SecureTable(stack, 'Table', {
    partitionKey: g.partitionKey,
    sortKey: g.sortKey,
    tableName: g.tableName,
    billing: billingOf(g.billing),
    stream: g.stream,
    timeToLiveAttribute: g.timeToLiveAttribute,
    contributorInsights: g.contributorInsights,
    tableClass: g.tableClass,
    globalSecondaryIndexes: g.globalSecondaryIndexes?.map(({ matchBilling, ...index }) => !matchBilling ? index
      : g.billing?.provisioned ? index : { ...index, readCapacity: undefined, writeCapacity: undefined }),
    localSecondaryIndexes: g.localSecondaryIndexes,
    backup: backupOf(g.backup),
  } as SecureTableProps);
  if (g.grant) {
    const role = new iam.Role(stack, 'Grantee', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const options = { leadingKeys: g.grant.leadingKeys, allowScan: g.grant.allowScan };
    if (g.grant.kind === 'grantReadWriteData') table.grantReadWriteData(role);
    else table.grants[g.grant.kind](role, options);
  }
  return app;
}

describe('SecureTable over generated props', () => {
  propertyRuns(generated, buildApp, { numRuns: NUM_RUNS, guardSample: GUARD_SAMPLE, what: 'prop sets' });
});
