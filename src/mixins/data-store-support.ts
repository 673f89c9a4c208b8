import { CfnDeletionPolicy, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { HardeningProps } from './hardening-props';
import { SecureApi } from '../api/secure-api';
import { SecureHttpApi } from '../api/secure-http-api';
import { SecurityBaseline } from '../baseline/security-baseline';
import { invalidProp } from '../core/errors';
import { ComplianceProfile } from '../core/profile';
import { checkPropKinds, kinds } from '../core/prop-types';
import { SecureKey } from '../encryption/secure-key';
import { SecureFunction } from '../function/secure-function';
import { SecureUserPool } from '../identity/secure-user-pool';
import { SecureQueue } from '../messaging/secure-queue';
import { SecureTopic } from '../messaging/secure-topic';
import { PrivateNetwork } from '../network/private-network';
import { SecureSecret } from '../secrets/secure-secret';
import { SecureBucket } from '../storage/secure-bucket';
import { SecureTable } from '../table/secure-table';
import { SecureSchedule } from '../workflow/secure-schedule';
import { SecureStateMachine } from '../workflow/secure-state-machine';

/** The same symbol `SecurityBaseline.of` keeps the stack's baseline under. */
const BASELINE = Symbol.for('cdk-secure-serverless.SecurityBaseline');

/** Constructs the library builds hardened already: they and everything under them are left alone. */
const LIBRARY_CONSTRUCTS: ReadonlyArray<abstract new (...args: any[]) => IConstruct> = [
  SecurityBaseline, SecureKey, PrivateNetwork, SecureFunction, SecureTable, SecureQueue, SecureTopic, SecureSecret,
  SecureBucket, SecureUserPool, SecureApi, SecureHttpApi, SecureStateMachine, SecureSchedule,
];

const MADE_BY_MIXIN = Symbol.for('cdk-secure-serverless.madeByMixin');

/** Marks a construct a mixin created hardened (a dead-letter queue, a policy), so no mixin hardens it again. */
export function markMadeByMixin<T extends IConstruct>(construct: T): T {
  Object.defineProperty(construct, MADE_BY_MIXIN, { value: true });
  return construct;
}

/** Whether `construct` is one of the library's constructs or part of one, or was made hardened by a mixin. */
export function isLibraryOwned(construct: IConstruct): boolean {
  return construct.node.scopes.some(scope => (scope as any)[MADE_BY_MIXIN] === true || LIBRARY_CONSTRUCTS.some(type => scope instanceof type));
}

/**
 * The L2 whose default child `resource` is, when it is one of `type`: a mixin
 * adds to a resource policy through it, so applying to the L2 or to its
 * default child gives one policy.
 */
export function ownerOf<T extends IConstruct>(resource: CfnResource, type: abstract new (...args: any[]) => T): T | undefined {
  const scope = resource.node.scope;
  return scope instanceof type && scope.node.defaultChild === resource ? scope : undefined;
}

/** Checks the props of a hardening mixin, so a JavaScript caller gets our error rather than a TypeError later. */
export function checkHardeningProps(mixin: string, props: HardeningProps): void {
  checkPropKinds(mixin, props, { profile: kinds.oneOf('ComplianceProfile', Object.values(ComplianceProfile)) });
}

/**
 * The baseline whose shared key, log bucket and backup plan harden `construct`:
 * the stack's, or one created with `profile`. A stack whose baseline has another
 * profile than the one asked for is our error: the mixin would harden to one bar
 * and the stack's own constructs to another.
 */
export function hardeningBaseline(construct: IConstruct, mixin: string, props: HardeningProps): SecurityBaseline {
  const stack = Stack.of(construct);
  const existing = (stack as any)[BASELINE] as SecurityBaseline | undefined;
  if (existing) {
    if (props.profile !== undefined && props.profile !== existing.profile) {
      invalidProp(construct, `${mixin}.profile`, props.profile,
        `the profile of the stack's SecurityBaseline (${existing.profile}), or no profile: one stack is hardened to one bar`);
    }
    return existing;
  }
  return props.profile === undefined ? SecurityBaseline.of(stack) : new SecurityBaseline(stack, 'SecurityBaseline', { profile: props.profile });
}

/** The L1 resource a mixin hardens: the construct itself, or an L2's default child. */
export function resourceOf<T extends CfnResource>(construct: IConstruct, type: abstract new (...args: any[]) => T): T | undefined {
  if (construct instanceof type) return construct;
  const child = construct.node.defaultChild;
  return child instanceof type ? child : undefined;
}

/** Retains a stateful resource on stack deletion and on replacement, recording it when that is a change. */
export function retain(resource: CfnResource, mixin: string): void {
  const options = resource.cfnOptions;
  if (options.deletionPolicy === CfnDeletionPolicy.RETAIN && options.updateReplacePolicy === CfnDeletionPolicy.RETAIN) return;
  resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
  recordHardening(resource, mixin, 'retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain)');
}

/** Whether two values, tokens included, render the same in the template. */
export function sameValue(stack: Stack, a: unknown, b: unknown): boolean {
  return JSON.stringify(stack.resolve(a)) === JSON.stringify(stack.resolve(b));
}

/**
 * The TLS-only and owner-only statements a resource policy does not have yet:
 * a policy written with aws-cdk-lib's `enforceSSL`, or hardened before, keeps
 * the statements it has and gets no second copy.
 */
export function missingGuards(
  stack: Stack, document: iam.PolicyDocument | undefined, tls: iam.PolicyStatement, owner: iam.PolicyStatement,
): iam.PolicyStatement[] {
  const text = document ? JSON.stringify(stack.resolve(document.toJSON()) ?? {}) : '';
  return [
    ...text.includes('"aws:SecureTransport"') ? [] : [tls],
    ...text.includes('"aws:PrincipalAccount"') ? [] : [owner],
  ];
}
