import { CfnDeletionPolicy, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { recordHardening } from './changes';

export { checkHardeningProps, hardeningBaseline, isLibraryOwned, markMadeByMixin } from './hardening-scope';

/**
 * The L2 whose default child `resource` is, when it is one of `type`: a mixin
 * adds to a resource policy through it, so applying to the L2 or to its
 * default child gives one policy.
 */
export function ownerOf<T extends IConstruct>(resource: CfnResource, type: abstract new (...args: any[]) => T): T | undefined {
  const scope = resource.node.scope;
  return scope instanceof type && scope.node.defaultChild === resource ? scope : undefined;
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
