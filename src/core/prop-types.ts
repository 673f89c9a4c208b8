import { Duration, Token } from 'aws-cdk-lib';
import { invalidProp } from './errors';

/** A check of one prop's value, with what is allowed, for the error message. */
export interface PropCheck {
  readonly test: (value: unknown) => boolean;
  readonly allowed: string;
}

function check(allowed: string, test: (value: unknown) => boolean): PropCheck {
  return { allowed, test };
}

function hasMembers(value: unknown, members: readonly string[]): boolean {
  return typeof value === 'object' && value !== null && members.every(member => member in value);
}

/**
 * Checks of the kind of a prop's value. JavaScript callers can pass anything, and
 * a value of the wrong kind would otherwise surface as a TypeError deep inside
 * aws-cdk-lib or as a template CloudFormation rejects at deploy time.
 */
export const kinds = {
  /** A string of `min` to `max` characters matching `pattern` (tokens pass). */
  string(max: number, pattern?: RegExp, what?: string, min = 1): PropCheck {
    return check(what ?? `a string of ${min} to ${max} characters`, value => typeof value === 'string'
      && (Token.isUnresolved(value) || (value.length >= min && value.length <= max && (!pattern || pattern.test(value)))));
  },
  /** Any string; the construct checks its content with a more specific message. */
  text: check('a string', value => typeof value === 'string'),
  boolean: check('true or false', value => typeof value === 'boolean'),
  duration: check('a Duration, e.g. Duration.seconds(30)', value => value instanceof Duration),
  /** An instance of `type`, named `name` in the message. */
  instance(type: { prototype: object }, name: string): PropCheck {
    return check(name, value => typeof value === 'object' && value !== null && type.prototype.isPrototypeOf(value));
  },
  /** An object with these members: how a jsii interface is recognized. */
  implementing(name: string, ...members: string[]): PropCheck {
    return check(name, value => hasMembers(value, members));
  },
  /** An array whose items all pass `item`. */
  arrayOf(item: PropCheck): PropCheck {
    return check(`a list of ${item.allowed}`, value => Array.isArray(value) && value.every(item.test));
  },
  /** A plain object (a struct). */
  struct(name: string): PropCheck {
    return check(name, value => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype);
  },
  /** One of `values` (an enum's values). */
  oneOf(name: string, values: readonly unknown[]): PropCheck {
    return check(`one of ${name}: ${values.map(v => JSON.stringify(v)).join(', ')}`, value => values.includes(value));
  },
};

/** The checks of a props struct, by prop name; undefined values are not checked. */
export type PropChecks = { readonly [prop: string]: PropCheck };

/** Throws our error for the first prop whose value is not of its kind. */
export function checkPropKinds(path: string, props: object | undefined, checks: PropChecks): void {
  if (props === undefined) return;
  if (typeof props !== 'object' || props === null) invalidProp(path, 'props', props, 'an object of props');
  for (const [prop, propCheck] of Object.entries(checks)) {
    const value = (props as Record<string, unknown>)[prop];
    if (value !== undefined && !propCheck.test(value)) invalidProp(path, prop, value, propCheck.allowed);
  }
}

/** Common interface kinds. */
export const interfaces = {
  key: kinds.implementing('a kms.IKey', 'keyArn', 'grantEncryptDecrypt'),
  logGroup: kinds.implementing('a logs.ILogGroup', 'logGroupArn', 'logGroupName'),
  vpc: kinds.implementing('an ec2.IVpc', 'vpcId', 'selectSubnets'),
  topic: kinds.implementing('an sns.ITopic', 'topicArn', 'grantPublish'),
};
