import { Mixin } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps, isLibraryManaged } from './hardening-scope';
import { managedInsteadOfInline } from './managed-instead-of-inline';

const MIXIN = 'InlinePolicyHardening';

/**
 * Turns a plain inline policy (`iam.Policy`, including the `DefaultPolicy` that
 * aws-cdk-lib grants write to) into a customer-managed policy with the same
 * document, attached to the same roles, users and groups.
 *
 * HIPAA, NIST 800-53 R5 and PCI DSS flag inline policies; a customer-managed
 * policy attached to the same principals grants exactly the same. The document
 * is shared, so statements added later (a grant after the mixin ran) land in the
 * managed policy too, and whatever depended on the inline policy now depends on
 * the managed one, which takes its place in the construct tree.
 *
 * @example
 * Mixins.of(this).apply(new InlinePolicyHardening());
 */
export class InlinePolicyHardening extends Mixin {
  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
  }

  public supports(construct: IConstruct): boolean {
    return construct instanceof iam.Policy && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (this.supports(construct)) managedInsteadOfInline(construct as iam.Policy, MIXIN);
  }
}
