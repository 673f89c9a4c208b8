process.env.CDK_VALIDATION = 'false';

import { IPolicyValidationPlugin } from 'aws-cdk-lib';
import { synthFixture } from './fixture';
import * as schema from '../../src/report/schema';

/**
 * The JSON schema of `security-report.json`, written out once more: each
 * object's fields, their JSON types, and which may be absent. Typed against the
 * exported interfaces, so a field added to an interface must be added here (and
 * to the README), and the report must produce exactly these fields.
 */
type ObjectName = 'document' | 'summary' | 'packFindings' | 'stage' | 'stack' | 'function' | 'policy' | 'statement' | 'invoker' | 'service'
| 'network' | 'securityGroup' | 'egressRule' | 'endpoint' | 'encryption' | 'logging' | 'deadLetter' | 'alarm' | 'api' | 'apiStage'
| 'throttling' | 'route' | 'dataStore' | 'key' | 'keyGrant' | 'acknowledgement' | 'waiver' | 'hardening' | 'stateMachine' | 'task'
| 'userPool' | 'userPoolClient' | 'finding';
type Tag = 'string' | 'number' | 'boolean' | 'object' | 'string[]' | ObjectName | `${ObjectName}[]`;
type Field = Tag | { optional: Tag };
type Spec<T> = { [K in keyof T]-?: Field };

const optional = (tag: Tag): Field => ({ optional: tag });

const SCHEMA: { [name in ObjectName]: { [field: string]: Field } } = {
  document: {
    schemaVersion: 'number', generatedBy: 'string', summary: 'summary', stages: 'stage[]',
  } satisfies Spec<schema.SecurityReportDocument>,
  summary: {
    stacks: 'number',
    functions: 'number',
    functionsOutsideVpc: 'number',
    deployTimeHelpers: 'number',
    apis: 'number',
    routes: 'number',
    routesWithoutAuthorization: 'number',
    dataStores: 'number',
    keys: 'number',
    userPools: 'number',
    acknowledgements: 'number',
    libraryAcknowledgements: 'number',
    awsCdkLibAcknowledgements: 'number',
    userAcknowledgements: 'number',
    waivers: 'number',
    hardenedResources: 'number',
    findings: 'packFindings[]',
  } satisfies Spec<schema.SecurityReportSummary>,
  packFindings: {
    pack: 'string', ran: 'boolean', observed: 'boolean', open: optional('number'), acknowledged: 'number', failsSynth: optional('boolean'),
  } satisfies Spec<schema.SecurityReportPackFindings>,
  stage: {
    stage: 'string', stacks: 'stack[]', acknowledgements: 'acknowledgement[]', waivers: 'waiver[]', openFindings: 'finding[]',
  } satisfies Spec<schema.SecurityReportStage>,
  stack: {
    path: 'string',
    stackName: 'string',
    templateFile: 'string',
    account: optional('string'),
    region: optional('string'),
    functions: 'function[]',
    apis: 'api[]',
    dataStores: 'dataStore[]',
    keys: 'key[]',
    stateMachines: 'stateMachine[]',
    userPools: 'userPool[]',
    openFindings: 'finding[]',
    acknowledgements: 'acknowledgement[]',
    waivers: 'waiver[]',
    hardened: 'hardening[]',
  } satisfies Spec<schema.SecurityReportStack>,
  userPool: {
    path: 'string',
    logicalId: 'string',
    mfa: 'string',
    mfaMethods: 'string[]',
    signUp: 'string',
    passwordMinLength: optional('number'),
    threatProtection: optional('string'),
    deletionProtection: 'boolean',
    removalPolicy: 'string',
    clients: 'userPoolClient[]',
  } satisfies Spec<schema.SecurityReportUserPool>,
  userPoolClient: {
    path: 'string',
    logicalId: 'string',
    generateSecret: 'boolean',
    authFlows: 'string[]',
    oauthFlows: 'string[]',
    oauthScopes: 'string[]',
    callbackUrls: 'string[]',
    preventUserExistenceErrors: optional('string'),
  } satisfies Spec<schema.SecurityReportUserPoolClient>,
  finding: {
    rule: 'string', pack: 'string', severity: 'string', description: 'string', path: optional('string'), logicalId: optional('string'),
  } satisfies Spec<schema.SecurityReportFinding>,
  stateMachine: {
    path: 'string',
    logicalId: 'string',
    type: 'string',
    role: 'string',
    logLevel: 'string',
    includeExecutionData: 'boolean',
    logGroup: optional('string'),
    tracing: 'boolean',
    key: optional('string'),
    tasks: 'task[]',
    invokers: 'invoker[]',
  } satisfies Spec<schema.SecurityReportStateMachine>,
  task: { state: 'string', resource: 'string', function: optional('string') } satisfies Spec<schema.SecurityReportTask>,
  function: {
    path: 'string',
    logicalId: 'string',
    runtime: optional('string'),
    role: 'string',
    policies: 'policy[]',
    statements: 'statement[]',
    invokers: 'invoker[]',
    network: 'network',
    encryption: 'encryption',
    logging: 'logging',
    concurrency: optional('number'),
    deadLetter: 'deadLetter',
    alarms: 'alarm[]',
    deployTimeHelper: optional('boolean'),
  } satisfies Spec<schema.SecurityReportFunction>,
  policy: { name: 'string', kind: 'string' } satisfies Spec<schema.SecurityReportPolicy>,
  statement: {
    policy: 'string',
    effect: 'string',
    actions: 'string[]',
    notActions: optional('string[]'),
    resources: 'string[]',
    notResources: optional('string[]'),
    conditions: optional('object'),
  } satisfies Spec<schema.SecurityReportStatement>,
  invoker: {
    kind: 'string', principal: 'string', source: 'string', sourceAccount: optional('string'), permissions: optional('string[]'),
  } satisfies Spec<schema.SecurityReportInvoker>,
  network: {
    inVpc: 'boolean', vpc: optional('string'), subnets: 'string[]', securityGroups: 'securityGroup[]', reachableEndpoints: 'endpoint[]', services: 'service[]',
  } satisfies Spec<schema.SecurityReportNetwork>,
  service: { service: 'string', actions: 'string[]', via: optional('string'), endpoint: optional('string') } satisfies Spec<schema.SecurityReportService>,
  securityGroup: { path: 'string', allowsAllOutbound: 'boolean', egress: 'egressRule[]' } satisfies Spec<schema.SecurityReportSecurityGroup>,
  egressRule: {
    protocol: 'string', ports: 'string', destination: 'string', description: optional('string'), note: optional('string'),
  } satisfies Spec<schema.SecurityReportEgressRule>,
  endpoint: { service: 'string', endpointType: 'string', path: 'string' } satisfies Spec<schema.SecurityReportEndpoint>,
  encryption: { environmentKey: optional('string') } satisfies Spec<schema.SecurityReportEncryption>,
  logging: {
    logGroup: 'string', inTemplate: 'boolean', retentionDays: optional('number'), key: optional('string'),
  } satisfies Spec<schema.SecurityReportLogging>,
  deadLetter: {
    target: optional('string'), onFailure: optional('string'), retryAttempts: optional('number'),
  } satisfies Spec<schema.SecurityReportDeadLetter>,
  alarm: { path: 'string', metrics: 'string[]', actions: 'string[]' } satisfies Spec<schema.SecurityReportAlarm>,
  api: {
    path: 'string', logicalId: 'string', protocol: 'string', endpointType: 'string', stages: 'apiStage[]', routes: 'route[]',
  } satisfies Spec<schema.SecurityReportApi>,
  apiStage: {
    name: 'string', webAcl: optional('string'), throttling: optional('throttling'), tracing: 'boolean', accessLogs: optional('string'),
  } satisfies Spec<schema.SecurityReportApiStage>,
  throttling: { rateLimit: optional('number'), burstLimit: optional('number') } satisfies Spec<schema.SecurityReportThrottling>,
  route: {
    method: 'string',
    path: 'string',
    authorization: 'string',
    authorizer: optional('string'),
    userPools: optional('string[]'),
    clients: optional('string[]'),
    apiKeyRequired: 'boolean',
    integration: 'string',
    handler: optional('string'),
    throttling: optional('throttling'),
  } satisfies Spec<schema.SecurityReportRoute>,
  dataStore: {
    kind: 'string',
    path: 'string',
    logicalId: 'string',
    key: 'string',
    removalPolicy: 'string',
    pointInTimeRecovery: optional('boolean'),
    deletionProtection: optional('boolean'),
    retentionSeconds: optional('number'),
    deadLetterQueue: optional('string'),
    rotation: optional('string'),
    versioning: optional('boolean'),
    readers: 'string[]',
    writers: 'string[]',
  } satisfies Spec<schema.SecurityReportDataStore>,
  key: {
    path: 'string', logicalId: 'string', rotation: 'boolean', removalPolicy: 'string', aliases: 'string[]', allows: 'keyGrant[]', usedBy: 'string[]',
  } satisfies Spec<schema.SecurityReportKey>,
  keyGrant: { principals: 'string[]', actions: 'string[]', conditions: optional('object') } satisfies Spec<schema.SecurityReportKeyGrant>,
  acknowledgement: { rule: 'string', path: 'string', reason: 'string', by: 'string' } satisfies Spec<schema.SecurityReportAcknowledgement>,
  waiver: { setting: 'string', value: 'string', reason: 'string', path: 'string' } satisfies Spec<schema.SecurityReportWaiver>,
  hardening: { path: 'string', mixin: 'string', changes: 'string[]' } satisfies Spec<schema.SecurityReportHardening>,
};

/** Every mismatch between `value` and the schema of `name`, as `<json path>: <problem>`. */
function check(name: ObjectName, value: any, at: string, problems: string[], seen: Set<string>): void {
  seen.add(name);
  const fields = SCHEMA[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${at}: expected a ${name} object`);
    return;
  }
  for (const key of Object.keys(value)) if (!(key in fields)) problems.push(`${at}.${key}: not in the schema of ${name}`);
  for (const [key, field] of Object.entries(fields)) {
    const tag = typeof field === 'string' ? field : field.optional;
    if (value[key] === undefined) {
      if (typeof field === 'string') problems.push(`${at}.${key}: missing`);
      continue;
    }
    checkValue(tag, value[key], `${at}.${key}`, problems, seen);
  }
}

function checkValue(tag: Tag, value: any, at: string, problems: string[], seen: Set<string>): void {
  if (tag.endsWith('[]')) {
    if (!Array.isArray(value)) return void problems.push(`${at}: expected an array`);
    value.forEach((item, i) => checkValue(tag.slice(0, -2) as Tag, item, `${at}[${i}]`, problems, seen));
  } else if (tag in SCHEMA) {
    check(tag as ObjectName, value, at, problems, seen);
  } else if (tag === 'object' ? typeof value !== 'object' || Array.isArray(value) : typeof value !== tag) {
    problems.push(`${at}: expected ${tag}, got ${JSON.stringify(value)}`);
  }
}

/** A pack that reports one warning on the fixture's plain function, so that the report has an open finding. */
const STUB_PACK: IPolicyValidationPlugin = {
  name: 'Stub',
  validate: () => ({
    success: true,
    violations: [{ ruleName: 'Stub-Open', description: 'an open finding', severity: 'warning', violatingResources: [{ constructPath: 'Shop/Plain/Resource', locations: [] }] }],
  }),
};

describe('security-report.json schema', () => {
  const { json } = synthFixture([STUB_PACK]);

  test('the report has exactly the documented fields, of the documented types', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    check('document', json, '$', problems, seen);
    expect(problems).toEqual([]);
    expect(json.schemaVersion).toBe(2);
    // The fixture exercises every object of the schema.
    expect([...seen].sort()).toEqual(Object.keys(SCHEMA).sort());
  });

  test('acknowledgements are by the library, aws-cdk-lib or the user, nothing else', () => {
    const by = new Set(json.stages.flatMap((stage: any) => stage.stacks.flatMap((stack: any) => stack.acknowledgements.map((ack: any) => ack.by))));
    const { AWS_CDK_LIB, LIBRARY, USER } = schema.AcknowledgementSource;
    expect([...by].sort()).toEqual([AWS_CDK_LIB, LIBRARY, USER]);
  });
});
