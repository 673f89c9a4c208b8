process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, IPolicyValidationPlugin, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildFixture, tempOutdir } from './fixture';
import { SecureFunction } from '../../src/function/secure-function';
import { Guardrails } from '../../src/guardrails/guardrails';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecurityReportDocument } from '../../src/report/schema';
import { SecurityReport } from '../../src/report/security-report';
import { CODE, ENV, HANDLER } from '../core/fixtures';

/** Runs `action` with stderr (and console.error, where CDK prints warnings) captured. */
function captureStderr(action: () => void): string {
  const chunks: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
    chunks.push(String(chunk));
    return true;
  });
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    action();
  } finally {
    write.mockRestore();
    error.mockRestore();
  }
  return chunks.join('');
}

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
      { pack: 'ServerlessSecurity', observed: true, open: 0, acknowledged: expect.any(Number) },
      { pack: 'AwsSolutions', observed: true, open: 0, acknowledged: expect.any(Number) },
      { pack: 'Serverless', observed: true, open: 0, acknowledged: expect.any(Number) },
    ]);
    expect(stderr).toMatch(/, 0 open findings in 3 packs\n$/);
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
    expect(readReport(outdir).summary.findings).toContainEqual({ pack: 'Stub Pack', observed: true, open: 1, acknowledged: 1 });
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
      expect(stderr).toMatch(/the security report was not updated: .*security-report\.json and .*security-report\.md are left from an earlier synth/);
    });
  });
});
