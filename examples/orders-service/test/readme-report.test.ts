// As `npx projen example` runs it: aws-cdk-lib's template validation is one of the packs the report counts.
process.env.CDK_VALIDATION = 'true';

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../app';
import { marked, README_FILE, rewriteReadme } from '../readme-report';

function exampleFile(name: string): any {
  const file = path.join(__dirname, '..', name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

describe('the README\'s security-report line and excerpt', () => {
  // GIVEN the example app, synthesized as `npx projen example` does it: with the context the CLI gives it (the
  // example's cdk.json, when it has one, and cdk.context.json) instead of this test run's flag set, report included
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-readme-'));
  delete process.env.CDK_CONTEXT_JSON;
  buildApp(new App({ outdir, context: { ...exampleFile('cdk.json')?.context, ...exampleFile('cdk.context.json') } })).synth();
  const readme = fs.readFileSync(README_FILE, 'utf8');

  // WHEN the README's marked parts are rewritten from this run's report
  const rewritten = rewriteReadme(readme, outdir);

  test.each(['report-line', 'report-excerpt', 'example-stacks'])('%s is what the example produces now (run npx projen example to rewrite it)', (part) => {
    // THEN the README already says it
    expect(marked(readme, part)).toEqual(marked(rewritten, part));
  });

  test('the excerpt is the report\'s own text: its summary row is the report\'s', () => {
    const summary = fs.readFileSync(path.join(outdir, 'security-report.md'), 'utf8').split('\n').find(line => /^\| \d/.test(line));
    expect(summary).toBeDefined();
    expect(marked(readme, 'report-excerpt')).toContain(summary);
  });
});
