process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { mostly, propertyRuns } from './runners';
import { HttpApiAuthorization } from '../../src/api/http-api-authorization';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { compliantUserPool, ENV, handler } from '../api/support';

/**
 * Over generated route tables of a SecureHttpApi, building the API either throws
 * our error or the app synthesizes with zero findings under STANDARD (our pack,
 * AwsSolutions, Serverless; the Control Tower guard rules run once at the end over
 * a sample of the apps that synthesized). No other exception type is allowed.
 */

const NUM_RUNS = 60;
const GUARD_SAMPLE = 8;

type AuthKind = 'default' | 'iam' | 'cognito' | 'lambdaToken' | 'lambdaRequest' | 'none';

/** A generated route, kept as plain data so fast-check can print and shrink it. */
interface GeneratedRoute {
  readonly method: string;
  readonly path: string;
  readonly authorization: AuthKind;
  readonly reason: string;
  readonly throttling?: { rateLimit?: number; burstLimit?: number };
}

interface Generated {
  readonly routes: GeneratedRoute[];
  readonly defaultAuthorization: AuthKind;
  readonly cors?: string[];
}

const method = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'ANY', 'get') },
  { weight: 1, arbitrary: fc.constantFrom('OPTIONS', 'FETCH', '') },
);
const segment = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('orders', 'items', 'v1', '{id}', '{id}', '{orderId}', '{proxy+}') },
  { weight: 1, arbitrary: fc.constantFrom('', 'with space', '{}') },
);
const path = fc.array(segment, { maxLength: 3 }).map(parts => `/${parts.join('/')}`);
const reason = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('public status page', 'open data set') },
  { weight: 1, arbitrary: fc.string({ maxLength: 2 }) },
);
const throttling = mostly(
  fc.integer({ min: 0, max: 100 }).chain(rate => fc.record({
    rateLimit: fc.constant(rate),
    burstLimit: fc.integer({ min: rate, max: rate + 200 }),
  }, { requiredKeys: [] })),
  fc.record({ rateLimit: fc.integer({ min: -10, max: 500 }), burstLimit: fc.double({ min: 0, max: 500, noNaN: true }) }, { requiredKeys: [] }),
  10,
);

const generated: fc.Arbitrary<Generated> = fc.record({
  routes: fc.array(fc.record({
    method,
    path,
    authorization: fc.constantFrom<AuthKind>('default', 'default', 'default', 'iam', 'cognito', 'lambdaToken', 'lambdaRequest', 'none'),
    reason,
    throttling,
  }, { requiredKeys: ['method', 'path', 'authorization', 'reason'] }), { minLength: 1, maxLength: 4 }),
  defaultAuthorization: fc.constantFrom<AuthKind>('default', 'default', 'iam', 'lambdaToken'),
  cors: mostly<string[]>(fc.constant(['https://app.example.com']), fc.constantFrom(['*'], []), 8),
}, { requiredKeys: ['routes', 'defaultAuthorization'] });

/** Builds the app; every call that takes user input (factories included) happens here. */
function buildApp(g: Generated): App {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const fn = handler(stack, 'Handler');
  const shared = new Map<string, HttpApiAuthorization>();
  const once = (key: string, create: () => HttpApiAuthorization): HttpApiAuthorization => {
    if (!shared.has(key)) shared.set(key, create());
    return shared.get(key)!;
  };
  const authorizer = () => (stack.node.tryFindChild('Authorizer') as ReturnType<typeof handler> | undefined) ?? handler(stack, 'Authorizer');
  const authorizationOf = (kind: AuthKind, why: string): HttpApiAuthorization | undefined => {
    switch (kind) {
      case 'default': return undefined;
      case 'iam': return HttpApiAuthorization.iam();
      case 'none': return HttpApiAuthorization.none(why);
      case 'cognito': return once(kind, () => {
        const pool = compliantUserPool(stack, 'Users');
        return HttpApiAuthorization.cognito(pool, [pool.addClient('Web')], ['orders/read']);
      });
      case 'lambdaToken': return once(kind, () => HttpApiAuthorization.lambdaToken(authorizer()));
      case 'lambdaRequest': return once(kind, () => HttpApiAuthorization.lambdaRequest(authorizer(), ['$request.header.X-Token']));
    }
  };
  const api = new SecureHttpApi(stack, 'Api', {
    defaultAuthorization: authorizationOf(g.defaultAuthorization, 'unused'),
    cors: g.cors === undefined ? undefined : { allowOrigins: g.cors },
  });
  for (const r of g.routes) {
    api.addRoute(r.method, r.path, fn, { authorization: authorizationOf(r.authorization, r.reason), throttling: r.throttling });
  }
  return app;
}

describe('SecureHttpApi over generated route tables', () => {
  propertyRuns(generated, buildApp, { numRuns: NUM_RUNS, guardSample: GUARD_SAMPLE, what: 'HTTP API route tables' });
});
