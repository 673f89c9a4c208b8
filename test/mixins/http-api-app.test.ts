import { Mixins, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpAppNetwork, PAGER_WEBHOOK, plainHttpApiApp, PlainHttpApiApp } from './http-api-app';
import { statefulResources } from './plain-app';
import { ComplianceProfile } from '../../src/core/profile';
import { hardeningRecords } from '../../src/mixins/changes';
import { FunctionOutsideVpc } from '../../src/mixins/function-hardening';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { renderMarkdown } from '../../src/report/markdown';
import { buildReport } from '../../src/report/report-builder';
import { SecurityReportDocument } from '../../src/report/schema';
import { SecurityReport } from '../../src/report/security-report';
import { cfnLintApps, formatLintFindings, LintFinding } from '../compliance/cfn-lint';
import { Finding, findingsFor, formatFindings } from '../compliance/harness';
import { PROFILES } from '../compliance/runners';
import { thrownBy } from '../core/fixtures';
import { currentFlagSet } from '../feature-flags';

/** The reserved concurrency the app's authors choose for REGULATED, where one is required. */
const REGULATED_CONCURRENCY = 10;

/**
 * The plain HTTP API app after the one line, with the one decision the mixins
 * leave it: the pager calls the on-call team's webhook on the internet, which
 * the warning names, so it stays outside the VPC with its reason. In REGULATED,
 * the reserved concurrency of its functions.
 */
function hardenedHttpApiApp(profile: ComplianceProfile, network: HttpAppNetwork): PlainHttpApiApp {
  const plain = plainHttpApiApp(network);
  if (network === 'none') plain.pager.with(new FunctionOutsideVpc('pages the on-call team through their webhook on the internet'));
  Mixins.of(plain.app).apply(new ServerlessHardening({
    profile, reservedConcurrency: profile === ComplianceProfile.REGULATED ? REGULATED_CONCURRENCY : undefined,
  }));
  return plain;
}

function perPack(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const finding of findings) counts[finding.source] = (counts[finding.source] ?? 0) + 1;
  return counts;
}

/** The run-time changes the report lists, by resource path. */
function runtimeChanges(report: SecurityReportDocument): Record<string, string[]> {
  const entries = report.stages.flatMap((stage) => stage.stacks.flatMap((stack) => stack.runtimeChanges));
  return Object.fromEntries(entries.map((entry) => [entry.path, entry.changes]));
}

const CASES = [
  { name: 'STANDARD', profile: ComplianceProfile.STANDARD, network: 'none' },
  { name: 'STANDARD in a brought VPC', profile: ComplianceProfile.STANDARD, network: 'brought-vpc' },
  { name: 'REGULATED', profile: ComplianceProfile.REGULATED, network: 'none' },
] as const;

const before = new Map<ComplianceProfile, Finding[]>();
const after = new Map<string, Finding[]>();
const hardened = new Map<string, PlainHttpApiApp>();
let lint: LintFinding[];

beforeAll(() => {
  for (const c of CASES) hardened.set(c.name, hardenedHttpApiApp(c.profile, c.network));
  for (const profile of PROFILES) {
    const cases = CASES.filter((c) => c.profile === profile);
    const [plainFindings, ...hardenedFindings] = findingsFor([plainHttpApiApp().app, ...cases.map((c) => hardened.get(c.name)!.app)], { profile });
    before.set(profile, plainFindings);
    cases.forEach((c, i) => after.set(c.name, hardenedFindings[i]));
    process.stdout.write(`HTTP API app, ${profile}: before ${JSON.stringify(perPack(plainFindings))}, `
      + `after ${cases.map((c, i) => `${c.name} ${JSON.stringify(perPack(hardenedFindings[i]))}`).join(', ')}\n`);
  }
  lint = cfnLintApps(new Map(CASES.map((c) => [c.name, hardened.get(c.name)!.app] as const)));
}, 600_000);

describe('ServerlessHardening on a plain HTTP API service', () => {
  test('the plain app fails every pack before', () => {
    // A new project's flags give each function a log group of aws-cdk-lib's (unencrypted, kept forever): more Control Tower and REGULATED findings.
    const expected = currentFlagSet() === 'none'
      ? { standard: { ServerlessSecurity: 18, AwsSolutions: 13, Serverless: 20, ControlTower: 14 }, regulated: { 'HIPAA.Security': 28, 'NIST.800.53.R5': 28, 'PCI.DSS.321': 12 } }
      : { standard: { ServerlessSecurity: 18, AwsSolutions: 13, Serverless: 20, ControlTower: 19 }, regulated: { 'HIPAA.Security': 33, 'NIST.800.53.R5': 33, 'PCI.DSS.321': 17 } };
    expect(perPack(before.get(ComplianceProfile.STANDARD)!)).toEqual(expected.standard);
    expect(perPack(before.get(ComplianceProfile.REGULATED)!)).toEqual(expect.objectContaining(expected.regulated));
  });

  test.each(CASES.map((c) => c.name))('%s: zero unacknowledged findings after the one line, Control Tower guard rules included', (name) => {
    expect(formatFindings(after.get(name)!)).toEqual(formatFindings([]));
  });

  test('cfn-lint finds nothing in the hardened templates', () => {
    expect(formatLintFindings(lint)).toEqual(formatLintFindings([]));
  });

  test('REGULATED without a reserved concurrency is our error naming the prop', () => {
    const plain = plainHttpApiApp();
    const error = thrownBy(() => Mixins.of(plain.app).apply(new ServerlessHardening({ profile: ComplianceProfile.REGULATED })));
    expect(error.name).toBe('SecureServerlessError');
    expect(error.message).toEqual(expect.stringMatching(/^Shop\/CreateOrder: invalid FunctionHardening\.reservedConcurrency: received undefined; allowed: the number of concurrent executions to reserve .* HIPAA and NIST 800-53 \(the REGULATED profile\) require a reserved concurrency.*new ServerlessHardening\(\{ profile: ComplianceProfile\.REGULATED, reservedConcurrency: 10 \}\)/));
  });

  test.each(CASES.map((c) => c.name))('%s: the logical ids and names of stateful resources are unchanged', (name) => {
    const c = CASES.find((x) => x.name === name)!;
    const plainResources = statefulResources(plainHttpApiApp(c.network).stack);
    const hardenedResources = statefulResources(hardened.get(name)!.stack);
    expect(Object.keys(plainResources).length).toBeGreaterThan(0);
    for (const [id, resource] of Object.entries(plainResources)) expect({ id, ...hardenedResources[id] }).toEqual({ id, ...resource });
  });
});

describe('every change to how the HTTP API service runs is listed per function, in the report and at synth', () => {
  const LOG_FORMAT = 'log format JSON, where it was Text: each line the code logs becomes the "message" of a JSON record, '
    + 'so metric filters and queries written for plain lines need updating';
  const IN_VPC = 'runs in the private subnets of Shop/SecurityBaseline/Network, where it ran outside any VPC, with a security group of its own';
  const reaches = (services: string) =>
    `reaches ${services} and nothing else: not the internet, nor AWS services its role's statements do not name`;
  const concurrency = `at most ${REGULATED_CONCURRENCY} executions at once (reserved concurrency ${REGULATED_CONCURRENCY}, where it had none): `
    + `requests beyond them are throttled, and ${REGULATED_CONCURRENCY} executions are set aside from the account's unreserved pool`;
  const STREAM = expect.stringMatching(/^event source Shop\/Projector\/DynamoDBEventSource:\w+: failures reported per item \(ReportBatchItemFailures\).*; a failing batch is split in two .*; a failing batch is retried 3 times, where it was retried until its records expired; then a record describing the batch \(not its items\) goes to the function's dead-letter queue/);

  const expectedStandard = {
    'Shop/CreateOrder': [LOG_FORMAT, IN_VPC, reaches('dynamodb (gateway endpoint)')],
    'Shop/GetOrder': [LOG_FORMAT, IN_VPC, reaches('dynamodb (gateway endpoint)')],
    'Shop/Projector': [LOG_FORMAT, IN_VPC, reaches('dynamodb (gateway endpoint), events (interface endpoint)'), STREAM],
    'Shop/Pager': [LOG_FORMAT],
    'Shop/Reconcile': [LOG_FORMAT, IN_VPC, reaches('dynamodb (gateway endpoint)')],
    'Shop/Api/DefaultStage': ['callers throttled at 100 requests per second, burst 200, on every route without limits of its own, '
      + 'where only the account\'s quota applied: requests beyond get 429 Too Many Requests'],
    'Shop/Escalation': [expect.stringMatching(/^definition and execution history encrypted with the baseline key, .* needs kms:Decrypt on the key$/)],
    // aws-cdk-lib's target writes Scheduler's retry policy out (185 retries within 24 hours): the schedule keeps it.
    'Shop/Nightly': ['an invocation that still fails goes to the schedule\'s encrypted dead-letter queue, where it was dropped'],
  };

  test('STANDARD: the report lists, per resource, each change to how it runs', () => {
    expect(runtimeChanges(buildReport(hardened.get('STANDARD')!.app, { findings: () => ({ packs: [], open: [] }) }))).toEqual(expectedStandard);
  });

  test('REGULATED: the reserved concurrency the author set is listed too', () => {
    const changes = runtimeChanges(buildReport(hardened.get('REGULATED')!.app, { findings: () => ({ packs: [], open: [] }) }));
    for (const fn of ['Shop/CreateOrder', 'Shop/GetOrder', 'Shop/Projector', 'Shop/Pager', 'Shop/Reconcile']) {
      expect(changes[fn]).toEqual([concurrency, ...(expectedStandard as Record<string, unknown[]>)[fn]]);
    }
  });

  test('in a brought VPC, functions keep their network, and the report says what else changed', () => {
    const changes = runtimeChanges(buildReport(hardened.get('STANDARD in a brought VPC')!.app, { findings: () => ({ packs: [], open: [] }) }));
    expect(changes['Shop/CreateOrder']).toEqual([LOG_FORMAT]);
    expect(changes['Shop/Projector']).toEqual([LOG_FORMAT, STREAM]);
  });

  test('synth shows each change as an info message on the resource', () => {
    const stack = hardened.get('STANDARD')!.stack as Stack;
    const infos = Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('changed how')).map((info) => `${info.id}: ${info.entry.data}`);
    const mixinOf: Record<string, string> = { 'Shop/Api/DefaultStage': 'HttpApiHardening', 'Shop/Escalation': 'StateMachineHardening', 'Shop/Nightly': 'ScheduleHardening' };
    const expected = Object.entries(expectedStandard).flatMap(([path, changes]) => changes.map((change) => typeof change === 'string'
      ? `/${path}/Resource: ${mixinOf[path] ?? 'FunctionHardening'} changed how ${path} runs: ${change}`
      : expect.stringMatching(new RegExp(`^/${path}/Resource: ${mixinOf[path] ?? 'FunctionHardening'} changed how ${path} runs: `))));
    expect(infos).toEqual(expect.arrayContaining(expected));
    expect(infos).toHaveLength(expected.length);
  });

  test('the Markdown report has a section for them, and the event-source changes are under "Hardened in place" too', () => {
    const report = buildReport(hardened.get('STANDARD')!.app, { findings: () => ({ packs: [], open: [] }) });
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('### How hardened resources now run');
    expect(markdown).toContain(`- \`Shop/Pager\` (FunctionHardening):\n  - ${LOG_FORMAT}`);
    const hardenedEntries = report.stages.flatMap((stage) => stage.stacks.flatMap((stack) => stack.hardened));
    expect(hardenedEntries).toContainEqual({
      path: expect.stringMatching(/^Shop\/Projector\/DynamoDBEventSource:/),
      mixin: 'FunctionHardening',
      changes: expect.arrayContaining([expect.stringMatching(/^failures reported per item \(ReportBatchItemFailures\)/),
        'a failing batch is split in two and each half retried (BisectBatchOnFunctionError)']),
    });
    expect(report.summary.runtimeChangedResources).toBe(Object.keys(expectedStandard).length);
  });

  test('a function pointed at an internet URL that the mixin places in the VPC gets a warning naming FunctionOutsideVpc, and synth goes on', () => {
    const plain = plainHttpApiApp();
    Mixins.of(plain.app).apply(new ServerlessHardening());
    const warnings = Annotations.fromStack(plain.stack).findWarning('/Shop/Pager', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toEqual([
      `Shop/Pager: WEBHOOK_URL is ${PAGER_WEBHOOK}, on the internet, which the function cannot reach from the private subnets FunctionHardening `
      + 'places it in (only the VPC endpoints its role needs): if it calls that URL, apply FunctionOutsideVpc(reason) to it before the hardening, '
      + 'e.g. fn.with(new FunctionOutsideVpc(\'calls hooks.example.com on the internet\')) [ack: cdk-secure-serverless:internetUrl]',
    ]);
    // The functions that call AWS only are not warned about, and the decided pager is not either.
    expect(Annotations.fromStack(plain.stack).findWarning('*', Match.stringLikeRegexp('on the internet'))).toHaveLength(1);
    expect(Annotations.fromStack(hardened.get('STANDARD')!.stack).findWarning('*', Match.stringLikeRegexp('on the internet'))).toHaveLength(0);
    expect(Template.fromStack(plain.stack).findResources('AWS::Lambda::Function')).toBeDefined();
  });

  test('the synth line of the security report says how many resources run differently, and where to read how', () => {
    const app = hardenedHttpApiApp(ComplianceProfile.STANDARD, 'none').app;
    Validations.of(app).addPlugins(new SecurityReport());
    const lines: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => lines.push(String(chunk)) > 0);
    try {
      app.synth();
    } finally {
      write.mockRestore();
    }
    const line = lines.join('').split('\n').find((l) => l.includes('security report'));
    expect(line).toMatch(new RegExp(`\\d+ resources hardened in place \\(${Object.keys(expectedStandard).length} of them run differently: `
      + 'see "How hardened resources now run"\\)'));
  });

  test('each change is recorded once, however often the mixin is applied', () => {
    const twice = hardenedHttpApiApp(ComplianceProfile.STANDARD, 'none');
    Mixins.of(twice.app).apply(new ServerlessHardening());
    Template.fromStack(twice.stack);
    const records = hardeningRecords(twice.functions.Projector.node.defaultChild!).map((r) => r.change);
    expect(records.length).toBe(new Set(records).size);
    expect(runtimeChanges(buildReport(twice.app, { findings: () => ({ packs: [], open: [] }) }))).toEqual(expectedStandard);
  });
});
