process.env.CDK_VALIDATION = 'false';

import { USER_REASON, WAIVER_REASON, synthFixture } from './fixture';
import { CDK_MANAGED_LOG_GROUP_FLAG } from '../../src/function/cdk-managed-log-group';
import { SecurityReportDocument } from '../../src/report/schema';
import { PARTITION } from '../core/fixtures';
import { flagOn } from '../feature-flags';

const TABLE_READS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:Scan'];
const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

describe('SecurityReport on the fixture app', () => {
  // GIVEN the fixture app with the report alone, WHEN it is synthesized once
  const { json, markdown, stderr } = synthFixture();
  const report = json as SecurityReportDocument;
  const stacks = report.stages.flatMap((stage) => stage.stacks);
  const functions = stacks.flatMap((stack) => stack.functions);
  const dataStores = stacks.flatMap((stack) => stack.dataStores);
  const acknowledgements = stacks.flatMap((stack) => stack.acknowledgements);
  const fn = (path: string) => {
    const found = functions.find((candidate) => candidate.path === path);
    if (!found) throw new Error(`no function ${path} in ${functions.map((f) => f.path).join(', ')}`);
    return found;
  };
  const store = (path: string) => dataStores.find((candidate) => candidate.path === path)!;
  const tableId = store('Shop/Orders').logicalId;
  const actionsOn = (path: string, resource: string) => fn(path).statements
    .filter((statement) => statement.effect === 'Allow' && statement.resources.some((r) => r.includes(resource)))
    .flatMap((statement) => statement.actions);

  test('reports every function: the library\'s, plain ones and CDK helper functions, grouped by stage and stack', () => {
    expect(report.stages.map((stage) => [stage.stage, stage.stacks.map((stack) => stack.path)])).toEqual([
      ['', ['Shop']],
      ['Prod', ['Prod/Edge']],
    ]);
    expect(functions.map((f) => f.path).sort()).toEqual([
      'Prod/Edge/Hello',
      'Shop/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
      'Shop/Plain',
      'Shop/Reader',
      'Shop/Webhook',
      'Shop/Worker',
      'Shop/Writer',
    ]);
    expect(report.summary).toMatchObject({
      stacks: 2, functions: 6, functionsOutsideVpc: 3, deployTimeHelpers: 1, apis: 1, routes: 2, routesWithoutAuthorization: 1,
    });
    const helpers = report.stages.flatMap((stage) => stage.stacks.flatMap((stack) => stack.functions))
      .filter((f) => f.deployTimeHelper).map((f) => f.path);
    expect(helpers).toEqual(['Shop/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler']);
  });

  test('the reader\'s statements contain the table\'s read actions and no write action', () => {
    const actions = actionsOn('Shop/Reader', `<${tableId}.Arn>`);
    expect(actions).toEqual(expect.arrayContaining(TABLE_READS));
    expect(actions.filter((action) => TABLE_WRITES.includes(action))).toEqual([]);
  });

  test('the writer\'s statements contain the table\'s write actions and no read of items', () => {
    const actions = actionsOn('Shop/Writer', `<${tableId}.Arn>`);
    expect(actions).toEqual(expect.arrayContaining(TABLE_WRITES));
    expect(actions.filter((action) => TABLE_READS.includes(action))).toEqual([]);
  });

  test('statements come from every policy of the role, with tokens rendered', () => {
    const reader = fn('Shop/Reader');
    expect(reader.role).toBe('Shop/ReaderServiceRole');
    expect(reader.policies).toEqual([{ name: 'Shop/ReaderServiceRole/Policy', kind: 'AWS::IAM::ManagedPolicy' }]);
    expect(reader.statements.every((statement) => statement.policy === 'Shop/ReaderServiceRole/Policy')).toBe(true);
    expect(JSON.stringify(reader.statements)).not.toMatch(/Fn::|"Ref"/);
  });

  test('the table, secret and queue list who reads and who writes them', () => {
    expect(store('Shop/Orders')).toMatchObject({
      kind: 'table',
      key: 'AWS owned key',
      pointInTimeRecovery: true,
      deletionProtection: true,
      removalPolicy: 'Retain',
      readers: ['Shop/Reader'],
      writers: ['Shop/Writer'],
    });
    expect(store('Shop/ApiKey')).toMatchObject({ kind: 'secret', readers: ['Shop/Reader'], writers: [] });
    expect(store('Shop/Jobs')).toMatchObject({
      kind: 'queue', key: 'Shop/SecurityBaseline/Key', deadLetterQueue: 'Shop/Jobs/DeadLetterQueue', readers: ['Shop/Worker'], writers: ['Shop/Writer'],
    });
  });

  test('plain functions are reported with their AWS-managed policy named as such and their implicit log group', () => {
    const plain = fn('Shop/Plain');
    expect(plain.policies).toEqual([{ name: 'service-role/AWSLambdaBasicExecutionRole', kind: 'aws-managed' }]);
    expect(plain.statements).toEqual([]);
    // Under useCdkManagedLogGroup (new projects) aws-cdk-lib puts the function's group in the template.
    expect(plain.logging).toEqual(flagOn(CDK_MANAGED_LOG_GROUP_FLAG)
      ? { logGroup: 'Shop/Plain/LogGroup', inTemplate: true, retentionDays: 731 }
      : { logGroup: `/aws/lambda/<${plain.logicalId}>`, inTemplate: false });
    expect(plain.network.inVpc).toBe(false);
    expect(plain.concurrency).toBeUndefined();
    expect(plain.encryption).toEqual({});
  });

  test('a SecureFunction\'s placement, keys, logs, limits, dead letters and alarms', () => {
    const reader = fn('Shop/Reader');
    expect(reader.network.inVpc).toBe(true);
    expect(reader.network.vpc).toBe('Shop/SecurityBaseline/Network/Vpc');
    expect(reader.network.securityGroups).toEqual([expect.objectContaining({ path: 'Shop/FunctionSecurityGroups/NetworkDynamodbSecretsmanager', allowsAllOutbound: false })]);
    expect(reader.network.reachableEndpoints.map((endpoint) => `${endpoint.service}:${endpoint.endpointType}`))
      .toEqual(['dynamodb:Gateway', 'secretsmanager:Interface']);
    expect(reader.network.services).toEqual([
      expect.objectContaining({ service: 'dynamodb', via: 'gateway endpoint', endpoint: 'Shop/SecurityBaseline/Network/DynamodbEndpoint' }),
      expect.objectContaining({ service: 'secretsmanager', via: 'interface endpoint', endpoint: 'Shop/SecurityBaseline/Network/SecretsmanagerEndpoint' }),
    ]);
    expect(fn('Shop/Worker').network.reachableEndpoints.map((endpoint) => endpoint.service)).toEqual([]);
    expect(reader.encryption).toEqual({ environmentKey: 'Shop/SecurityBaseline/Key' });
    expect(reader.logging).toEqual({ logGroup: 'Shop/Reader/LogGroup', inTemplate: true, retentionDays: 365, key: 'Shop/SecurityBaseline/Key' });
    expect(reader.concurrency).toBe(10);
    expect(reader.deadLetter).toEqual({ target: 'Shop/Reader/DeadLetterQueue' });
    // One alarm per metric, or one metric-math alarm over them all.
    expect(reader.alarms.flatMap((alarm) => alarm.metrics).sort()).toEqual(['AWS/Lambda/Errors', 'AWS/Lambda/Throttles', 'AWS/SQS/ApproximateNumberOfMessagesVisible']);
    expect(fn('Shop/Webhook').network).toEqual({ inVpc: false, subnets: [], securityGroups: [], reachableEndpoints: [], services: [] });
  });

  test('invokers: API routes with the permissions API Gateway needs folded in, the queue\'s event source mapping', () => {
    // Each route is listed once, with the permission that lets API Gateway invoke it.
    expect(fn('Shop/Reader').invokers).toEqual([{
      kind: 'api-route',
      principal: 'apigateway.amazonaws.com',
      source: 'GET /orders on Shop/Api',
      sourceAccount: '111111111111',
      permissions: [expect.stringMatching(/:<Api\w+>\/<ApiDeploymentStage\w+>\/GET\/orders$/), expect.stringMatching(/:<Api\w+>\/test-invoke-stage\/GET\/orders$/)],
    }]);
    expect(fn('Shop/Writer').invokers.map((invoker) => [invoker.kind, invoker.source, invoker.permissions?.map((arn) => arn.split('/').slice(-2).join('/'))]))
      .toEqual([['api-route', 'POST /orders on Shop/Api', ['POST/orders', 'POST/orders']]]);
    expect(fn('Shop/Worker').invokers).toEqual([
      { kind: 'event-source-mapping', principal: 'lambda.amazonaws.com', source: 'Shop/Jobs' },
      { kind: 'state-machine-task', principal: 'states.amazonaws.com', source: 'Shop/Fulfilment (state Work)' },
    ]);
    expect(fn('Shop/Plain').invokers).toEqual([]);
  });

  test('the API route table lists each route\'s authorization, handler and throttling', () => {
    const [api] = stacks.flatMap((stack) => stack.apis);
    expect(api).toMatchObject({ path: 'Shop/Api', endpointType: 'EDGE' });
    expect(api.stages).toEqual([{ name: 'prod', throttling: { rateLimit: 50, burstLimit: 20 }, tracing: false }]);
    expect(api.routes).toEqual([
      { method: 'GET', path: '/orders', authorization: 'AWS_IAM', apiKeyRequired: false, integration: 'AWS_PROXY', handler: 'Shop/Reader', throttling: { rateLimit: 50, burstLimit: 20 } },
      { method: 'POST', path: '/orders', authorization: 'NONE', apiKeyRequired: false, integration: 'AWS_PROXY', handler: 'Shop/Writer', throttling: { rateLimit: 5, burstLimit: 2 } },
    ]);
  });

  test('keys: rotation, the principals their policy allows and what they encrypt', () => {
    const [key] = stacks.flatMap((stack) => stack.keys);
    expect(key).toMatchObject({ path: 'Shop/SecurityBaseline/Key', rotation: true, removalPolicy: 'Retain' });
    expect(key.allows[0].principals).toEqual([`arn:${PARTITION}:iam::111111111111:root`]);
    expect(key.usedBy).toEqual(expect.arrayContaining(['Shop/Jobs', 'Shop/Reader (environment)', 'Shop/Reader/LogGroup']));
  });

  test('state machines: logging, tracing, key, the functions their tasks invoke, and the rules that start them', () => {
    const machines = stacks.flatMap((stack) => stack.stateMachines);
    expect(machines).toEqual([expect.objectContaining({
      path: 'Shop/Fulfilment',
      type: 'STANDARD',
      role: 'Shop/FulfilmentRole',
      logLevel: 'ALL',
      includeExecutionData: false,
      logGroup: 'Shop/FulfilmentLogGroup',
      tracing: true,
      key: 'Shop/SecurityBaseline/Key',
      tasks: [{ state: 'Work', resource: 'lambda:invoke', function: 'Shop/Worker' }],
      invokers: [{ kind: 'event-rule', principal: 'events.amazonaws.com', source: 'Shop/Nightly (cron(0 2 * * ? *))' }],
    })]);
    expect(markdown).toContain('| `Work` | `lambda:invoke` | `Shop/Worker` |');
  });

  test('every acknowledgement has a reason; the library\'s are marked library, the app\'s user', () => {
    expect(acknowledgements.length).toBeGreaterThan(10);
    for (const ack of acknowledgements) expect(ack.reason.trim().length).toBeGreaterThan(0);
    expect(acknowledgements).toContainEqual({ rule: 'AwsSolutions-IAM5[Resource::*]', path: 'Shop/ReaderServiceRole/Policy', reason: expect.any(String), by: 'library' });
    expect(acknowledgements).toContainEqual({ rule: 'HIPAA.Security-LambdaInsideVPC', path: 'Shop/Webhook', reason: WAIVER_REASON, by: 'library' });
    expect(acknowledgements).toContainEqual({ rule: 'AwsSolutions-L1', path: 'Shop/Plain', reason: USER_REASON, by: 'user' });
    const { libraryAcknowledgements, awsCdkLibAcknowledgements, userAcknowledgements } = report.summary;
    expect(libraryAcknowledgements + awsCdkLibAcknowledgements + userAcknowledgements).toBe(acknowledgements.length);
  });

  test('the acknowledgements aws-cdk-lib records itself are marked aws-cdk-lib, not user', () => {
    const flowLog = acknowledgements.filter((ack) => ack.rule === 'CloudFormation-Validate::F3002' || ack.rule === 'CloudFormation-Validate::F3003');
    expect(flowLog.length).toBeGreaterThan(0);
    expect(new Set(flowLog.map((ack) => ack.by))).toEqual(new Set(['aws-cdk-lib']));
    expect(acknowledgements.filter((ack) => ack.by === 'user').map((ack) => ack.rule)).toEqual(['AwsSolutions-L1']);
    expect(report.summary).toMatchObject({ awsCdkLibAcknowledgements: acknowledgements.filter((ack) => ack.by === 'aws-cdk-lib').length, userAcknowledgements: 1 });
  });

  test('a custom-resource handler is invoked by its custom resource, through its ServiceToken', () => {
    expect(fn('Shop/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler').invokers).toEqual([{
      kind: 'custom-resource',
      principal: 'cloudformation.amazonaws.com',
      source: expect.stringMatching(/^Shop\/.*RestrictDefaultSecurityGroupCustomResource \(Custom::VpcRestrictDefaultSG\)$/),
    }]);
    expect(markdown).toMatch(/custom-resource: `Shop\/\S+ \(Custom::VpcRestrictDefaultSG\)` as `cloudformation\.amazonaws\.com`/);
  });

  test('waivers carry their reason', () => {
    expect(stacks.flatMap((stack) => stack.waivers)).toEqual([{ setting: 'network', value: 'outsideVpc', reason: WAIVER_REASON, path: 'Shop/Webhook' }]);
  });

  test('per-pack counts: without observed plugins, only acknowledgements are counted', () => {
    const awsSolutions = acknowledgements.filter((ack) => ack.rule.startsWith('AwsSolutions-')).length;
    expect(report.summary.findings).toContainEqual({ pack: 'AwsSolutions', ran: false, observed: false, acknowledged: awsSolutions });
    expect(report.summary.findings.every((pack) => !pack.ran && !pack.observed && pack.open === undefined)).toBe(true);
  });

  describe('security-report.md', () => {
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
    const labels = new Map([...mermaid.matchAll(/^ {2}(n\d+)[[(]+"([^"]*)"/gm)].map((m) => [m[1], m[2]]));
    const edges = [...mermaid.matchAll(/^ {2}(n\d+) -->\|"([^"]*)"\| (n\d+)$/gm)].map((m) => `${labels.get(m[1])} -${m[2]}-> ${labels.get(m[3])}`);

    test('has a Mermaid flowchart of invokers, functions and data stores', () => {
      expect(mermaid.startsWith('flowchart LR\n')).toBe(true);
      expect(edges).toEqual(expect.arrayContaining([
        'GET /orders on Api -invoke-> Reader',
        'POST /orders on Api -invoke-> Writer',
        'Jobs (queue) -invoke-> Worker',
        'Reader -read-> Orders (table)',
        'Writer -write-> Orders (table)',
        'Worker -read-> Jobs (queue)',
        'Writer -write-> Jobs (queue)',
        'Reader -read-> ApiKey (secret)',
      ]));
      // API Gateway's permissions are drawn as the routes they belong to.
      expect(edges.filter((edge) => edge.includes('apigateway'))).toEqual([]);
    });

    test('every Mermaid line is a quoted node or a labelled edge between generated ids', () => {
      for (const line of mermaid.trimEnd().split('\n').slice(1)) {
        expect(line).toMatch(/^ {2}n\d+(\["[^"]*"\]|\[\("[^"]*"\)\]|\(\["[^"]*"\]\)| -->\|"[^"]*"\| n\d+)$/);
      }
      expect(mermaid).toContain('GET /orders on Api');
    });

    test('has the summary, a table per function, the route table and the acknowledgements and waivers with reasons', () => {
      expect(markdown).toMatch(/^# Security report\n/);
      expect(markdown).toContain('| 6 | 3 | 2 | 1 |');
      expect(markdown).toContain('#### `Shop/Reader`');
      // minimizePolicies (new projects' flags) merges statements and sorts their actions.
      const reads = ['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:GetItem'];
      expect(markdown.split('\n').some((line) => line.startsWith('| Allow |') && reads.every((action) => line.includes(`\`${action}\``)))).toBe(true);
      expect(markdown).toContain('| POST | `/orders` | NONE | `Shop/Writer` | 5/s, burst 2 |');
      expect(markdown).toContain(`| \`AwsSolutions-L1\` | \`Shop/Plain\` | user | ${USER_REASON.replace('|', '\\|')} |`);
      expect(markdown).toContain(`| network | outsideVpc | \`Shop/Webhook\` | ${WAIVER_REASON} |`);
      expect(markdown).toContain('## Stack `Prod/Edge` (stage `Prod`)');
    });

    test('escapes pipes inside table cells', () => {
      const line = markdown.split('\n').find((l) => l.startsWith('| `AwsSolutions-L1`'))!;
      expect(line.split(/(?<!\\)\|/)).toHaveLength(6);
    });
  });

  test('prints one line on stderr with the path and the headline counts', () => {
    const lines = stderr.join('').split('\n').filter((line) => line.includes('security report'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cdk-secure-serverless: security report .*security-report\.md \(and \.json, \.sarif\): 6 functions \(3 outside a VPC\) and 1 deploy-time helper, 2 API routes \(1 without authorization\), 9 data stores, 1 key, 1 user pool, \d+ acknowledged findings/);
  });
});
