import { Validations } from 'aws-cdk-lib';
import { IGrantable } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { checkReason } from './errors';

/** Metadata type under which the library records the acknowledgements it adds itself. */
export const LIBRARY_ACKNOWLEDGEMENT_METADATA = 'cdk-secure-serverless:acknowledgement';
/** Metadata type under which typed waivers (a weakened default with its reason) are recorded. */
export const WAIVER_METADATA = 'cdk-secure-serverless:waiver';

/** One acknowledgement the library added, as recorded in construct metadata. */
export interface LibraryAcknowledgement {
  readonly id: string;
  readonly reason: string;
  /**
   * Whose code raised the finding: `aws-cdk-lib` for a deploy-time helper that
   * aws-cdk-lib writes (its runtime, its grants), which the report then shows as
   * aws-cdk-lib's.
   *
   * @default - the library's own code
   */
  readonly raisedBy?: 'aws-cdk-lib';
}

/** One typed waiver, as recorded in construct metadata. */
export interface WaiverRecord {
  /** The setting that was weakened, e.g. `network` or `authorization`. */
  readonly setting: string;
  /** What it was weakened to, e.g. `outsideVpc` or `none`. */
  readonly value: string;
  readonly reason: string;
}

/**
 * Acknowledges exactly one finding id on `scope`, with its reason, and records
 * it as the library's own so the security report can list it.
 *
 * The plain `Rule[finding]` form is used: cdk-nag filters it for `scope` and its
 * children only. The `Pack::Rule` form is matched by CDK core against the whole
 * app, which would silence the same finding on the user's own resources.
 */
export function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
  scope.node.addMetadata(LIBRARY_ACKNOWLEDGEMENT_METADATA, { id, reason } satisfies LibraryAcknowledgement);
}

/**
 * Acknowledges exactly one finding id on `scope` that aws-cdk-lib's own code
 * raises (a deploy-time helper's runtime, network or grants), with its reason,
 * recorded so the security report lists it as aws-cdk-lib's.
 */
export function acknowledgeAwsCdkLibFinding(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
  scope.node.addMetadata(LIBRARY_ACKNOWLEDGEMENT_METADATA, { id, reason, raisedBy: 'aws-cdk-lib' } satisfies LibraryAcknowledgement);
}

/** Acknowledges each id with the same reason. */
export function acknowledgeFindings(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) acknowledgeFinding(scope, id, reason);
}

/** Records a typed waiver on `scope` so the report lists it with its reason. */
export function recordWaiver(scope: IConstruct, setting: string, value: string, reason: string): void {
  const checked = checkReason(scope, setting, reason);
  scope.node.addMetadata(WAIVER_METADATA, { setting, value, reason: checked } satisfies WaiverRecord);
}

/**
 * Acknowledges each id on the construct that holds a grantee's identity policy
 * (its principal, such as a role, or the grantee itself), where a grant wrote a
 * statement whose wildcard is in the nature of the resource. Does nothing for a
 * grantee that is no construct (an account or service principal has no policy
 * in the app).
 */
export function acknowledgeOnGrantee(grantee: IGrantable, ids: readonly string[], reason: string): void {
  const principal = grantee.grantPrincipal as Partial<IConstruct>;
  const scope = principal.node ? principal as IConstruct : (grantee as Partial<IConstruct>).node ? grantee as unknown as IConstruct : undefined;
  if (scope) acknowledgeFindings(scope, ids, reason);
}
