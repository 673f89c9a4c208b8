import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { countsOf, evaluateApps, failuresOf } from './evaluate';
import { reportCounts } from './run-totals';

/**
 * The README's main example, as `cdk synth` builds it: every call path its
 * templates wire is allowed, every variant refused. Its `Uploads` notification
 * is the request S3 makes when the configuration is written (S3 tests the
 * destination then), so this also settles whether S3 accepts it.
 */
test('the orders service: every modeled call path is allowed, every variant refused', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require('../../examples/orders-service/app') as { buildApp: (app: App) => App };
  const app = buildApp(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'callpaths-')) }));
  const outcomes = await evaluateApps([app]);
  reportCounts('orders service', countsOf(outcomes));
  expect(failuresOf(outcomes)).toEqual([]);
  expect(outcomes.filter(o => o.request.factId === 'bucketToQueue').map(o => o.decision)).toEqual(['Allowed']);
}, 300_000);
