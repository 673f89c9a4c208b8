import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';

/** Account and region of every test stack. */
export const ENV = { account: '111111111111', region: 'eu-west-1' };

/** The handler code of every test function. */
export const CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })');

/** A SecureFunction with the test code. */
export function handler(scope: Construct, id: string): SecureFunction {
  return new SecureFunction(scope, id, { code: CODE, handler: 'index.handler' });
}

/** A fresh app with one stack `S` in ENV, whose baseline has `profile`. */
export function newApiStack(profile: ComplianceProfile = ComplianceProfile.STANDARD): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  if (profile !== ComplianceProfile.STANDARD) new SecurityBaseline(stack, 'SecurityBaseline', { profile });
  return { app, stack };
}

/**
 * A user pool that itself passes AwsSolutions (strong passwords, required MFA with
 * one-time passwords, the Plus feature plan), so that an API case tests the API.
 */
export function compliantUserPool(scope: Construct, id: string): cognito.UserPool {
  return new cognito.UserPool(scope, id, {
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { sms: false, otp: true },
    featurePlan: cognito.FeaturePlan.PLUS,
    passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireSymbols: true, requireUppercase: true },
  });
}
