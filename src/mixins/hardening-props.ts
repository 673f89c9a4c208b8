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

/** Properties of FunctionHardening. */
export interface FunctionHardeningProps extends HardeningProps {
  /**
   * The reserved concurrency to set on each function that has neither reserved
   * nor provisioned concurrency: at most this many executions of the function run
   * at once, and each reserved execution is taken from the account's regional
   * pool (1,000 by default, of which 100 must stay unreserved), whether the
   * function uses it or not.
   *
   * A function that already has reserved or provisioned concurrency keeps it.
   * In the REGULATED profile (HIPAA and NIST 800-53 require a reserved
   * concurrency) a function with neither, and no value here, is our error.
   *
   * @default - concurrency is left as the app set it: unreserved functions share the account's pool
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly reservedConcurrency?: number;
}
