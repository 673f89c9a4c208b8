process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { propertyRuns } from './runners';
import { ApiAuthorization } from '../../src/api/api-authorization';
import { SecureApi } from '../../src/api/secure-api';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { SecureTable } from '../../src/table/secure-table';

/**
 * Random apps mixing every construct, grant and route of the library: each
 * either throws our error or synthesizes with zero findings under STANDARD (the
 * Control Tower guard rules run once at the end over a sample). Nothing else.
 */

const NUM_RUNS = 300;
const GUARD_SAMPLE = 10;
const ENV = { account: '111111111111', region: 'eu-west-1' };
const CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })');

const reason = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('public status page', 'legacy partner key, rotated by hand') }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) });
const grant = fc.record({
  store: fc.nat(3),
  fn: fc.nat(2),
  kind: fc.constantFrom('read', 'write', 'readWrite', 'send', 'consume', 'publish', 'secret'),
});
const route = fc.record({
  method: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('FETCH', 'get') }),
  path: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('/orders', '/orders/{id}', '/status', '/items/{id}/notes') }, { weight: 1, arbitrary: fc.constantFrom('orders', '/bad path', '') }),
  fn: fc.nat(2),
  open: fc.option(reason, { nil: undefined, freq: 4 }),
});
const spec = fc.record({
  functions: fc.integer({ min: 1, max: 3 }),
  timeoutSeconds: fc.constantFrom(5, 10, 30),
  tables: fc.integer({ min: 0, max: 2 }),
  queue: fc.boolean(),
  topic: fc.boolean(),
  secretReason: fc.option(reason, { nil: undefined }),
  grants: fc.array(grant, { maxLength: 4 }),
  routes: fc.array(route, { maxLength: 3 }),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

function build(s: Spec): App {
  const app = new App();
  const stack = new Stack(app, 'Mixed', { env: ENV });
  const secret = s.secretReason === undefined ? undefined
    : new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.waiver(s.secretReason) });
  const functions = Array.from({ length: s.functions }, (_, i) => new SecureFunction(stack, `Fn${i}`, {
    code: CODE,
    handler: 'index.handler',
    timeout: Duration.seconds(s.timeoutSeconds),
    secrets: secret && i === 0 ? { API_KEY: secret } : undefined,
  }));
  const tables = Array.from({ length: s.tables }, (_, i) =>
    new SecureTable(stack, `Table${i}`, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }));
  const queue = s.queue ? new SecureQueue(stack, 'Queue') : undefined;
  const topic = s.topic ? new SecureTopic(stack, 'Topic') : undefined;
  for (const g of s.grants) {
    const fn = functions[g.fn % functions.length];
    const table = tables.length > 0 ? tables[g.store % tables.length] : undefined;
    if (g.kind === 'read') table?.grants.readItems(fn);
    if (g.kind === 'write') table?.grants.writeItems(fn);
    if (g.kind === 'readWrite') table?.grants.readWriteItems(fn);
    if (g.kind === 'send') queue?.grantSendMessages(fn);
    if (g.kind === 'consume') queue?.addConsumer(fn);
    if (g.kind === 'publish') topic?.grantPublish(fn);
    if (g.kind === 'secret') secret?.grantRead(fn);
  }
  if (s.routes.length > 0) {
    const api = new SecureApi(stack, 'Api');
    for (const r of s.routes) {
      api.addRoute(r.method, r.path, functions[r.fn % functions.length], {
        authorization: r.open === undefined ? undefined : ApiAuthorization.none(r.open),
      });
    }
  }
  return app;
}

describe('random apps of every construct, grant and route', () => {
  propertyRuns(spec, build, { numRuns: NUM_RUNS, guardSample: GUARD_SAMPLE, what: 'random apps', seed: 20261129 });
});
