import { ComplianceProfile } from '../core/profile';
/** Properties shared by every hardening mixin. */
export interface HardeningProps {
  /**
   * The compliance bar to harden to. Used when the stack has no SecurityBaseline yet; a stack whose baseline has another profile is our error.
   *
   * @default - the stack's SecurityBaseline profile, else the profile given to Guardrails.enforce, else ComplianceProfile.STANDARD
   */
  readonly profile?: ComplianceProfile;
}
