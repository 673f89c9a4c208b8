import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { UserPoolMfa, UserPoolSignUp, UserPoolThreatProtection } from './user-pool-options';
import { acknowledgeFinding, recordWaiver } from '../core/acknowledgements';
import { checkIntegerRange, invalidProp } from '../core/errors';
import { checkPropKinds, kinds } from '../core/prop-types';

/**
 * Properties of a SecureUserPool.
 */
export interface SecureUserPoolProps {
  /**
   * A name for the user pool.
   *
   * @default - a name unique to this construct
   */
  readonly userPoolName?: string;

  /**
   * The shortest password accepted, from 8 to 99 characters. Passwords also need
   * a lowercase and an uppercase letter, a digit and a symbol.
   *
   * @default 12
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html
   */
  readonly passwordMinLength?: number;

  /**
   * Whether users must use a second factor (a one-time password from an
   * authenticator app).
   *
   * @default UserPoolMfa.REQUIRED
   */
  readonly mfa?: UserPoolMfa;

  /**
   * The feature plan and threat protection.
   *
   * @default UserPoolThreatProtection.ENFORCED
   */
  readonly threatProtection?: UserPoolThreatProtection;

  /**
   * Who creates users.
   *
   * @default UserPoolSignUp.ADMIN_ONLY
   */
  readonly signUp?: UserPoolSignUp;

  /**
   * How users sign in: email, username or preferred username (phone sign-in,
   * which needs SMS delivery, is refused). Account recovery is by verified email,
   * so email is always a required, verified attribute.
   *
   * @default { email: true }
   */
  readonly signInAliases?: cognito.SignInAliases;
}

/** Cognito's bounds of token validity. */
const TOKEN_MINUTES = { min: 5, max: 24 * 60 };
const REFRESH_MINUTES = { min: 60, max: 10 * 365 * 24 * 60 };
const LOCAL_CALLBACK = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/.*)?$/;

/**
 * A Cognito user pool that is secure by default, passing the AwsSolutions
 * Cognito checks (COG1 password policy, COG2 MFA, COG8 Plus feature plan):
 *
 * - passwords of at least 12 characters with lowercase and uppercase letters,
 *   digits and symbols; temporary passwords valid for 3 days;
 * - MFA required (authenticator app), or optional only with a reason;
 * - the Plus feature plan with threat protection enforced, or a reason;
 * - only administrators create users, unless self sign-up is given a reason;
 * - sign-in by email, verified; account recovery by verified email only; the
 *   original email kept until a new one is verified;
 * - deletion protection on, retained when the stack is deleted;
 * - `addClient` with secure defaults: no client secret, user existence errors
 *   prevented, token revocation on, SRP authentication, access and ID tokens
 *   valid 1 hour and refresh tokens 30 days, and OAuth (authorization code grant
 *   only) only when callback URLs are given.
 *
 * Pass it to `ApiAuthorization.cognito(pool)` to authorize API routes with its
 * tokens; JWT authorizers use its `userPoolProviderUrl` as the issuer and a
 * client's id as the audience.
 */
export class SecureUserPool extends cognito.UserPool {
  /** The MFA setting. */
  public readonly mfa: UserPoolMfa;
  /** The feature plan and threat protection. */
  public readonly threatProtection: UserPoolThreatProtection;
  /** Who creates users. */
  public readonly signUp: UserPoolSignUp;

  constructor(scope: Construct, id: string, props: SecureUserPoolProps = {}) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    validate(path, props);
    const mfa = props.mfa ?? UserPoolMfa.REQUIRED;
    const threatProtection = props.threatProtection ?? UserPoolThreatProtection.ENFORCED;
    const signUp = props.signUp ?? UserPoolSignUp.ADMIN_ONLY;
    super(scope, id, {
      userPoolName: props.userPoolName,
      selfSignUpEnabled: signUp.selfSignUp,
      signInAliases: props.signInAliases ?? { email: true },
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      signInCaseSensitive: false,
      mfa: mfa.mfa,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: props.passwordMinLength ?? 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: threatProtection.featurePlan,
      standardThreatProtectionMode: threatProtection.mode,
      customThreatProtectionMode: threatProtection.mode === undefined ? undefined
        : threatProtection.mode === cognito.StandardThreatProtectionMode.FULL_FUNCTION
          ? cognito.CustomThreatProtectionMode.FULL_FUNCTION : cognito.CustomThreatProtectionMode.AUDIT_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.mfa = mfa;
    this.threatProtection = threatProtection;
    this.signUp = signUp;

    const resource = this.node.defaultChild as cognito.CfnUserPool;
    if (mfa.reason !== undefined) {
      recordWaiver(this, 'mfa', 'optional', mfa.reason);
      acknowledgeFinding(resource, 'AwsSolutions-COG2', `MFA is optional: ${mfa.reason}`);
    }
    if (threatProtection.reason !== undefined) {
      recordWaiver(this, 'threatProtection', threatProtection.mode === undefined ? 'none' : 'auditOnly', threatProtection.reason);
      if (threatProtection.mode === undefined) acknowledgeFinding(resource, 'AwsSolutions-COG8', `no threat protection: ${threatProtection.reason}`);
    }
    if (signUp.reason !== undefined) recordWaiver(this, 'signUp', 'selfService', signUp.reason);
  }

  /**
   * Adds an app client with secure defaults: no client secret (a public client,
   * such as a browser or mobile app; set `generateSecret` for a server-side one),
   * user existence errors prevented, token revocation on, SRP authentication,
   * access and ID tokens valid 1 hour, refresh tokens 30 days, and OAuth only
   * with callback URLs (authorization code grant; the implicit grant is refused).
   *
   * @param id the client's construct id
   * @param options the client's settings; unset ones get the secure defaults
   */
  public addClient(id: string, options: cognito.UserPoolClientOptions = {}): cognito.UserPoolClient {
    const where = `${this.node.path}/${id}`;
    checkClientOptions(where, options);
    const callbackUrls = options.oAuth?.callbackUrls;
    const withOAuth = options.disableOAuth !== true && callbackUrls !== undefined && callbackUrls.length > 0;
    return super.addClient(id, {
      ...options,
      generateSecret: options.generateSecret ?? false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      authFlows: options.authFlows ?? { userSrp: true },
      accessTokenValidity: options.accessTokenValidity ?? Duration.hours(1),
      idTokenValidity: options.idTokenValidity ?? Duration.hours(1),
      refreshTokenValidity: options.refreshTokenValidity ?? Duration.days(30),
      disableOAuth: !withOAuth,
      oAuth: withOAuth ? {
        ...options.oAuth,
        flows: options.oAuth?.flows ?? { authorizationCodeGrant: true },
        scopes: options.oAuth?.scopes ?? [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
      } : undefined,
    });
  }
}

function checkClientOptions(where: string, options: cognito.UserPoolClientOptions): void {
  if (options === null || typeof options !== 'object') invalidProp(where, 'options', options, 'cognito.UserPoolClientOptions');
  checkPropKinds(where, options, {
    userPoolClientName: kinds.text,
    generateSecret: kinds.boolean,
    accessTokenValidity: kinds.duration,
    idTokenValidity: kinds.duration,
    refreshTokenValidity: kinds.duration,
    oAuth: kinds.struct('cognito.OAuthSettings'),
    authFlows: kinds.struct('cognito.AuthFlow'),
  });
  if (options.preventUserExistenceErrors === false) {
    invalidProp(where, 'preventUserExistenceErrors', false, 'true (the default): otherwise sign-in errors tell an attacker which accounts exist');
  }
  if (options.enableTokenRevocation === false) {
    invalidProp(where, 'enableTokenRevocation', false, 'true (the default): otherwise a stolen refresh token cannot be revoked');
  }
  if (options.oAuth?.flows?.implicitCodeGrant) {
    invalidProp(where, 'oAuth.flows.implicitCodeGrant', true, 'the authorization code grant (with PKCE): the implicit grant returns tokens in the URL');
  }
  for (const url of [...options.oAuth?.callbackUrls ?? [], ...options.oAuth?.logoutUrls ?? []]) {
    if (typeof url !== 'string' || (!Token.isUnresolved(url) && !url.startsWith('https://') && !LOCAL_CALLBACK.test(url))) {
      invalidProp(where, 'oAuth.callbackUrls', url, 'https:// URLs (http only for localhost during development)');
    }
  }
  checkMinutes(where, 'accessTokenValidity', options.accessTokenValidity, TOKEN_MINUTES, '5 minutes to 1 day');
  checkMinutes(where, 'idTokenValidity', options.idTokenValidity, TOKEN_MINUTES, '5 minutes to 1 day');
  checkMinutes(where, 'refreshTokenValidity', options.refreshTokenValidity, REFRESH_MINUTES, '60 minutes to 10 years');
}

function checkMinutes(where: string, prop: string, value: Duration | undefined, range: { min: number; max: number }, words: string): void {
  if (value === undefined) return;
  const minutes = value.toMinutes({ integral: false });
  if (!Token.isUnresolved(minutes) && !(Number.isInteger(minutes) && minutes >= range.min && minutes <= range.max)) {
    invalidProp(where, prop, value, `whole minutes from ${words}`);
  }
}

function validate(path: string, props: SecureUserPoolProps): void {
  checkPropKinds(path, props, {
    userPoolName: kinds.string(128, /^[\w\s+=,.@-]+$/, '1 to 128 letters, digits, spaces and + = , . @ - _'),
    mfa: kinds.instance(UserPoolMfa, 'UserPoolMfa.REQUIRED or UserPoolMfa.optional(reason)'),
    threatProtection: kinds.instance(UserPoolThreatProtection, 'UserPoolThreatProtection.ENFORCED, .auditOnly(reason) or .none(reason)'),
    signUp: kinds.instance(UserPoolSignUp, 'UserPoolSignUp.ADMIN_ONLY or UserPoolSignUp.selfService(reason)'),
    signInAliases: kinds.struct('cognito.SignInAliases, e.g. { email: true }'),
  });
  checkIntegerRange(path, 'passwordMinLength', props.passwordMinLength, 8, 99, 'characters');
  const aliases = props.signInAliases;
  if (aliases !== undefined && (aliases.phone || (!aliases.email && !aliases.username && !aliases.preferredUsername))) {
    invalidProp(path, 'signInAliases', aliases,
      'email, username or preferredUsername (at least one); phone sign-in needs SMS delivery, which needs a role and an SMS sandbox exit the pool does not set up');
  }
}
