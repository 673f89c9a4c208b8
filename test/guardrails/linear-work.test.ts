process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { RULES } from '../../src/guardrails/rules/catalog';
import { ServerlessSecurityChecks } from '../../src/guardrails/serverless-security-checks';
import { ENV } from '../core/fixtures';
import { describeWork, nonLinear, secureUnits, workBySize } from '../core/linear-work';

/** One stack: logical ids are per stack, so a quadratic step within a template would hide in many small stacks. */
function appOf(units: number): App {
  const app = new App();
  secureUnits(new Stack(app, 'Units', { env: ENV }), units);
  app.synth();
  return app;
}

/**
 * GIVEN apps of 1, 2 and 3 units of the library's constructs
 * WHEN the pack validates each
 * THEN every rule, and the index the rules share, does the same work for each
 * unit added: counted per resource handled (evaluations, and the resources each
 * evaluation reads through the index), not timed.
 */
describe('ServerlessSecurityChecks work as the app grows', () => {
  const work = workBySize([1, 2, 3], appOf, (app) => new ServerlessSecurityChecks().validateScope(app));

  test('each unit adds the same work to every rule and to the index', () => {
    // eslint-disable-next-line no-console
    console.log(`ServerlessSecurityChecks, handlings at 1, 2 and 3 units:\n${describeWork(work)}`);
    expect(describeWork(nonLinear(work))).toEqual('');
  });

  test('every rule of the pack was evaluated, so each is covered', () => {
    const evaluated = work.filter(({ step }) => step.startsWith('rule:')).map(({ step }) => step.slice('rule:'.length));
    expect(evaluated.sort()).toEqual(RULES.map((definition) => definition.rule.name).sort());
  });

  test('the index renders each resource once and visits each construct once', () => {
    const index = work.find(({ step }) => step === 'rules:index')!;
    // Once when the walk passes it, once when it is rendered.
    expect(index.mostPerConstruct).toEqual([2, 2, 2]);
  });
});
