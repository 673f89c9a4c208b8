import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { StackLookup } from './hardening-pass';
import { FunctionHardeningProps, HardeningProps } from './hardening-props';
import { ApiGatewayAccount } from '../api/api-gateway-account';
import { SecureApi } from '../api/secure-api';
import { SecureHttpApi } from '../api/secure-http-api';
import { SecureWebAcl } from '../api/secure-web-acl';
import { SecurityBaseline } from '../baseline/security-baseline';
import { checkIntegerRange, invalidProp } from '../core/errors';
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

/** Constructs of this library: they and everything under them are hardened already. */
const LIBRARY_CONSTRUCTS: ReadonlyArray<abstract new (...args: any[]) => IConstruct> = [
  SecurityBaseline, SecureKey, PrivateNetwork, SecureApi, SecureHttpApi, SecureWebAcl, ApiGatewayAccount,
  SecureTable, SecureQueue, SecureTopic, SecureSecret, SecureBucket, SecureUserPool, SecureStateMachine, SecureSchedule,
];

/**
 * Whether `construct` is one of this library's constructs or lies under one:
 * a mixin leaves those untouched, since their defaults are already applied.
 */
export function isLibraryManaged(construct: IConstruct): boolean {
  return construct.node.scopes.some((scope) =>
    SecureFunction.isSecureFunction(scope) || LIBRARY_CONSTRUCTS.some((type) => scope instanceof type));
}

/** Checks a mixin's props, as a construct checks its own. */
export function checkHardeningProps(mixin: string, props: HardeningProps): void {
  if (props === null || typeof props !== 'object') invalidProp(mixin, 'props', props, 'an object (HardeningProps) or nothing');
  checkPropKinds(mixin, props, { profile: kinds.oneOf('ComplianceProfile', Object.values(ComplianceProfile)) });
}

/** Checks the props of a mixin that hardens functions (FunctionHardening, ServerlessHardening). */
export function checkFunctionHardeningProps(mixin: string, props: FunctionHardeningProps): void {
  checkHardeningProps(mixin, props);
  checkIntegerRange(mixin, 'reservedConcurrency', props.reservedConcurrency, 1, 1_000_000, 'executions');
}

/** The same symbol `SecurityBaseline.of` keeps the stack's baseline under. */
const BASELINE = Symbol.for('cdk-secure-serverless.SecurityBaseline');

/**
 * The baseline whose shared key, log defaults, network and backup plan harden
 * `construct`: the stack's, or one created with `props.profile` when the stack
 * has none yet. A baseline of another profile is our error: the mixin would
 * harden to one bar and the stack's own constructs to another.
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

const MADE_BY_MIXIN = Symbol.for('cdk-secure-serverless.madeByMixin');

/** Marks a construct a mixin created hardened (a dead-letter queue, a policy), so no mixin hardens it again. */
export function markMadeByMixin<T extends IConstruct>(construct: T): T {
  Object.defineProperty(construct, MADE_BY_MIXIN, { value: true });
  return construct;
}

/** Whether `construct` is one of the library's constructs or part of one, or was made hardened by a mixin. */
export function isLibraryOwned(construct: IConstruct): boolean {
  return isLibraryManaged(construct) || construct.node.scopes.some((scope) => (scope as any)[MADE_BY_MIXIN] === true);
}

/** The `AWS::IAM::Role` of this stack that a resource names by `roleArn` (`Fn::GetAtt [Role, Arn]`). */
export function cfnRoleNamedBy(resource: IConstruct, roleArn: unknown): iam.CfnRole | undefined {
  const stack = Stack.of(resource);
  const getAtt = (stack.resolve(roleArn) as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  if (!getAtt) return undefined;
  return StackLookup.of(stack).referring(iam.CfnRole, 'logicalId', c => c.logicalId, getAtt[0], 'equals')[0];
}

/**
 * The role a resource names by `roleArn` (a function's, a schedule target's), as
 * a construct of this stack that a policy can attach to: the L2 role when there
 * is one, else an import of the bare `CfnRole`.
 */
export function roleNamedBy(resource: IConstruct, roleArn: unknown): iam.IRole | undefined {
  const cfnRole = cfnRoleNamedBy(resource, roleArn);
  if (!cfnRole) return undefined;
  const parent = cfnRole.node.scope;
  if (parent instanceof iam.Role && parent.node.defaultChild === cfnRole) return parent;
  const id = `${cfnRole.node.id}Attachable`;
  return (cfnRole.node.scope!.node.tryFindChild(id) as iam.IRole | undefined)
    ?? iam.Role.fromRoleName(cfnRole.node.scope as Construct, id, cfnRole.ref, { mutable: false });
}
