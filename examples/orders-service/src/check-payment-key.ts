import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { logger } from './logger';

/** The payment provider's key is rotated by hand every 90 days (the secret's rotation waiver says so). */
export const MAX_KEY_AGE_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

const secrets = new SecretsManagerClient({});

/**
 * Run nightly: fails when the current payment API key is older than 90 days, so
 * the function's alarm tells the team to rotate it.
 */
export async function handler(): Promise<{ ageDays: number }> {
  const { CreatedDate } = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.PAYMENT_API_KEY_SECRET_ARN }));
  if (!CreatedDate) throw new Error('the payment API key has no current version');
  const ageDays = Math.floor((Date.now() - CreatedDate.getTime()) / DAY_MS);
  if (ageDays > MAX_KEY_AGE_DAYS) {
    logger.error('payment API key overdue for rotation', { ageDays });
    throw new Error(`the payment API key is ${ageDays} days old; rotate it every ${MAX_KEY_AGE_DAYS} days`);
  }
  logger.info('payment API key age', { ageDays });
  return { ageDays };
}
