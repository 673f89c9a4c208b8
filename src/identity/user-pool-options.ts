import * as cognito from 'aws-cdk-lib/aws-cognito';
import { checkReason } from '../core/errors';

/**
 * Whether users of a SecureUserPool must use a second factor.
 */
export class UserPoolMfa {
  /**
   * The default: every user signs in with a one-time password from an
   * authenticator app (TOTP) as well as the password.
   */
  public static readonly REQUIRED = new UserPoolMfa(cognito.Mfa.REQUIRED);

  /**
   * Users choose whether to set up a second factor, with the reason (kept in the
   * security report), e.g. a migration period before MFA becomes required.
   *
   * @param reason why MFA is optional
   */
  public static optional(reason: string): UserPoolMfa {
    return new UserPoolMfa(cognito.Mfa.OPTIONAL, checkReason('UserPoolMfa.optional', 'reason', reason));
  }

  /** The aws-cdk-lib MFA setting. */
  public readonly mfa: cognito.Mfa;
  /** Why MFA is optional; undefined when it is required. */
  public readonly reason?: string;

  private constructor(mfa: cognito.Mfa, reason?: string) {
    this.mfa = mfa;
    this.reason = reason;
  }
}

/**
 * How a SecureUserPool protects sign-ins against compromised credentials and
 * risky sign-ins (Cognito threat protection, on the Plus feature plan).
 */
export class UserPoolThreatProtection {
  /**
   * The default: the Plus feature plan with threat protection enforced for
   * standard and custom authentication (risky sign-ins are blocked or
   * challenged, compromised passwords refused).
   *
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-threat-protection.html
   */
  public static readonly ENFORCED = new UserPoolThreatProtection(cognito.FeaturePlan.PLUS, cognito.StandardThreatProtectionMode.FULL_FUNCTION);

  /**
   * The Plus feature plan with threat protection that only records risk, with the
   * reason, e.g. a period to tune the risk configuration before enforcing it.
   *
   * @param reason why risky sign-ins are not blocked
   */
  public static auditOnly(reason: string): UserPoolThreatProtection {
    return new UserPoolThreatProtection(cognito.FeaturePlan.PLUS, cognito.StandardThreatProtectionMode.AUDIT_ONLY,
      checkReason('UserPoolThreatProtection.auditOnly', 'reason', reason));
  }

  /**
   * The Essentials feature plan, without threat protection, with the reason,
   * e.g. the Plus plan's price per monthly active user for a large consumer pool
   * already protected by a WAF in front of its sign-in.
   *
   * @param reason why the pool has no threat protection
   */
  public static none(reason: string): UserPoolThreatProtection {
    return new UserPoolThreatProtection(cognito.FeaturePlan.ESSENTIALS, undefined, checkReason('UserPoolThreatProtection.none', 'reason', reason));
  }

  /** The feature plan. */
  public readonly featurePlan: cognito.FeaturePlan;
  /** The threat protection mode; undefined without threat protection. */
  public readonly mode?: cognito.StandardThreatProtectionMode;
  /** Why protection is weaker than ENFORCED; undefined for ENFORCED. */
  public readonly reason?: string;

  private constructor(featurePlan: cognito.FeaturePlan, mode: cognito.StandardThreatProtectionMode | undefined, reason?: string) {
    this.featurePlan = featurePlan;
    this.mode = mode;
    this.reason = reason;
  }
}

/**
 * Who creates the users of a SecureUserPool.
 */
export class UserPoolSignUp {
  /**
   * The default: only administrators create users (they receive an invitation
   * with a temporary password).
   */
  public static readonly ADMIN_ONLY = new UserPoolSignUp(false);

  /**
   * Anyone may sign up, with the reason, e.g. a public consumer app. Sign-up
   * still verifies the email address before the account can be used.
   *
   * @param reason why anyone may create an account
   */
  public static selfService(reason: string): UserPoolSignUp {
    return new UserPoolSignUp(true, checkReason('UserPoolSignUp.selfService', 'reason', reason));
  }

  /** Whether users sign themselves up. */
  public readonly selfSignUp: boolean;
  /** Why anyone may sign up; undefined for ADMIN_ONLY. */
  public readonly reason?: string;

  private constructor(selfSignUp: boolean, reason?: string) {
    this.selfSignUp = selfSignUp;
    this.reason = reason;
  }
}
