process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { captureStderr, tempOutdir } from './fixture';
import { SecureApi } from '../../src/api/secure-api';
import { SecureFunction } from '../../src/function/secure-function';
import { Guardrails } from '../../src/guardrails/guardrails';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { compareReports, renderChanges } from '../../src/report/changes';
import { SecurityChangesDocument, SecurityChangesEntity } from '../../src/report/changes-schema';
import { SecurityReportDocument } from '../../src/report/schema';
import { SecurityReport } from '../../src/report/security-report';
import { CODE, ENV, HANDLER } from '../core/fixtures';

const ACK_REASON = 'the legacy queue is drained by a batch job that keeps its own failure log';
const NO_CHANGE = {
  added: 0,
  removed: 0,
  changed: 0,
  routesLostAuthorization: 0,
  acknowledgementsAdded: 0,
  acknowledgementsRemoved: 0,
  waiversAdded: 0,
  waiversRemoved: 0,
};

/**
 * The shop: a reader behind `GET /orders`, a writer, a SecureQueue and a plain
 * legacy queue. The second version adds a grant (the writer may send to the
 * queue), a route (`POST /orders` to the writer) and an acknowledgement (on the
 * legacy queue). Guardrails run, and their open findings (the plain queue's)
 * are reported rather than thrown.
 */
function synthShop(version: 1 | 2, baseline?: string): { outdir: string; stderr: string } {
  const outdir = tempOutdir();
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  Guardrails.enforce(app, baseline ? { baseline } : {});
  const stack = new Stack(app, 'Shop', { env: ENV });
  const reader = new SecureFunction(stack, 'Reader', { code: CODE, handler: HANDLER });
  const writer = new SecureFunction(stack, 'Writer', { code: CODE, handler: HANDLER });
  const jobs = new SecureQueue(stack, 'Jobs');
  const legacy = new sqs.Queue(stack, 'Legacy', { enforceSSL: true });
  const api = new SecureApi(stack, 'Api');
  api.addRoute('GET', '/orders', reader);
  if (version === 2) {
    jobs.grantSendMessages(writer);
    api.addRoute('POST', '/orders', writer);
    Validations.of(legacy).acknowledge({ id: 'AwsSolutions-SQS3', reason: ACK_REASON });
  }
  return { outdir, stderr: captureStderr(() => app.synth()) };
}

function read(outdir: string, file: string): string {
  return fs.readFileSync(path.join(outdir, file), 'utf-8');
}

describe('security changes since a baseline', () => {
  // GIVEN the first version's report as the baseline
  const first = synthShop(1);
  const baseline = path.join(first.outdir, SecurityReport.JSON_FILE);
  // WHEN the second version is synthesized against it
  const second = synthShop(2, baseline);
  const changes: SecurityChangesDocument = JSON.parse(read(second.outdir, SecurityReport.CHANGES_JSON_FILE));
  const markdown = read(second.outdir, SecurityReport.CHANGES_MARKDOWN_FILE);
  const entity = (kind: string, entityPath: string): SecurityChangesEntity => {
    const found = changes.entities.find((candidate) => candidate.kind === kind && candidate.path === entityPath);
    if (!found) throw new Error(`no change to ${kind} ${entityPath}: ${changes.entities.map((e) => `${e.kind} ${e.path}`).join(', ')}`);
    return found;
  };
  const lines = (found: SecurityChangesEntity, section: string, side: 'added' | 'removed') =>
    found.sections.find((candidate) => candidate.section === section)?.[side] ?? [];

  test('the changes are the grant, the route and the acknowledgement with what the library derives from them, and nothing else', () => {
    expect(changes.entities.map((e) => [e.kind, e.path, e.status, e.sections.map((s) => s.section)])).toEqual([
      ['stack', 'Shop', 'changed', ['acknowledgements']],
      ['API', 'Shop/Api', 'changed', ['routes']],
      ['data store', 'Shop/Jobs', 'changed', ['writers']],
      ['function', 'Shop/Writer', 'changed', ['statements', 'invokers', 'network']],
    ]);
    expect(changes.summary).toEqual({ ...NO_CHANGE, changed: 3, acknowledgementsAdded: 2 });
    // The one line removed: the writer leaves the security group of functions that reach no endpoint for the one that reaches SQS.
    expect(changes.entities.flatMap((e) => e.sections.flatMap((s) => [...s.removed, ...s.changed.map((c) => c.field)]))).toEqual([
      'network / securityGroups: Shop/FunctionSecurityGroups/NetworkNoEndpoint (allowsAllOutbound false)',
    ]);
  });

  test('the grant: the queue\'s actions, the key use it needs, the SQS endpoint it opens, and the queue\'s new writer', () => {
    const writer = entity('function', 'Shop/Writer');
    const statements = lines(writer, 'statements', 'added');
    // In any order: @aws-cdk/aws-iam:minimizePolicies sorts a statement's actions.
    expect(statements.filter((line) => line.includes(' sqs:')).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']
      .map((action) => expect.stringMatching(new RegExp(`^statements: Allow ${action} on <Jobs\\w+\\.Arn> \\(Shop/WriterServiceRole/Policy\\)$`))));
    expect(statements.filter((line) => line.includes(' kms:')).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']
      .map((action) => expect.stringMatching(new RegExp(`^statements: Allow ${action} on <SecurityBaselineKey\\w+\\.Arn> when .*"kms:ViaService":"sqs\\.`))));
    expect(statements).toHaveLength(5);
    const network = lines(writer, 'network', 'added');
    expect(network).toEqual([
      expect.stringMatching(/^network \/ securityGroups: Shop\/FunctionSecurityGroups\/NetworkSqs \(allowsAllOutbound false, egress \[.*"ports":"443","destination":"Shop\/SecurityBaseline\/Network\/SqsEndpointSecurityGroup \(sqs endpoint\)"/),
      'network / reachableEndpoints: Shop/SecurityBaseline/Network/SqsEndpoint (service sqs, endpointType Interface)',
      ...['GetQueueAttributes', 'GetQueueUrl', 'SendMessage'].map((action) => `network / services: sqs:${action} through interface endpoint Shop/SecurityBaseline/Network/SqsEndpoint`),
    ]);
    expect(lines(entity('data store', 'Shop/Jobs'), 'writers', 'added')).toEqual(['writers: Shop/Writer']);
  });

  test('the route: the API\'s new route, and its handler\'s invoker with the permission API Gateway needs', () => {
    expect(lines(entity('API', 'Shop/Api'), 'routes', 'added')).toEqual([
      expect.stringMatching(/^routes: POST \/orders \(authorization AWS_IAM, .*handler Shop\/Writer/),
    ]);
    expect(lines(entity('function', 'Shop/Writer'), 'invokers', 'added')).toEqual([
      expect.stringMatching(/^invokers: api-route POST \/orders on Shop\/Api as apigateway\.amazonaws\.com from account 111111111111, permission arn:.*\/POST\/orders$/),
    ]);
  });

  test('the acknowledgement, with its reason, and the one the library records on the new IAM-authorized method', () => {
    expect(lines(entity('stack', 'Shop'), 'acknowledgements', 'added')).toEqual([
      `acknowledgements: AwsSolutions-SQS3 on Shop/Legacy (reason ${ACK_REASON}, by user)`,
      expect.stringMatching(/^acknowledgements: AwsSolutions-COG4 on Shop\/Api\/Resource\/Default\/orders\/POST \(reason .+, by library\)$/),
    ]);
  });

  test('security-changes.md is a section for a pull-request comment, and the synth prints one line', () => {
    expect(markdown).toMatch(/^## Security changes\n\nSince the baseline `.+security-report\.json` \(report schema 2\): 1 API, 1 data store, 1 function changed; 2 acknowledgements added\./);
    expect(markdown).toContain('**function `Shop/Writer`** changed');
    expect(markdown).toMatch(/^- invokers: \+ `api-route POST \/orders on Shop\/Api as apigateway\.amazonaws\.com from account 111111111111, permission arn:.*\/POST\/orders`$/m);
    expect(markdown).toContain(`- acknowledgements: + \`AwsSolutions-SQS3 on Shop/Legacy (reason ${ACK_REASON}, by user)\``);
    expect(second.stderr.split('\n').filter((line) => line.includes('security changes'))).toEqual([
      expect.stringMatching(/^cdk-secure-serverless: security changes since .+security-report\.json: 1 API, 1 data store, 1 function changed; 2 acknowledgements added \(.+security-changes\.md\)$/),
    ]);
  });

  test('compared with itself, the report has no change: an empty section, not a missing file', () => {
    const same = synthShop(2, path.join(second.outdir, SecurityReport.JSON_FILE));
    const document: SecurityChangesDocument = JSON.parse(read(same.outdir, SecurityReport.CHANGES_JSON_FILE));
    expect(document.entities).toEqual([]);
    expect(document.summary).toEqual(NO_CHANGE);
    expect(read(same.outdir, SecurityReport.CHANGES_MARKDOWN_FILE)).toMatch(/^## Security changes\n\nNo change since the baseline /);
    expect(same.stderr).toMatch(/security changes since .+: no change \(/);
  });

  describe('compared report by report', () => {
    const report: SecurityReportDocument = JSON.parse(read(second.outdir, SecurityReport.JSON_FILE));
    const copy = (): SecurityReportDocument => JSON.parse(JSON.stringify(report));
    const shop = (document: SecurityReportDocument) => document.stages[0].stacks.find((stack) => stack.path === 'Shop')!;

    test('a route that loses its authorization is called out', () => {
      const open = copy();
      (shop(open).apis[0].routes.find((route) => route.method === 'POST') as any).authorization = 'NONE';
      const document = compareReports(report, open, 'main.json');
      expect(document.summary.routesLostAuthorization).toBe(1);
      expect(document.entities).toEqual([{
        kind: 'API', path: 'Shop/Api', status: 'changed', sections: [{ section: 'routes', added: [], removed: [], changed: [{ field: 'routes[POST /orders].authorization', from: 'AWS_IAM', to: 'NONE' }] }],
      }]);
      expect(renderChanges(document)).toContain('**1 route lost its authorization:** `Shop/Api POST /orders`.');
    });

    test('statements split into one per action and resource (or merged, as minimizePolicies merges them) compare equal; a principal added to a key statement is one line', () => {
      const split = copy();
      for (const fn of shop(split).functions) {
        (fn as any).statements = fn.statements.flatMap((statement) => statement.actions.flatMap((action) => statement.resources
          .map((resource) => ({ ...statement, actions: [action], resources: [resource] }))));
      }
      const statements = (document: SecurityReportDocument) => shop(document).functions.flatMap((fn) => fn.statements).length;
      expect(statements(split)).toBeGreaterThan(statements(report));
      expect(compareReports(report, split, 'main.json').entities).toEqual([]);

      const widened = copy();
      const unconditioned = shop(widened).keys[0].allows.find((grant) => !grant.conditions)!;
      unconditioned.principals.push('arn:aws:iam::222222222222:root');
      const [change] = compareReports(report, widened, 'main.json').entities;
      expect(change).toEqual({
        kind: 'key',
        path: shop(widened).keys[0].path,
        status: 'changed',
        sections: [{ section: 'allows', added: unconditioned.actions.map((action) => `allows: arn:aws:iam::222222222222:root may ${action}`), removed: [], changed: [] }],
      });
    });

    test('a field the report gains later is compared too: key policy statements, one line per principal and action', () => {
      const withStatements = (principals: string[]): SecurityReportDocument => {
        const document = copy();
        (shop(document).keys[0] as any).statements = [{ effect: 'Allow', principals, actions: ['kms:Decrypt'], conditions: { StringEquals: { 'kms:ViaService': 's3' } } }];
        return document;
      };
      const [change] = compareReports(withStatements(['cloudfront.amazonaws.com']), withStatements(['cloudfront.amazonaws.com', '*']), 'main.json').entities;
      expect(change.sections).toEqual([{
        section: 'statements',
        added: ['statements: * may kms:Decrypt when {"StringEquals":{"kms:ViaService":"s3"}}'],
        removed: [],
        changed: [],
      }]);
    });

    test('a waiver and a hardened resource removed show as removed, with their reasons', () => {
      const before = copy();
      shop(before).waivers.push({ setting: 'network', value: 'outsideVpc', reason: 'calls a SaaS API', path: 'Shop/Reader' });
      shop(before).hardened.push({ path: 'Shop/Legacy', mixin: 'QueueHardening', changes: ['TLS-only queue policy'] });
      const document = compareReports(before, report, 'main.json');
      expect(document.summary).toMatchObject({ waiversRemoved: 1 });
      expect(document.entities).toEqual([{
        kind: 'stack',
        path: 'Shop',
        status: 'changed',
        sections: [
          { section: 'waivers', added: [], removed: ['waivers: network on Shop/Reader (value outsideVpc, reason calls a SaaS API)'], changed: [] },
          { section: 'hardened', added: [], removed: ['hardened: QueueHardening on Shop/Legacy (changes ["TLS-only queue policy"])'], changed: [] },
        ],
      }]);
    });

    test('a baseline of schema 1 is compared without the lists schema 2 added', () => {
      const old = copy();
      (old as any).schemaVersion = 1;
      for (const stack of old.stages.flatMap((stage) => stage.stacks)) delete (stack as any).userPools;
      const now = copy();
      shop(now).userPools.push({
        path: 'Shop/Users', logicalId: 'Users', mfa: 'ON', mfaMethods: [], signUp: 'administrators only', deletionProtection: true, removalPolicy: 'Retain', clients: [],
      });
      const document = compareReports(old, now, 'main.json');
      expect(document.entities).toEqual([]);
      expect(document.baseline).toEqual({ file: 'main.json', schemaVersion: 1, notCompared: ['userPools'] });
      expect(renderChanges(document)).toContain('The baseline has an older report schema: `userPools` are not compared');
    });
  });
});

describe('Guardrails.enforce baseline', () => {
  test('a baseline that cannot be read fails the synth, naming the prop, the value and what is allowed', () => {
    const app = new App({ outdir: tempOutdir() });
    Guardrails.enforce(app, { baseline: 'no-such-baseline.json' });
    new SecureQueue(new Stack(app, 'Shop', { env: ENV }), 'Jobs');
    expect(() => app.synth()).toThrow(
      /invalid baseline: received "no-such-baseline\.json", which cannot be read \(ENOENT\); allowed: the path of a security-report\.json that cdk-secure-serverless wrote at an earlier synth \(report schema 1 to 2\)/);
  });

  test('a file that is not a security report fails the synth', () => {
    const file = path.join(tempOutdir(), 'package.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'shop' }));
    const app = new App({ outdir: tempOutdir() });
    Guardrails.enforce(app, { baseline: file });
    new SecureQueue(new Stack(app, 'Shop', { env: ENV }), 'Jobs');
    expect(() => app.synth()).toThrow(/invalid baseline: received ".+package\.json", which is not a security report/);
  });

  test('a baseline needs the report', () => {
    expect(() => Guardrails.enforce(new App(), { baseline: 'security-report.json', report: false })).toThrow(
      '<root>: invalid baseline: received "security-report.json"; allowed: the path of a security-report.json of an earlier synth, with the report on');
  });
});
