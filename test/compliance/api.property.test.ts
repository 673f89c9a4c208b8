process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as fc from 'fast-check';
import { mostly, propertyRuns } from './runners';
import { ApiAuthorization } from '../../src/api/api-authorization';
import { SecureApi } from '../../src/api/secure-api';
import { compliantUserPool, ENV, handler } from '../api/support';

/**
 * Over generated route tables and API options, building the API either throws our
 * error or the app synthesizes with zero findings under STANDARD (our pack,
 * AwsSolutions, Serverless; the Control Tower guard rules run once at the end over
 * a sample of the apps that synthesized). No other exception type is allowed.
 */

const NUM_RUNS = 300;
const GUARD_SAMPLE = 20;

type AuthKind = 'default' | 'iam' | 'cognito' | 'lambdaToken' | 'lambdaRequest' | 'none';

/** A generated route, kept as plain data so fast-check can print and shrink it. */
interface GeneratedRoute {
  readonly method: string;
  readonly path: string;
  readonly authorization: AuthKind;
  readonly reason: string;
  readonly throttling?: { rateLimit?: number; burstLimit?: number };
  readonly requestSchema: boolean;
  readonly cacheTtlSeconds?: number;
}

interface Generated {
  readonly routes: GeneratedRoute[];
  readonly defaultAuthorization: AuthKind;
  readonly defaultReason: string;
  readonly throttling?: { rateLimit?: number; burstLimit?: number };
  readonly cors?: { origins: string[]; statusCode?: number };
  readonly endpointType?: string;
  readonly domain?: { certificate: boolean };
  readonly allowTestInvoke?: boolean;
  readonly stageName?: string;
}


const method = fc.oneof(
  { weight: 24, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'ANY', 'get', 'post') },
  { weight: 1, arbitrary: fc.constantFrom('OPTIONS', 'FETCH', 'TRACE', '', 'GET ') },
);
const segment = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('orders', 'items', 'v1', 'a.b', 'x-y', '{id}', '{id}', '{orderId}', '{proxy+}') },
  { weight: 1, arbitrary: fc.constantFrom('', 'with space', '<id>', '{}', '{a+}x', 'ü') },
);
const path = fc.oneof(
  { weight: 20, arbitrary: fc.array(segment, { maxLength: 3 }).map(parts => `/${parts.join('/')}`) },
  { weight: 1, arbitrary: fc.constantFrom('orders', '', '//', '/orders/') },
);
const authorization = fc.constantFrom<AuthKind>('default', 'default', 'default', 'iam', 'cognito', 'lambdaToken', 'lambdaRequest', 'none');
const reason = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('public status page', 'health check for the load balancer', 'open data set') },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);
const throttling = mostly(
  fc.integer({ min: 0, max: 100 }).chain(rate => fc.record({
    rateLimit: fc.constant(rate),
    burstLimit: fc.integer({ min: rate, max: rate + 200 }),
  }, { requiredKeys: [] })),
  fc.record({
    rateLimit: fc.oneof(fc.integer({ min: -10, max: 500 }), fc.double({ min: -1, max: 500, noNaN: true })),
    burstLimit: fc.oneof(fc.integer({ min: -10, max: 500 }), fc.double({ min: 0, max: 500, noNaN: true })),
  }, { requiredKeys: [] }),
  12,
);

const route: fc.Arbitrary<GeneratedRoute> = fc.record({
  method,
  path,
  authorization,
  reason,
  throttling,
  requestSchema: fc.boolean(),
  cacheTtlSeconds: fc.oneof({ weight: 40, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 600 }) }),
}, { requiredKeys: ['method', 'path', 'authorization', 'reason', 'requestSchema'] });

const generated: fc.Arbitrary<Generated> = fc.record({
  routes: fc.array(route, { minLength: 1, maxLength: 4 }),
  defaultAuthorization: fc.constantFrom<AuthKind>('default', 'default', 'iam', 'cognito', 'lambdaToken', 'none'),
  defaultReason: reason,
  throttling: mostly(
    fc.record({ rateLimit: fc.integer({ min: 1, max: 100 }), burstLimit: fc.integer({ min: 100, max: 300 }) }),
    fc.record({ rateLimit: fc.integer({ min: -10, max: 500 }), burstLimit: fc.integer({ min: -10, max: 500 }) }),
    18,
  ),
  cors: mostly<{ origins: string[]; statusCode: number | undefined }>(
    fc.record({ origins: fc.constantFrom(['https://app.example.com'], ['https://a.example.com', 'https://b.example.com']), statusCode: fc.constantFrom(undefined, 200, 204) }),
    fc.record({ origins: fc.constantFrom(['*'], [], ['']), statusCode: fc.constantFrom(undefined, 302, 500) }),
    18,
  ),
  endpointType: mostly(fc.constantFrom('REGIONAL', 'PRIVATE'), fc.constant('EDGE'), 18),
  domain: mostly<{ certificate: boolean }>(fc.constant({ certificate: true }), fc.constant({ certificate: false }), 30),
  allowTestInvoke: fc.option(fc.boolean(), { nil: undefined }),
  stageName: mostly(fc.constantFrom('prod', 'v1', 'live_2'), fc.constantFrom('prod-1', '', 'a b'), 18),
}, { requiredKeys: ['routes', 'defaultAuthorization', 'defaultReason'] });

/** Builds the app; every call that takes user input (factories included) happens here. */
function buildApp(g: Generated): App {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const fn = handler(stack, 'Handler');
  const shared = new Map<string, ApiAuthorization>();
  const authorizationOf = (kind: AuthKind, why: string): ApiAuthorization | undefined => {
    switch (kind) {
      case 'default': return undefined;
      case 'iam': return ApiAuthorization.iam();
      case 'none': return ApiAuthorization.none(why);
      case 'cognito': return once(shared, kind, () => ApiAuthorization.cognito(compliantUserPool(stack, 'Users'), ['orders/read']));
      case 'lambdaToken': return once(shared, kind, () => ApiAuthorization.lambdaToken(authorizerOf(stack)));
      case 'lambdaRequest': return once(shared, kind, () => ApiAuthorization.lambdaRequest(authorizerOf(stack), [apigateway.IdentitySource.header('X-Token')]));
    }
  };
  const api = new SecureApi(stack, 'Api', {
    defaultAuthorization: authorizationOf(g.defaultAuthorization, g.defaultReason),
    throttling: g.throttling,
    cors: g.cors === undefined ? undefined : { allowOrigins: g.cors.origins, statusCode: g.cors.statusCode },
    endpointType: g.endpointType as apigateway.EndpointType | undefined,
    domain: g.domain === undefined ? undefined : {
      domainName: 'api.example.com',
      certificate: g.domain.certificate ? acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:111111111111:certificate/1') : undefined as any,
    },
    allowTestInvoke: g.allowTestInvoke,
    stageName: g.stageName,
  });
  for (const r of g.routes) {
    api.addRoute(r.method, r.path, fn, {
      authorization: authorizationOf(r.authorization, r.reason),
      throttling: r.throttling,
      requestSchema: r.requestSchema ? { type: apigateway.JsonSchemaType.OBJECT } : undefined,
      cacheTtl: r.cacheTtlSeconds === undefined ? undefined : Duration.seconds(r.cacheTtlSeconds),
    });
  }
  return app;
}

function once(cache: Map<string, ApiAuthorization>, key: string, create: () => ApiAuthorization): ApiAuthorization {
  if (!cache.has(key)) cache.set(key, create());
  return cache.get(key)!;
}

function authorizerOf(stack: Stack) {
  return (stack.node.tryFindChild('Authorizer') as ReturnType<typeof handler> | undefined) ?? handler(stack, 'Authorizer');
}

describe('SecureApi over generated route tables and options', () => {
  propertyRuns(generated, buildApp, { numRuns: NUM_RUNS, guardSample: GUARD_SAMPLE, what: 'route tables' });
});
