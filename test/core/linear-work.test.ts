process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ENV } from './fixtures';
import { describeWork, nonLinear, secureUnits, StepWork, workBySize } from './linear-work';
import { constructsUnder, inWorkStep } from '../../src/core/work-count';

/** The aspects' work during synth (`app.synth()` runs them; the app is built beforehand, uncounted). */
function aspectWork(sizes: readonly number[], build: (size: number) => App): StepWork[] {
  return workBySize(sizes, build, (app) => app.synth());
}

describe('the aspects of the library\'s constructs, as the app grows', () => {
  test('each unit added to one stack adds the same work to every aspect', () => {
    // GIVEN one stack of 1, 2 and 3 units
    const work = aspectWork([1, 2, 3], (units) => {
      const app = new App();
      secureUnits(new Stack(app, 'Units', { env: ENV }), units);
      return app;
    });

    // THEN
    // eslint-disable-next-line no-console
    console.log(`aspects, handlings at 1, 2 and 3 units:\n${describeWork(work)}`);
    expect(work.map(({ step }) => step)).toEqual(['aspect:EventSourceDefaults', 'aspect:KeyFollowsAccess', 'aspect:KeyUse', 'aspect:NetworkPaths']);
    expect(describeWork(nonLinear(work))).toEqual('');
  });

  test('each stack added adds the same work to every aspect', () => {
    // GIVEN 1, 2 and 3 stacks of one unit each
    const work = aspectWork([1, 2, 3], (stacks) => {
      const app = new App();
      for (let i = 0; i < stacks; i++) secureUnits(new Stack(app, `Units${i}`, { env: ENV }), 1);
      return app;
    });

    // THEN
    // eslint-disable-next-line no-console
    console.log(`aspects, handlings at 1, 2 and 3 stacks:\n${describeWork(work)}`);
    expect(describeWork(nonLinear(work))).toEqual('');
  });
});

describe('counting work', () => {
  /** A step that walks the whole stack once for each queue, as a per-resource `findAll()` would. */
  function walkPerQueue(queues: number): App {
    const app = new App();
    const stack = new Stack(app, 'Queues');
    for (let i = 0; i < queues; i++) new sqs.Queue(stack, `Queue${i}`);
    return app;
  }

  test('tells a step that walks the tree once per resource from a linear one', () => {
    // GIVEN stacks of 1, 2 and 3 queues
    const work = workBySize([1, 2, 3], walkPerQueue, (app) => {
      const queues = constructsUnder(app).filter((c) => c instanceof sqs.CfnQueue);
      // WHEN one step walks once, and another once per queue
      inWorkStep('once', () => constructsUnder(app));
      inWorkStep('per queue', () => queues.forEach(() => constructsUnder(app)));
    });

    // THEN only the second is reported
    expect(nonLinear(work).map(({ step }) => step)).toEqual(['per queue']);
  });

  test('costs nothing and records nothing when no one counts', () => {
    // GIVEN an app, and no counting
    const app = walkPerQueue(1);

    // WHEN a step runs
    const result = inWorkStep('step', () => constructsUnder(app).length);

    // THEN it returns what it computed, and leaves no count behind for the next count
    expect(result).toBe(app.node.findAll().length);
    expect(workBySize([1], walkPerQueue, () => undefined)).toEqual([]);
  });
});
