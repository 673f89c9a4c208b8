process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, IPolicyValidationPlugin, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildFixture, captureStderr, tempOutdir } from './fixture';
import { SecureFunction } from '../../src/function/secure-function';
import { Guardrails } from '../../src/guardrails/guardrails';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecurityReportDocument } from '../../src/report/schema';
import { SecurityReport } from '../../src/report/security-report';
import { CODE, ENV, HANDLER } from '../core/fixtures';

function readReport(outdir: string): SecurityReportDocument {
  return JSON.parse(fs.readFileSync(path.join(outdir, SecurityReport.JSON_FILE), 'utf-8'));
}

describe('Guardrails.enforce', () => {
  test('registers the SecurityReport last; report: false leaves it out', () => {
    const plugins = Guardrails.enforce(new App());
    expect(plugins.map((plugin) => plugin.name)).toEqual(['ServerlessSecurity', 'AwsSolutions', 'Serverless', 'SecurityReport']);
    expect(plugins[3]).toBeInstanceOf(SecurityReport);
    expect(Guardrails.enforce(new App(), { report: false }).map((plugin) => plugin.name)).toEqual(['ServerlessSecurity', 'AwsSolutions', 'Serverless']);
  });

  test('the report counts the open findings of every pack it registers', () => {
    // GIVEN a clean app under the guardrails
    const outdir = tempOutdir();
    const app = new App({ outdir });
    Guardrails.enforce(app);
    const stack = new Stack(app, 'Orders', { env: ENV });
    new SecureQueue(stack, 'Queue').addConsumer(new SecureFunction(stack, 'Worker', { code: CODE, handler: HANDLER }));

    // WHEN
    const stderr = captureStderr(() => app.synth());

    // THEN every pack ran before the report, and none left a finding open
    expect(readReport(outdir).summary.findings.slice(0, 3)).toEqual([
      { pack: 'ServerlessSecurity', ran: true, observed: true, open: 0, acknowledged: expect.any(Number), failsSynth: false },
      { pack: 'AwsSolutions', ran: true, observed: true, open: 0, acknowledged: expect.any(Number), failsSynth: false },
      { pack: 'Serverless', ran: true, observed: true, open: 0, acknowledged: expect.any(Number), failsSynth: false },
    ]);
    expect(stderr).toMatch(/, 0 open findings in 3 packs\n$/);
  });

  test('a failed synth prints the report line once, saying the synth fails, and the report counts the open findings', () => {
    // GIVEN a plain queue, which AwsSolutions and Serverless flag
    const outdir = tempOutdir();
    const app = new App({ outdir });
    Guardrails.enforce(app);
    new sqs.Queue(new Stack(app, 'S', { env: ENV }), 'Plain');

    // WHEN
    let failure: unknown;
    const stderr = captureStderr(() => {
      try {
        app.synth();
      } catch (e) {
        failure = e;
      }
    });

    // THEN
    expect(String(failure)).toMatch(/ValidationFailed|Validation failed/);
    const lines = stderr.split('\n').filter((line) => line.includes('security report'));
    expect(lines).toEqual([expect.stringMatching(/: the synth fails on the open findings of AwsSolutions, Serverless; .*, [1-9]\d* open findings in 3 packs$/)]);
    const { findings } = readReport(outdir).summary;
    expect(findings.filter((pack) => pack.failsSynth).map((pack) => [pack.pack, pack.open! > 0])).toEqual([['AwsSolutions', true], ['Serverless', true]]);
    expect(fs.readFileSync(path.join(outdir, SecurityReport.MARKDOWN_FILE), 'utf-8')).toContain('**This synth fails** on the open findings of AwsSolutions, Serverless');
  });

  describe('with aws-cdk-lib\'s template validation on', () => {
    // GIVEN the guardrails registered while CDK_VALIDATION is not `false`, WHEN a clean app is synthesized
    const outdir = tempOutdir();
    let plugins: IPolicyValidationPlugin[] = [];
    let stderr = '';
    beforeAll(() => {
      delete process.env.CDK_VALIDATION;
      try {
        const app = new App({ outdir });
        plugins = Guardrails.enforce(app);
        const stack = new Stack(app, 'Orders', { env: ENV });
        new SecureFunction(stack, 'Worker', { code: CODE, handler: HANDLER });
        stderr = captureStderr(() => app.synth());
      } finally {
        process.env.CDK_VALIDATION = 'false';
      }
    }, 300_000);

    test('registers it just before the report, so that it runs once and the report observes it', () => {
      expect(plugins.map((plugin) => plugin.name).slice(-2)).toEqual(['CloudFormation Validate', 'SecurityReport']);
      expect(readReport(outdir).summary.findings).toContainEqual(
        { pack: 'CloudFormation Validate', ran: true, observed: true, open: 0, acknowledged: expect.any(Number), failsSynth: false });
      expect(stderr.split('\n').filter((line) => line.includes('security report'))).toEqual([expect.stringMatching(/0 open findings in 4 packs$/)]);
    });

    test('labels the acknowledgements aws-cdk-lib records for it as aws-cdk-lib', () => {
      const report = readReport(outdir);
      const acknowledgements = report.stages.flatMap((stage) => stage.stacks.flatMap((stack) => stack.acknowledgements));
      expect(acknowledgements.filter((ack) => ack.rule.startsWith('CloudFormation-Validate::')).map((ack) => ack.by)).toEqual(
        expect.arrayContaining(['aws-cdk-lib']));
      expect(acknowledgements.filter((ack) => ack.by === 'user')).toEqual([]);
      expect(report.summary.userAcknowledgements).toBe(0);
    });
  });
});

describe('SecurityReport', () => {
  test('counts open findings after the acknowledgements CDK core applies', () => {
    // GIVEN a pack that reports two findings, the second acknowledged in CDK core's `Pack::Rule` form
    const outdir = tempOutdir();
    const app = new App({ outdir });
    const stack = new Stack(app, 'S', { env: ENV });
    new sqs.CfnQueue(stack, 'Queue');
    const resource = { resourceLogicalId: 'Queue', templatePath: 'S.template.json', locations: [] };
    const pack: IPolicyValidationPlugin = {
      name: 'Stub Pack',
      validate: () => ({
        success: true,
        violations: [
          { ruleName: 'Stub-One', description: 'one', severity: 'warning', violatingResources: [resource] },
          { ruleName: 'Stub-Two', description: 'two', severity: 'warning', violatingResources: [resource, resource] },
        ],
      }),
    };
    Validations.of(stack).acknowledge({ id: 'Stub-Pack::Stub-Two', reason: 'filtered by CDK core' });
    Validations.of(app).addPlugins(pack, new SecurityReport(app, { plugins: [pack] }));

    // WHEN
    captureStderr(() => app.synth());

    // THEN
    expect(readReport(outdir).summary.findings).toContainEqual({ pack: 'Stub Pack', ran: true, observed: true, open: 1, acknowledged: 1, failsSynth: false });
  });

  test('never fails the synth: a report it cannot write is explained on stderr', () => {
    const app = new App({ outdir: tempOutdir() });
    fs.rmSync(app.outdir, { recursive: true });
    let result: any;
    const stderr = captureStderr(() => {
      result = new SecurityReport().validate({ templatePaths: [], appConstruct: app } as any);
    });
    expect(result).toEqual({ success: true, violations: [] });
    expect(stderr).toMatch(/^cdk-secure-serverless: the security report was not written: ENOENT/);
    const withoutApp = captureStderr(() => {
      result = new SecurityReport().validate({ templatePaths: [] } as any);
    });
    expect(result).toEqual({ success: true, violations: [] });
    expect(withoutApp).toMatch(/does not pass the app to validation plugins/);
  });

  test('reads the synthesized templates instead of rendering each resource again', () => {
    // GIVEN a synthesized app (without a REST API, whose deployment renders the API to name itself)
    const outdir = tempOutdir();
    const app = new App({ outdir });
    const stack = new Stack(app, 'S', { env: ENV });
    new SecureQueue(stack, 'Queue').addConsumer(new SecureFunction(stack, 'Worker', { code: CODE, handler: HANDLER }));
    const assembly = app.synth();
    const render = jest.spyOn(CfnResource.prototype as any, '_toCloudFormation');
    captureStderr(() => new SecurityReport().validate({
      templatePaths: assembly.stacksRecursively.map((artifact) => artifact.templateFullPath),
      appConstruct: app,
    } as any));
    expect(render).not.toHaveBeenCalled();
    render.mockRestore();
    // One function of the app; the default-security-group closer is counted apart.
    expect(readReport(outdir).summary).toMatchObject({ functions: 1, deployTimeHelpers: 1 });
  });

  test('reports only the stacks of the templates it is asked to validate', () => {
    const outdir = tempOutdir();
    const app = buildFixture(outdir);
    const assembly = app.synth();
    captureStderr(() => new SecurityReport().validate({
      templatePaths: assembly.stacks.map((stack) => stack.templateFullPath),
      appConstruct: app,
    } as any));
    expect(readReport(outdir).stages.flatMap((stage) => stage.stacks.map((stack) => stack.path))).toEqual(['Shop']);
  });

  describe('a second synth into the same directory', () => {
    /** Synthesizes the fixture, then a smaller app into the same directory. */
    function synthTwice(report: (app: App) => SecurityReport): { outdir: string; stderr: string } {
      const outdir = tempOutdir();
      const first = buildFixture(outdir);
      Validations.of(first).addPlugins(report(first));
      captureStderr(() => first.synth());
      const second = new App({ outdir });
      new sqs.Queue(new Stack(second, 'Shop', { env: ENV }), 'Only');
      Validations.of(second).addPlugins(report(second));
      return { outdir, stderr: captureStderr(() => second.synth()) };
    }

    test('replaces the report when the report was given the app', () => {
      const { outdir, stderr } = synthTwice((app) => new SecurityReport(app));
      expect(readReport(outdir).summary.functions).toBe(0);
      expect(stderr).toMatch(/security report .* 0 functions/);
    });

    test('without the app, leaves the earlier report and says so, and the synth still succeeds', () => {
      const { outdir, stderr } = synthTwice(() => new SecurityReport());
      expect(readReport(outdir).summary.functions).toBe(6);
      expect(stderr).toMatch(/the security report was not updated: .*security-report\.json, .*security-report\.md and .*security-report\.sarif are left from an earlier synth/);
    });
  });
});
