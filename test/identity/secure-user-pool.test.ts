process.env.CDK_VALIDATION = 'false';

import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA, WAIVER_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureUserPool } from '../../src/identity/secure-user-pool';
import { UserPoolMfa, UserPoolSignUp, UserPoolThreatProtection } from '../../src/identity/user-pool-options';
import { logicalIdOf, metadataOf, newStack, thrownBy } from '../core/fixtures';

describe('a SecureUserPool with default props and two clients', () => {
  let stack: Stack;
  let pool: SecureUserPool;
  let template: Template;

  beforeAll(() => {
    ({ stack } = newStack());
    pool = new SecureUserPool(stack, 'Users');
    pool.addClient('Web');
    pool.addClient('Hosted', { oAuth: { callbackUrls: ['https://app.example.com/callback'] }, generateSecret: true });
    template = Template.fromStack(stack);
  });

  test('requires MFA by authenticator app, strong passwords, admin-created users and email recovery, on the Plus plan with threat protection enforced', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
            TemporaryPasswordValidityDays: 3,
          },
        },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED', AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'ENFORCED' } },
        DeletionProtection: 'ACTIVE',
      }),
    });
    expect(metadataOf(pool, WAIVER_METADATA)).toEqual([]);
  });

  test('a client without callback URLs is a public SRP client without OAuth, with short-lived tokens', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: logicalIdOf(pool) },
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlows: Match.absent(),
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 43200,
    });
  });

  test('a client with callback URLs gets the authorization code grant only', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: ['https://app.example.com/callback'],
    });
  });
});

test('weaker settings are recorded as waivers, and only the missing Plus plan is acknowledged (AwsSolutions-COG8), as is optional MFA (COG2)', () => {
  const { stack } = newStack();
  const pool = new SecureUserPool(stack, 'Users', {
    mfa: UserPoolMfa.optional('enrolment ships next quarter'),
    threatProtection: UserPoolThreatProtection.none('price per active user'),
    signUp: UserPoolSignUp.selfService('a public consumer app'),
  });
  Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', {
    MfaConfiguration: 'OPTIONAL', UserPoolTier: 'ESSENTIALS', AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
  });
  expect(metadataOf(pool, WAIVER_METADATA).map(w => `${w.setting}=${w.value}`)).toEqual(['mfa=optional', 'threatProtection=none', 'signUp=selfService']);
  expect(metadataOf(pool.node.defaultChild!, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([
    { id: 'AwsSolutions-COG2', reason: 'MFA is optional: enrolment ships next quarter' },
    { id: 'AwsSolutions-COG8', reason: 'no threat protection: price per active user' },
  ]);
});

describe('errors', () => {
  test.each([
    ['a short password', () => ({ passwordMinLength: 6 }), 'S/Users: invalid passwordMinLength: received 6; allowed: an integer from 8 to 99 characters'],
    ['phone sign-in', () => ({ signInAliases: { phone: true } }), 'S/Users: invalid signInAliases: received {"phone":true}; allowed: email, username or preferredUsername'],
    ['a bare MFA enum', () => ({ mfa: cognito.Mfa.OFF }), 'S/Users: invalid mfa: received "OFF"; allowed: UserPoolMfa.REQUIRED or UserPoolMfa.optional(reason)'],
    ['a waiver without a reason', () => ({ mfa: UserPoolMfa.optional('') }), 'UserPoolMfa.optional: invalid reason: received ""'],
  ])('%s is our error', (_name, props, message) => {
    const error = thrownBy(() => new SecureUserPool(newStack().stack, 'Users', props() as any));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toContain(message);
  });

  test.each([
    ['the implicit grant', { oAuth: { callbackUrls: ['https://a.example.com'], flows: { implicitCodeGrant: true } } }, 'invalid oAuth.flows.implicitCodeGrant'],
    ['an http callback', { oAuth: { callbackUrls: ['http://a.example.com'] } }, 'invalid oAuth.callbackUrls: received "http://a.example.com"'],
    ['user existence errors', { preventUserExistenceErrors: false }, 'invalid preventUserExistenceErrors: received false'],
    ['a two-day access token', { accessTokenValidity: Duration.days(2) }, 'invalid accessTokenValidity: received 2 days; allowed: whole minutes from 5 minutes to 1 day'],
  ])('a client with %s is our error', (_name, options, message) => {
    const pool = new SecureUserPool(newStack().stack, 'Users');
    const error = thrownBy(() => pool.addClient('Web', options as cognito.UserPoolClientOptions));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toContain(`S/Users/Web: ${message}`);
  });
});
