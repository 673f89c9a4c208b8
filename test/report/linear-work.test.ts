process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { tempOutdir } from './fixture';
import { renderMarkdown } from '../../src/report/markdown';
import { buildReport } from '../../src/report/report-builder';
import { ENV } from '../core/fixtures';
import { describeWork, nonLinear, secureUnits, workBySize } from '../core/linear-work';

/** One synthesized stack: logical ids are per template, so a quadratic step within one would hide in many small stacks. */
function synthesizedApp(units: number): App {
  const app = new App({ outdir: tempOutdir() });
  secureUnits(new Stack(app, 'Units', { env: ENV }), units);
  app.synth();
  return app;
}

/**
 * GIVEN synthesized apps of 1, 2 and 3 units of the library's constructs
 * WHEN the report is built for each (JSON and Markdown)
 * THEN each unit adds the same work: the walk of the tree, the template index
 * and every lookup of a resource, counted per resource handled, not timed.
 */
test('each unit adds the same work to the report', () => {
  const work = workBySize([1, 2, 3], synthesizedApp, (app) => {
    const report = buildReport(app, { findings: () => ({ packs: [], open: [] }) });
    renderMarkdown(report);
  });

  // eslint-disable-next-line no-console
  console.log(`SecurityReport, handlings at 1, 2 and 3 units:\n${describeWork(work)}`);
  expect(work.map(({ step }) => step)).toEqual(['report']);
  expect(describeWork(nonLinear(work))).toEqual('');
});
