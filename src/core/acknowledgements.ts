import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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

/** What a grant names: the actions, the resources and the conditions. */
export interface AcknowledgedGrantProps {
  readonly actions: string[];
  readonly resourceArns: string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/** The id of the customer-managed policy, under a grantee's role, that holds the library's acknowledged grants. */
const LIBRARY_GRANTS = 'LibraryGrants';

/**
 * Grants `props` to `grantee` from a customer-managed policy of the library's own,
 * attached to the grantee's role (`<role>/LibraryGrants`), and records each
 * acknowledgement (id and reason) on that policy: the wildcard is in the nature of the
 * resource the library grants, and the acknowledgement covers only the
 * statements the library wrote there. The role's own policies, where the app's
 * statements land (`addToRolePolicy`, `grant*`), carry no acknowledgement, so a
 * statement of the app with the same wildcard is still a finding.
 *
 * A grantee whose principal is no role of the app (an account or a service)
 * gets the grant as aws-cdk-lib writes it: it has no policy in the app.
 */
export function grantAcknowledged(
  grantee: IGrantable, props: AcknowledgedGrantProps, acknowledgements: readonly LibraryAcknowledgement[],
): iam.Grant {
  const role = grantee.grantPrincipal as Partial<iam.IRole> & Partial<IConstruct>;
  if (!role.node || typeof role.roleArn !== 'string' || typeof role.roleName !== 'string') {
    return iam.Grant.addToPrincipal({ grantee, ...props });
  }
  const scope = role as iam.IRole;
  const policy = (scope.node.tryFindChild(LIBRARY_GRANTS) as iam.ManagedPolicy | undefined)
    ?? new iam.ManagedPolicy(scope, LIBRARY_GRANTS, {
      description: `Grants cdk-secure-serverless wrote for ${scope.node.path}, on resources whose ARNs end in a wildcard by nature`,
      roles: [scope],
    });
  for (const { id, reason } of acknowledgements) acknowledgeFinding(policy, id, reason);
  return iam.Grant.addToPrincipal({ grantee: { grantPrincipal: new PolicyPrincipal(scope, policy) }, ...props });
}

/** The grantee's principal, with statements added to one given policy. */
class PolicyPrincipal extends iam.PrincipalBase {
  constructor(private readonly principal: iam.IPrincipal, private readonly policy: iam.ManagedPolicy) {
    super();
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.principal.policyFragment;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  public dedupeString(): string | undefined {
    return undefined;
  }
}
