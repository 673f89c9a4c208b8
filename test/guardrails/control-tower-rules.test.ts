process.env.CDK_VALIDATION = 'false';

import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ENV } from './support';
import { ControlTowerChecks } from '../../src/guardrails/control-tower-checks';
import { bundledControlTowerRules, controlTowerRuleFiles } from '../../src/guardrails/control-tower-rules';

const RULES = bundledControlTowerRules();
const ALL_RULES = controlTowerRuleFiles(RULES, [path.join(os.tmpdir(), 'no-such-template.json')]);
const names = (files: readonly string[]) => files.map(file => path.parse(file).name);

/** A plain queue (no dead-letter queue) and a plain function (no VPC): both fail controls. */
function queueAndFunction(): { app: App; template: string } {
  const app = new App();
  const stack = new Stack(app, 'Plain', { env: ENV });
  new sqs.Queue(stack, 'Queue');
  new lambda.Function(stack, 'Fn', { code: lambda.Code.fromInline('exports.handler = async () => 1'), handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X });
  return { app, template: app.synth().getStackByName('Plain').templateFullPath };
}

describe('controlTowerRuleFiles', () => {
  const { app, template } = queueAndFunction();
  const selected = controlTowerRuleFiles(RULES, [template]);

  test('keeps the rules that name a resource type of the template, and leaves out the rest', () => {
    expect(names(selected)).toEqual(expect.arrayContaining(['ct-sqs-pr-1', 'ct-sqs-pr-2', 'ct-lambda-pr-3', 'ct-iam-pr-1']));
    expect(names(selected)).not.toContain('ct-s3-pr-1');
    expect(selected.length).toBeLessThan(ALL_RULES.length / 3);
  });

  test('an unreadable template keeps every bundled rule', () => {
    expect(ALL_RULES.length).toBeGreaterThan(200);
    expect(ALL_RULES.every(file => file.startsWith(RULES) && file.endsWith('.guard'))).toBe(true);
  });

  test('leaves out disabled rules by file name', () => {
    expect(names(controlTowerRuleFiles(RULES, [template], ['ct-sqs-pr-1']))).toEqual(names(selected).filter(name => name !== 'ct-sqs-pr-1'));
  });

  test('the selected rules report exactly the findings of every bundled rule', () => {
    const context = { templatePaths: [template], appConstruct: app } as any;
    const summary = (validator: CfnGuardValidator) => validator.validate(context).violations
      .map(v => `${v.ruleName} ${v.violatingResources.map(r => r.resourceLogicalId).sort().join(',')}`).sort();

    const all = summary(new CfnGuardValidator());
    const fromSelected = summary(new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: selected }));

    expect(fromSelected).toEqual(all);
    expect(all.some(line => line.startsWith('sqs_dlq_check'))).toBe(true);
  });
});

test('ControlTowerChecks passes a template no Control Tower rule applies to without running cfn-guard', () => {
  const app = new App();
  const stack = new Stack(app, 'Topics', { env: ENV });
  new sns.Topic(stack, 'Topic');
  const template = app.synth().getStackByName('Topics').templateFullPath;
  const validate = jest.spyOn(CfnGuardValidator.prototype, 'validate');

  const report = new ControlTowerChecks().validate({ templatePaths: [template], appConstruct: app } as any);

  expect(controlTowerRuleFiles(RULES, [template])).toEqual([]);
  expect(report).toEqual({ success: true, violations: [] });
  expect(validate).not.toHaveBeenCalled();
});
