import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { checkDurationSeconds, invalidProp } from '../core/errors';

/** An OAuth 2.0 scope (RFC 6749 section 3.3). */
const OAUTH_SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;

/** Checks the function behind a Lambda authorizer or a route. */
export function checkHandler(where: string, handler: unknown): void {
  if (!handler || typeof (handler as lambda.IFunction).functionArn !== 'string' || typeof (handler as lambda.IFunction).addPermission !== 'function') {
    invalidProp(where, 'handler', handler, 'a lambda.IFunction, such as a SecureFunction');
  }
}

/** Checks how long API Gateway may cache a Lambda authorizer's decision. */
export function checkResultsCacheTtl(where: string, ttl: Duration | undefined): Duration | undefined {
  checkDurationSeconds(where, 'resultsCacheTtl', ttl, 0, 3600, '0 to 3600 (1 hour)');
  return ttl;
}

/** Checks the OAuth scopes an access token must carry; undefined accepts tokens without scopes. */
export function checkScopes(where: string, scopes: unknown, whenUndefined: string): string[] | undefined {
  if (scopes === undefined) return undefined;
  if (!Array.isArray(scopes) || scopes.length === 0) {
    invalidProp(where, 'scopes', scopes, `a non-empty list of OAuth scopes, or undefined to ${whenUndefined}`);
  }
  for (const scope of scopes) {
    if (typeof scope !== 'string' || (!Token.isUnresolved(scope) && !OAUTH_SCOPE.test(scope))) {
      invalidProp(where, 'scopes', scope, 'OAuth scopes such as "orders/read": 1 to 256 printable characters without spaces, quotes or backslashes');
    }
  }
  return [...scopes];
}
