process.env.CDK_VALIDATION = 'false';

import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { handler, newApiStack } from './support';
import { ApiAuthorization } from '../../src/api/api-authorization';
import { RouteOptions, SecureApi, SecureApiProps } from '../../src/api/secure-api';
import { SecureServerlessError } from '../../src/core/errors';
import { thrownBy } from '../core/fixtures';

const PATH_ALLOWED = 'a path starting with "/" whose segments are letters, digits and ":._$-", or a variable such as ' +
  '{id} (or {proxy+} as the last segment), e.g. "/orders/{id}"; "/" alone is the root';

function expectOurError(build: () => unknown, message: string): void {
  const error = thrownBy(build);
  expect(error).toBeInstanceOf(SecureServerlessError);
  expect(error.message).toBe(message);
}

describe('bad routes', () => {
  /** A fresh API with GET /orders/{id} and GET /orders already routed. */
  function routeOn(method: string, path: string, options?: RouteOptions, props: SecureApiProps = {}): () => unknown {
    return () => {
      const { stack } = newApiStack();
      const api = new SecureApi(stack, 'Api', props);
      const fn = handler(stack, 'Fn');
      api.addRoute('GET', '/orders/{id}', fn);
      api.addRoute('GET', '/orders', fn);
      api.addRoute(method, path, fn, options);
    };
  }

  test.each<[string, () => unknown, string]>([
    ['a method outside the standard set', routeOn('FETCH', '/a'),
      'S/Api: invalid method: received "FETCH"; allowed: one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, ANY'],
    ['OPTIONS on an API with CORS', routeOn('OPTIONS', '/a', {}, { cors: { allowOrigins: ['https://app.example.com'] } }),
      'S/Api: invalid method: received "OPTIONS"; allowed: one of GET, HEAD, POST, PUT, PATCH, DELETE, ANY (OPTIONS is answered by the CORS preflight)'],
    ['a path without a leading slash', routeOn('GET', 'orders'), `S/Api: invalid path: received "orders"; allowed: ${PATH_ALLOWED}`],
    ['a path with invalid characters', routeOn('GET', '/orders/<id>'), `S/Api: invalid path: received "/orders/<id>"; allowed: ${PATH_ALLOWED}`],
    ['a path with an empty segment', routeOn('GET', '/orders//items'), `S/Api: invalid path: received "/orders//items"; allowed: ${PATH_ALLOWED}`],
    ['a greedy variable before the last segment', routeOn('GET', '/files/{proxy+}/meta'),
      `S/Api: invalid path: received "/files/{proxy+}/meta"; allowed: ${PATH_ALLOWED}`],
    ['a duplicate route', routeOn('get', '/orders'),
      'S/Api: invalid path: received "/orders"; allowed: a method and path not already routed (GET /orders is)'],
    ['a second variable at the same level', routeOn('DELETE', '/orders/{orderId}'),
      'S/Api: invalid path: received "/orders/{orderId}"; allowed: one variable per path level: /orders/{id} is already routed, use {id} here too'],
    ['a negative route rate limit', routeOn('POST', '/orders', { throttling: { rateLimit: -1 } }),
      'S/Api: invalid throttling.rateLimit: received -1; allowed: a number of requests per second of at least 0'],
    ['a route burst under its rate', routeOn('POST', '/orders', { throttling: { rateLimit: 10, burstLimit: 5 } }),
      'S/Api: invalid throttling.burstLimit: received 5; allowed: at least the rate limit (10 requests per second)'],
    ['a route rate above the inherited burst', routeOn('POST', '/orders', { throttling: { rateLimit: 300 } }),
      'S/Api: invalid throttling.burstLimit: received 200; allowed: at least the rate limit (300 requests per second)'],
    ['a fractional burst', routeOn('POST', '/orders', { throttling: { burstLimit: 2.5 } }),
      'S/Api: invalid throttling.burstLimit: received 2.5; allowed: a whole number of requests of at least 0'],
    ['a bad request parameter', routeOn('POST', '/orders', { requestParameters: { page: true } }),
      'S/Api: invalid requestParameters.page: received true; allowed: a map from method request parameters such as "method.request.querystring.page" or ' +
      '"method.request.header.X-Request-Id" to whether each is required'],
    ['a cache TTL on a STANDARD API', routeOn('POST', '/orders', { cacheTtl: Duration.minutes(1) }),
      'S/Api: invalid cacheTtl: received 1 minute; allowed: undefined: only the stage of a REGULATED API has a cache'],
    ['a handler that is not a function', () => {
      const { stack } = newApiStack();
      new SecureApi(stack, 'Api').addRoute('GET', '/', {} as any);
    }, 'S/Api: invalid handler: received {}; allowed: a lambda.IFunction, such as a SecureFunction'],
    ['an authorization that is not an ApiAuthorization', routeOn('POST', '/orders', { authorization: 'NONE' as any }),
      'S/Api: invalid authorization: received "NONE"; allowed: an ApiAuthorization, e.g. ApiAuthorization.iam()'],
  ])('GIVEN %s WHEN it is added THEN our error names the API, the prop and what is allowed', (_name, build, message) => {
    expectOurError(build, message);
  });

  test('GIVEN a rejected route WHEN a valid one follows THEN the API is unchanged and accepts it', () => {
    const { stack } = newApiStack();
    const api = new SecureApi(stack, 'Api');
    const fn = handler(stack, 'Fn');
    thrownBy(() => api.addRoute('GET', '/a/{x}/<bad>', fn));

    api.addRoute('GET', '/a/{x}/ok', fn);
    expect(api.restApi.methods.map(m => `${m.httpMethod} ${m.resource.path}`)).toEqual(['GET /a/{x}/ok']);
  });
});

describe('bad API props', () => {
  function api(props: SecureApiProps): () => unknown {
    return () => {
      const { stack } = newApiStack();
      new SecureApi(stack, 'Api', props);
    };
  }

  test.each<[string, () => unknown, string]>([
    ['a negative stage rate limit', api({ throttling: { rateLimit: -1, burstLimit: 10 } }),
      'S/Api: invalid throttling.rateLimit: received -1; allowed: a number of requests per second of at least 0'],
    ['a stage burst under its rate', api({ throttling: { rateLimit: 500, burstLimit: 100 } }),
      'S/Api: invalid throttling.burstLimit: received 100; allowed: at least the rate limit (500 requests per second)'],
    ['a PRIVATE API whose network is a plain VPC', () => {
      const { stack } = newApiStack();
      const vpc = new ec2.Vpc(stack, 'Vpc');
      new SecureApi(stack, 'Api', { endpointType: apigateway.EndpointType.PRIVATE, network: vpc as any });
    }, 'S/Api: invalid network: received "S/Vpc"; allowed: a PrivateNetwork to host the execute-api interface endpoint of a PRIVATE API (by default the baseline\'s)'],
    ['a network for a REGIONAL API', () => {
      const { stack } = newApiStack();
      const { network } = new SecureApi(stack, 'Private', { endpointType: apigateway.EndpointType.PRIVATE }).baseline;
      new SecureApi(stack, 'Api', { network });
    }, 'S/Api: invalid network: received "S/SecurityBaseline/Network"; allowed: undefined for a REGIONAL API (a network applies to a PRIVATE API only)'],
    ['an edge-optimized API', api({ endpointType: apigateway.EndpointType.EDGE }),
      'S/Api: invalid endpointType: received "EDGE"; allowed: EndpointType.REGIONAL or EndpointType.PRIVATE ' +
      '(an edge-optimized API is served by a CloudFront distribution that a regional web ACL cannot protect)'],
    ['a custom domain without a certificate', api({ domain: { domainName: 'api.example.com' } as any }),
      'S/Api: invalid domain.certificate: received undefined; allowed: an ACM certificate for api.example.com in the API\'s region, e.g. acm.Certificate.fromCertificateArn(...)'],
    ['a custom domain with an invalid name', () => {
      const { stack } = newApiStack();
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:111111111111:certificate/1');
      new SecureApi(stack, 'Api', { domain: { domainName: 'API.example.com', certificate } });
    }, 'S/Api: invalid domain.domainName: received "API.example.com"; allowed: a lower-case DNS name such as "api.example.com"'],
    ['a custom domain on a PRIVATE API', () => {
      const { stack } = newApiStack();
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:111111111111:certificate/1');
      new SecureApi(stack, 'Api', { endpointType: apigateway.EndpointType.PRIVATE, domain: { domainName: 'api.example.com', certificate } });
    }, 'S/Api: invalid domain: received "api.example.com"; allowed: undefined for a PRIVATE API (a custom domain applies to a REGIONAL API)'],
    ['CORS for every origin', api({ cors: { allowOrigins: apigateway.Cors.ALL_ORIGINS } }),
      'S/Api: invalid cors.allowOrigins: received ["*"]; allowed: one or more explicit origins such as "https://app.example.com" ' +
      '(a wildcard lets every web page call the API from its users\' browsers)'],
    ['CORS answered with a redirect', api({ cors: { allowOrigins: ['https://app.example.com'], statusCode: 302 } }),
      'S/Api: invalid cors.statusCode: received 302; allowed: a 2xx status code (browsers reject a preflight answered otherwise); 204 by default'],
    ['CORS with ANY and another method', api({ cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['ANY', 'GET'] } }),
      'S/Api: invalid cors.allowMethods: received ["ANY","GET"]; allowed: methods among GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, or ["ANY"] alone'],
    ['an invalid stage name', api({ stageName: 'prod-1' }),
      'S/Api: invalid stageName: received "prod-1"; allowed: letters, digits and underscores (1 to 128)'],
    ['a default authorization that is not an ApiAuthorization', api({ defaultAuthorization: {} as any }),
      'S/Api: invalid defaultAuthorization: received {}; allowed: an ApiAuthorization, e.g. ApiAuthorization.iam()'],
  ])('GIVEN %s WHEN the API is created THEN our error names the API, the prop and what is allowed', (_name, build, message) => {
    expectOurError(build, message);
  });

  test('GIVEN none with an empty reason WHEN used as the default THEN our error is raised before the API exists', () => {
    expectOurError(() => api({ defaultAuthorization: ApiAuthorization.none('') })(),
      'ApiAuthorization.none: invalid reason: received ""; allowed: a written reason of at least 3 characters explaining why the default is weakened');
  });
});
