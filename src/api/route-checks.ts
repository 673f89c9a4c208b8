import { Duration, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import type { ApiDomainOptions } from './secure-api';
import { checkDurationSeconds, invalidProp } from '../core/errors';

/** The HTTP methods API Gateway accepts, `ANY` included. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'ANY'];

const HOSTNAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const BASE_PATH = /^[A-Za-z0-9._-]{1,128}$/;
const LITERAL_SEGMENT = /^[A-Za-z0-9:._$-]+$/;
const VARIABLE_SEGMENT = /^\{([A-Za-z0-9._-]+)(\+?)\}$/;
const REQUEST_PARAMETER = /^method\.request\.(querystring|multivaluequerystring|header|multivalueheader|path)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const PATH_ALLOWED = 'a path starting with "/" whose segments are letters, digits and ":._$-", or a variable such as ' +
  '{id} (or {proxy+} as the last segment), e.g. "/orders/{id}"; "/" alone is the root';

/** A stage or route throttle, resolved. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** One segment of a route path. */
export interface PathSegment {
  readonly part: string;
  /** The variable name of `{name}` or `{name+}`. */
  readonly variable?: string;
}

/** Validates an HTTP method and returns it in upper case. */
export function checkHttpMethod(scope: IConstruct, method: unknown, corsPreflight: boolean): string {
  const allowed = HTTP_METHODS.filter(m => !(corsPreflight && m === 'OPTIONS'));
  const upper = typeof method === 'string' ? method.toUpperCase() : undefined;
  if (upper === undefined || !allowed.includes(upper)) {
    invalidProp(scope, 'method', method, `one of ${allowed.join(', ')}` +
      (corsPreflight && upper === 'OPTIONS' ? ' (OPTIONS is answered by the CORS preflight)' : ''));
  }
  return upper;
}

/** Validates a route path and returns its segments (none for the root). */
export function checkPath(scope: IConstruct, path: unknown): PathSegment[] {
  if (typeof path !== 'string' || Token.isUnresolved(path) || !path.startsWith('/')) invalidProp(scope, 'path', path, PATH_ALLOWED);
  if (path === '/') return [];
  const parts = path.slice(1).split('/');
  return parts.map((part, index) => {
    const variable = VARIABLE_SEGMENT.exec(part);
    if (variable) {
      if (variable[2] === '+' && index !== parts.length - 1) invalidProp(scope, 'path', path, PATH_ALLOWED);
      return { part, variable: variable[1] };
    }
    if (!LITERAL_SEGMENT.test(part)) invalidProp(scope, 'path', path, PATH_ALLOWED);
    return { part };
  });
}

/**
 * Validates a throttle; unset limits inherit `inherited`. The burst (the bucket
 * size, in requests) must hold at least one second of the rate.
 */
export function checkThrottle(
  scope: IConstruct,
  prop: string,
  settings: apigateway.ThrottleSettings | undefined,
  inherited: Throttle,
): Throttle | undefined {
  if (settings === undefined) return undefined;
  if (settings === null || typeof settings !== 'object') invalidProp(scope, prop, settings, 'a rateLimit and a burstLimit');
  const { rateLimit, burstLimit } = settings;
  if (rateLimit !== undefined && !Token.isUnresolved(rateLimit) && !(typeof rateLimit === 'number' && Number.isFinite(rateLimit) && rateLimit >= 0)) {
    invalidProp(scope, `${prop}.rateLimit`, rateLimit, 'a number of requests per second of at least 0');
  }
  if (burstLimit !== undefined && !Token.isUnresolved(burstLimit) && !(typeof burstLimit === 'number' && Number.isInteger(burstLimit) && burstLimit >= 0)) {
    invalidProp(scope, `${prop}.burstLimit`, burstLimit, 'a whole number of requests of at least 0');
  }
  const resolved = { rateLimit: rateLimit ?? inherited.rateLimit, burstLimit: burstLimit ?? inherited.burstLimit };
  if (!Token.isUnresolved(resolved.rateLimit) && !Token.isUnresolved(resolved.burstLimit) && resolved.burstLimit < resolved.rateLimit) {
    invalidProp(scope, `${prop}.burstLimit`, resolved.burstLimit, `at least the rate limit (${resolved.rateLimit} requests per second)`);
  }
  return resolved;
}

/** Validates declared request parameters. */
export function checkRequestParameters(scope: IConstruct, parameters: unknown): { [name: string]: boolean } | undefined {
  if (parameters === undefined) return undefined;
  const allowed = 'a map from method request parameters such as "method.request.querystring.page" or ' +
    '"method.request.header.X-Request-Id" to whether each is required';
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) invalidProp(scope, 'requestParameters', parameters, allowed);
  for (const [name, required] of Object.entries(parameters)) {
    if (!REQUEST_PARAMETER.test(name) || typeof required !== 'boolean') invalidProp(scope, `requestParameters.${name}`, required, allowed);
  }
  return { ...parameters as { [name: string]: boolean } };
}

/** Validates an optional cache time-to-live. */
export function checkCacheTtl(scope: IConstruct, prop: string, ttl: Duration | undefined): number | undefined {
  checkDurationSeconds(scope, prop, ttl, 0, 3600, '0 (no caching) to 3600 (1 hour)');
  return ttl?.toSeconds({ integral: false });
}

/** Validates CORS options: explicit origins, methods API Gateway knows, a 2xx status. */
export function checkCors(scope: IConstruct, cors: apigateway.CorsOptions | undefined): void {
  if (cors === undefined) return;
  if (cors === null || typeof cors !== 'object') invalidProp(scope, 'cors', cors, 'apigateway.CorsOptions with explicit allowOrigins');
  checkCorsOrigins(scope, cors.allowOrigins);
  const methods = cors.allowMethods;
  if (methods !== undefined && (!Array.isArray(methods) || methods.length === 0 ||
    methods.some(m => !HTTP_METHODS.includes(m)) || (methods.includes('ANY') && methods.length > 1))) {
    invalidProp(scope, 'cors.allowMethods', methods, `methods among ${HTTP_METHODS.filter(m => m !== 'ANY').join(', ')}, or ["ANY"] alone`);
  }
  if (cors.maxAge !== undefined && cors.disableCache) {
    invalidProp(scope, 'cors.disableCache', cors.disableCache, 'false when maxAge is set (they contradict each other)');
  }
  const status = cors.statusCode;
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 299)) {
    invalidProp(scope, 'cors.statusCode', status, 'a 2xx status code (browsers reject a preflight answered otherwise); 204 by default');
  }
}

/** Validates CORS origins: one or more, each explicit. */
export function checkCorsOrigins(scope: IConstruct, origins: unknown): void {
  if (!Array.isArray(origins) || origins.length === 0 || origins.some(origin => typeof origin !== 'string' || origin === '*' || origin.trim() === '')) {
    invalidProp(scope, 'cors.allowOrigins', origins,
      'one or more explicit origins such as "https://app.example.com" (a wildcard lets every web page call the API from its users\' browsers)');
  }
}

/** How method settings name a resource: `/~1orders~1{id}`; the root is `/`. */
export function methodSettingPath(resourcePath: string): string {
  return resourcePath === '/' ? '/' : `/~1${resourcePath.slice(1).split('/').join('~1')}`;
}

/** Validates custom domain options; a PRIVATE API takes none. */
export function checkDomain(scope: IConstruct, domain: ApiDomainOptions | undefined, isPrivate: boolean): void {
  if (domain === undefined) return;
  if (domain === null || typeof domain !== 'object') invalidProp(scope, 'domain', domain, 'ApiDomainOptions with a domainName and a certificate');
  if (isPrivate) invalidProp(scope, 'domain', domain.domainName, 'undefined for a PRIVATE API (a custom domain applies to a REGIONAL API)');
  if (typeof domain.domainName !== 'string' || (!Token.isUnresolved(domain.domainName) && !HOSTNAME.test(domain.domainName))) {
    invalidProp(scope, 'domain.domainName', domain.domainName, 'a lower-case DNS name such as "api.example.com"');
  }
  if (!domain.certificate || typeof domain.certificate.certificateArn !== 'string') {
    invalidProp(scope, 'domain.certificate', domain.certificate, `an ACM certificate for ${domain.domainName} in the API's region, e.g. acm.Certificate.fromCertificateArn(...)`);
  }
  if (domain.basePath !== undefined && (typeof domain.basePath !== 'string' || !BASE_PATH.test(domain.basePath))) {
    invalidProp(scope, 'domain.basePath', domain.basePath, 'letters, digits, ".", "_" and "-" (1 to 128), without slashes');
  }
}
