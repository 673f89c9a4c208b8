/**
 * The compliance bar a stack is built to.
 */
export enum ComplianceProfile {
  /**
   * Our pack, AwsSolutions, Serverless and the AWS Control Tower proactive controls.
   */
  STANDARD = 'STANDARD',
  /**
   * STANDARD plus HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1: backups,
   * customer-managed policies instead of inline ones, encrypted API caches and more.
   */
  REGULATED = 'REGULATED',
}

const DEFAULT_PROFILE = Symbol.for('cdk-secure-serverless.defaultProfile');

/**
 * Records the profile every SecurityBaseline under `scope` uses unless it is given one.
 * Called by `Guardrails.enforce`.
 */
export function setDefaultProfile(scope: object, profile: ComplianceProfile): void {
  (scope as any)[DEFAULT_PROFILE] = profile;
}

/** The nearest default profile set on `scope` or an ancestor, or STANDARD. */
export function defaultProfileOf(scope: { node: { scopes: object[] } }): ComplianceProfile {
  const scopes = scope.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const found = (scopes[i] as any)[DEFAULT_PROFILE];
    if (found) return found;
  }
  return ComplianceProfile.STANDARD;
}
