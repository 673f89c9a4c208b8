import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../app';

describe('the orders service under the guardrails', () => {
  // GIVEN the app exactly as `cdk synth` builds it, guardrails and report included
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-'));
  const app = buildApp(new App({ outdir }));

  // WHEN it is synthesized (any unacknowledged finding would throw under jest)
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackByName('OrdersService').template);

  test('has the API routes, the table, the queue worker and the secret', () => {
    template.resourceCountIs('AWS::ApiGateway::Method', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  test('writes the security report beside the template', () => {
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'security-report.json'), 'utf8'));
    expect(report.summary).toBeDefined();
    expect(fs.readFileSync(path.join(outdir, 'security-report.md'), 'utf8')).toContain('```mermaid');
  });
});
