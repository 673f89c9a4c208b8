process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { captureStderr, tempOutdir } from './fixture';
import { buildApp } from '../../examples/orders-service/app';
import { Guardrails } from '../../src/guardrails/guardrails';
import { SecurityReportDocument } from '../../src/report/schema';
import { SecurityReport } from '../../src/report/security-report';
import { CODE, ENV, HANDLER } from '../core/fixtures';

/**
 * The SARIF 2.1.0 JSON schema (JSON Schema draft-04) as @microsoft/jest-sarif
 * ships it: `sarif-2.1.0-rtm.5.json`, from the OASIS SARIF technical
 * committee's releases. Read from the installed package; nothing is fetched.
 */
function sarifValidator() {
  const file = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(fs.readFileSync(file, 'utf-8'));
  // The schema's `language` pattern has a stray `]`, which only a non-unicode regular expression accepts.
  const ajv = new Ajv({ allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

const validate = sarifValidator();

interface Synthesized {
  readonly report: SecurityReportDocument;
  readonly sarif: any;
  readonly markdown: string;
}

function synth(app: App): Synthesized {
  captureStderr(() => app.synth());
  const read = (file: string) => fs.readFileSync(path.join(app.outdir, file), 'utf-8');
  return {
    report: JSON.parse(read(SecurityReport.JSON_FILE)),
    sarif: JSON.parse(read(SecurityReport.SARIF_FILE)),
    markdown: read(SecurityReport.MARKDOWN_FILE),
  };
}

/** The report's open findings and acknowledgements, as `<rule> on <construct>`, sorted. */
function reported(report: SecurityReportDocument): { open: string[]; acknowledged: string[] } {
  const stacks = report.stages.flatMap((stage) => stage.stacks);
  return {
    open: [...report.stages.flatMap((stage) => stage.openFindings), ...stacks.flatMap((stack) => stack.openFindings)]
      .map((finding) => `${finding.rule} on ${finding.path}`).sort(),
    acknowledged: [...report.stages.flatMap((stage) => stage.acknowledgements), ...stacks.flatMap((stack) => stack.acknowledgements)]
      .map((ack) => `${ack.rule} on ${ack.path}`).sort(),
  };
}

/** The SARIF log's results, open or suppressed, as `<ruleId> on <construct>`, sorted. */
function results(sarif: any): { open: string[]; acknowledged: string[] } {
  const all: any[] = sarif.runs[0].results;
  const name = (result: any) => `${result.ruleId} on ${result.properties.constructPath}`;
  return {
    open: all.filter((result) => !result.suppressions).map(name).sort(),
    acknowledged: all.filter((result) => result.suppressions).map(name).sort(),
  };
}

/** Results whose physical location is a line of this repository's TypeScript source. */
function inSource(sarif: any, file: string): any[] {
  return sarif.runs[0].results.filter((result: any) => {
    const location = result.locations[0].physicalLocation;
    return location?.artifactLocation.uriBaseId === 'SRCROOT' && location.artifactLocation.uri === file && location.region.startLine > 0;
  });
}

describe('security-report.sarif of the example app (acknowledgements only)', () => {
  // GIVEN the example app as `cdk synth` builds it, with aws-cdk-lib's construct creation traces (recorded unless turned off)
  const { report, sarif, markdown } = synth(buildApp(new App({ outdir: tempOutdir() })));

  test('is valid SARIF 2.1.0', () => {
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
    expect(sarif.version).toBe('2.1.0');
  });

  test('has one suppressed result per acknowledgement, with its reason as the justification, and no open result', () => {
    const expected = reported(report);
    expect(expected.open).toEqual([]);
    expect(expected.acknowledged.length).toBeGreaterThan(20);
    expect(results(sarif)).toEqual(expected);
    const acknowledgements = report.stages.flatMap((stage) => stage.stacks.flatMap((stack) => stack.acknowledgements));
    for (const result of sarif.runs[0].results) {
      const ack = acknowledgements.find((candidate) => candidate.rule === result.ruleId && candidate.path === result.properties.constructPath)!;
      expect(result.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: ack.reason }]);
      expect(result.properties.acknowledgedBy).toBe(ack.by);
    }
  });

  test('each result names its rule, whose help says what the rule checks', () => {
    const rules: any[] = sarif.runs[0].tool.driver.rules;
    for (const result of sarif.runs[0].results) expect(rules[result.ruleIndex].id).toBe(result.ruleId);
    const cog4 = rules.find((rule) => rule.id === 'AwsSolutions-COG4');
    expect(cog4.shortDescription.text).toBe('The API GW method does not use a Cognito user pool authorizer.');
    expect(cog4.help.text).toMatch(/^The API GW method does not use a Cognito user pool authorizer\.\n\nAPI Gateway validates the tokens/);
    const wildcard = rules.find((rule) => rule.id === 'ServerlessSecurity-LambdaPolicyWildcard[Resource::*]');
    expect(wildcard).toMatchObject({ name: 'ServerlessSecurity-LambdaPolicyWildcard', defaultConfiguration: { level: 'error' } });
    expect(wildcard.help.text).toMatch(/\n\nFix: Grant with the resource's own grant methods/);
    // HIPAA did not run in the STANDARD profile: its rules are named as waiting for it.
    expect(rules.find((rule) => rule.id === 'HIPAA.Security-SecretsManagerRotationEnabled').shortDescription.text)
      .toBe('HIPAA.Security-SecretsManagerRotationEnabled, a rule of HIPAA.Security, a pack that did not run in this synth: its acknowledgement waits for the pack to be turned on.');
  });

  test('each result has a logical location (stack, construct path, logical id), and creation traces give the line in the app\'s source', () => {
    const getOrder = sarif.runs[0].results.find((result: any) => result.ruleId === 'AwsSolutions-IAM5[Resource::*]'
      && result.properties.constructPath === 'OrdersService/GetOrderServiceRole/Policy');
    expect(getOrder.locations[0].logicalLocations).toEqual([
      { name: 'OrdersService', fullyQualifiedName: 'OrdersService', kind: 'module' },
      { name: expect.stringMatching(/^GetOrderServiceRolePolicy/), fullyQualifiedName: 'OrdersService/GetOrderServiceRole/Policy', kind: 'resource' },
    ]);
    // The line of app.ts that creates the GetOrder function, whose policy this is.
    const appSource = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'orders-service', 'app.ts'), 'utf-8').split('\n');
    const { region } = getOrder.locations[0].physicalLocation;
    expect(getOrder.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'examples/orders-service/app.ts', uriBaseId: 'SRCROOT' });
    expect(appSource[region.startLine - 1]).toContain("new SecureNodejsFunction(this, 'GetOrder'");
    expect(inSource(sarif, 'examples/orders-service/app.ts').length).toBeGreaterThan(sarif.runs[0].results.length / 2);
  });

  test('security-report.md lists the packs that ran, and the acknowledgements of the others as waiting, not as "not observed"', () => {
    expect(markdown).not.toContain('not observed');
    expect(markdown).toContain('| ServerlessSecurity | 0 |');
    expect(markdown).not.toMatch(/^\| HIPAA\.Security \|/m);
    // aws-cdk-lib's template validation is off in the tests (CDK_VALIDATION=false): it did not run either.
    expect(markdown).toMatch(/^Acknowledgements for packs that did not run in this synth: (CloudFormation-Validate \d+, )?ControlTower \d+, HIPAA\.Security \d+, NIST\.800\.53\.R5 \d+, PCI\.DSS\.321 \d+\. /m);
    expect(report.summary.findings.filter((pack) => !pack.ran).map((pack) => pack.pack)).toEqual(
      expect.arrayContaining(['ControlTower', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']));
  });
});

describe('security-report.sarif without creation traces', () => {
  test('points each result at its resource in the template instead', () => {
    // GIVEN the context that turns aws-cdk-lib's construct creation traces off
    const outdir = tempOutdir();
    const app = new App({ outdir, context: { 'aws:cdk:disable-creation-stack-traces': true } });
    Guardrails.enforce(app);
    const stack = new Stack(app, 'Shop', { env: ENV });
    const queue = new sqs.Queue(stack, 'Legacy', { enforceSSL: true });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'a batch job drains it' });
    Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'a batch job drains it' });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS4', reason: 'enforced by the queue policy' });

    // WHEN
    const { sarif } = synth(app);

    // THEN
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
    const template = fs.readFileSync(path.join(outdir, 'Shop.template.json'), 'utf-8').split('\n');
    const sqs3 = sarif.runs[0].results.find((result: any) => result.ruleId === 'AwsSolutions-SQS3');
    expect(sqs3.locations[0].physicalLocation.artifactLocation.uri).toMatch(/Shop\.template\.json$/);
    expect(template[sqs3.locations[0].physicalLocation.region.startLine - 1]).toMatch(new RegExp(`^ {2}"${sqs3.properties.logicalId}": \\{$`));
    expect(inSource(sarif, 'test/report/sarif.test.ts')).toEqual([]);
  });
});

describe('security-report.sarif of an app with open findings, reported rather than thrown', () => {
  // GIVEN plain resources under the guardrails, one of their findings acknowledged, and a synth that reports
  // its failures instead of throwing them (as the CLI does: @aws-cdk/core:failSynthOnValidationErrors false)
  const outdir = tempOutdir();
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  Guardrails.enforce(app);
  const stack = new Stack(app, 'Legacy', { env: ENV });
  const queue = new sqs.Queue(stack, 'Jobs');
  new lambda.Function(stack, 'Worker', { runtime: lambda.Runtime.NODEJS_22_X, code: CODE, handler: HANDLER, environment: { STAGE: 'prod' } });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'the producer retries and keeps its own failure log' });
  const { report, sarif, markdown } = synth(app);

  test('is valid SARIF 2.1.0', () => {
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
  });

  test('has one result per open finding and one suppressed result per acknowledgement, the same ids as the report', () => {
    const expected = reported(report);
    expect(expected.open.length).toBeGreaterThan(5);
    expect(expected.open).toEqual(expect.arrayContaining([
      'ServerlessSecurity-LambdaEnvironmentKey on Legacy/Worker',
      'Serverless-LambdaTracing on Legacy/Worker',
      'AwsSolutions-SQS4 on Legacy/Jobs',
    ]));
    expect(expected.acknowledged).toEqual(expect.arrayContaining(['AwsSolutions-SQS3 on Legacy/Jobs']));
    expect(results(sarif)).toEqual(expected);
    const counted = report.summary.findings.filter((pack) => pack.observed).reduce((sum, pack) => sum + pack.open!, 0);
    expect(sarif.runs[0].results.filter((result: any) => !result.suppressions)).toHaveLength(counted);
  });

  test('an open result has the level of its finding, a message, and the rule\'s help and fix', () => {
    const envKey = sarif.runs[0].results.find((result: any) => result.ruleId === 'ServerlessSecurity-LambdaEnvironmentKey');
    expect(envKey).toMatchObject({
      level: 'error',
      message: { text: 'The Lambda function has environment variables but no customer-managed KMS key for them. (ServerlessSecurity-LambdaEnvironmentKey on Legacy/Worker)' },
      properties: { pack: 'ServerlessSecurity', stack: 'Legacy', constructPath: 'Legacy/Worker', logicalId: expect.stringMatching(/^Worker/) },
    });
    expect(envKey.suppressions).toBeUndefined();
    const rule = sarif.runs[0].tool.driver.rules[envKey.ruleIndex];
    expect(rule.help.text).toContain('Fix: Pass `environmentEncryption:` a customer-managed key');
    // The physical location is the line of this test that creates the function.
    const source = fs.readFileSync(__filename, 'utf-8').split('\n');
    expect(envKey.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'test/report/sarif.test.ts', uriBaseId: 'SRCROOT' });
    expect(source[envKey.locations[0].physicalLocation.region.startLine - 1]).toContain("new lambda.Function(stack, 'Worker'");
  });

  test('security-report.md lists the open findings under their stack', () => {
    expect(markdown).toContain('### Open findings');
    expect(markdown).toMatch(/^\| `ServerlessSecurity-LambdaEnvironmentKey` \| `Legacy\/Worker` \| error \| ServerlessSecurity \| The Lambda function has environment variables/m);
    expect(markdown).toContain('**This synth fails** on the open findings of ServerlessSecurity, AwsSolutions, Serverless');
  });
});
