import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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

  test('uploaded proofs of payment notify the payments queue, encrypted with the key, without a helper function or a cycle', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: {
        QueueConfigurations: [{
          Event: 's3:ObjectCreated:*',
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'proofs/' }, { Name: 'suffix', Value: '.pdf' }] } },
          Queue: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Payments'), 'Arn'] },
        }],
      },
    });
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('a nightly schedule invokes the key check at 02:00 UTC, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      Target: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CheckPaymentKey'), 'Arn'] }, DeadLetterConfig: { Arn: Match.anyValue() } },
    });
  });

  test('writes the security report beside the template', () => {
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'security-report.json'), 'utf8'));
    expect(report.summary).toBeDefined();
    expect(fs.readFileSync(path.join(outdir, 'security-report.md'), 'utf8')).toContain('```mermaid');
  });
});
