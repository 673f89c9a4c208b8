import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { CODE, HANDLER } from './fixtures';
import { SecureApi } from '../../src/api/secure-api';
import { countWorkOf, WorkCounts } from '../../src/core/work-count';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { SecureTable } from '../../src/table/secure-table';

/** The work of one step at each size: handlings in all, and the most any one construct got. */
export interface StepWork {
  readonly step: string;
  readonly totals: number[];
  readonly mostPerConstruct: number[];
}

/**
 * Counts the work `run` does on the app `build` makes at each size, per step.
 * Building the app is not counted (it is not the step under test); `run` is.
 */
export function workBySize<T>(sizes: readonly number[], build: (size: number) => T, run: (app: T) => void): StepWork[] {
  const counts: WorkCounts[] = sizes.map((size) => {
    const app = build(size);
    return countWorkOf(() => run(app));
  });
  const steps = new Set(counts.flatMap((count) => [...count.keys()]));
  return [...steps].sort().map((step) => ({
    step,
    totals: counts.map((count) => [...count.get(step)?.values() ?? []].reduce((sum, n) => sum + n, 0)),
    mostPerConstruct: counts.map((count) => Math.max(0, ...count.get(step)?.values() ?? [])),
  }));
}

/**
 * The steps whose work does not grow by the same amount for each added unit:
 * with sizes in equal steps, linear work has equal differences, while a step
 * that walks the app once per resource adds more with every unit.
 */
export function nonLinear(work: readonly StepWork[]): StepWork[] {
  return work.filter(({ totals }) => totals.slice(2).some((total, i) => total - totals[i + 1] !== totals[i + 1] - totals[i]));
}

/** One line per step, for a failure message and the test log. */
export function describeWork(work: readonly StepWork[]): string {
  return work.map(({ step, totals, mostPerConstruct }) =>
    `${step}: ${totals.join(', ')} handlings (at most ${mostPerConstruct.join(', ')} of one construct)`).join('\n');
}

/**
 * `units` units of an app built from the library's constructs in one stack:
 * each a table, a queue, a topic, a bucket and a secret that one function
 * reads, consumes, publishes to and is given, behind a route of the stack's
 * API, with a function URL. Together they meet every rule of our pack and
 * every aspect of the constructs.
 */
export function secureUnits(stack: Stack, units: number): void {
  const api = new SecureApi(stack, 'Api');
  for (let i = 0; i < units; i++) {
    const table = new SecureTable(stack, `Table${i}`, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const secret = new SecureSecret(stack, `Secret${i}`, { rotation: SecretRotationChoice.waiver('a partner rotates it on a schedule of its own') });
    const fn = new SecureFunction(stack, `Handler${i}`, { code: CODE, handler: HANDLER, environment: { TABLE_NAME: table.tableName }, secrets: { API_KEY: secret } });
    table.grants.readItems(fn);
    new SecureQueue(stack, `Queue${i}`).addConsumer(fn);
    new SecureTopic(stack, `Topic${i}`).grantPublish(fn);
    new SecureBucket(stack, `Bucket${i}`).objectGrants.readObjects(fn);
    fn.addFunctionUrl();
    api.addRoute('GET', `/items${i}`, fn);
  }
}
