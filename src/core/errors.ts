import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The one error type the library throws for bad input.
 *
 * The message names the construct path, the prop, the value received and
 * what is allowed, so a user can fix the call without reading our source.
 */
export class SecureServerlessError extends Error {
  public readonly constructPath: string;
  public readonly prop: string;

  constructor(constructPath: string, prop: string, message: string) {
    super(`${constructPath}: ${message}`);
    this.name = 'SecureServerlessError';
    this.constructPath = constructPath;
    this.prop = prop;
    Object.setPrototypeOf(this, SecureServerlessError.prototype);
  }
}

/** Renders a received value for an error message, tokens included. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return Token.isUnresolved(value) ? '<token>' : JSON.stringify(value);
  if (typeof value === 'number') return Token.isUnresolved(value) ? '<token>' : String(value);
  if (typeof value === 'object' && value && 'toSeconds' in value && typeof (value as any).toHumanString === 'function') {
    return (value as any).toHumanString();
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Throws our error: `<path>: invalid <prop>: received <value>; allowed: <allowed>`.
 */
export function invalidProp(scope: IConstruct | string, prop: string, value: unknown, allowed: string): never {
  const path = typeof scope === 'string' ? scope : scope.node.path || '<root>';
  throw new SecureServerlessError(path, prop, `invalid ${prop}: received ${describeValue(value)}; allowed: ${allowed}`);
}

/** Validates an optional integer range; unresolved tokens pass (checked at deploy). */
export function checkIntegerRange(
  scope: IConstruct | string,
  prop: string,
  value: number | undefined,
  min: number,
  max: number,
  unit = '',
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalidProp(scope, prop, value, `an integer from ${min} to ${max}${unit ? ' ' + unit : ''}`);
  }
}

/**
 * A reason is the price of weakening a default: it must say something.
 */
export function checkReason(scope: IConstruct | string, prop: string, reason: unknown): string {
  if (typeof reason !== 'string' || reason.trim().length < 3) {
    invalidProp(scope, prop, reason, 'a written reason of at least 3 characters explaining why the default is weakened');
  }
  return reason.trim();
}

/**
 * Validates an optional Duration as a whole number of seconds from `min` to `max`;
 * `range` words the bounds for the message, e.g. `0 to 3600 (1 hour)`. Tokens pass.
 */
export function checkDurationSeconds(
  scope: IConstruct | string, prop: string, duration: Duration | undefined, min: number, max: number, range: string,
): void {
  if (duration === undefined) return;
  const seconds = duration instanceof Duration ? duration.toSeconds({ integral: false }) : NaN;
  if (!Token.isUnresolved(seconds) && !(Number.isInteger(seconds) && seconds >= min && seconds <= max)) {
    invalidProp(scope, prop, duration, `a whole number of seconds from ${range}`);
  }
}
