process.env.CDK_VALIDATION = 'false';

import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { CODE, HANDLER, metadataOf, newStack, thrownBy } from '../core/fixtures';

/**
 * A credential-like variable name (`DB_SECRET`) holding a reference to a secret
 * is how a secret should be passed; a literal credential under it is not.
 */

const ACK = 'ServerlessSecurity-LambdaEnvironmentCredential[Variable::DB_SECRET]';

describe('a reference to a secret under a credential-like name', () => {
  test.each([
    ['the generated name of a SecureSecret', (s: SecureSecret) => s.secretName],
    ['the ARN of a SecureSecret', (s: SecureSecret) => s.secretArn],
    ['the full ARN of a SecureSecret', (s: SecureSecret) => s.secretFullArn!],
  ])('%s passes at construction, with nothing to acknowledge', (_label, reference) => {
    const { stack } = newStack();
    const secret = new SecureSecret(stack, 'Db', { rotation: SecretRotationChoice.waiver('rotated by the database team') });

    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, environment: { DB_SECRET: reference(secret) } });

    expect(metadataOf(fn, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id)).not.toContain(ACK);
  });

  test('the literal name of an imported secret passes, with the rule acknowledged for that variable only', () => {
    const { stack } = newStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'orders/db');

    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, environment: { DB_SECRET: secret.secretName } });
    fn.addEnvironment('API_TOKEN', 'orders/db');

    expect(metadataOf(fn, LIBRARY_ACKNOWLEDGEMENT_METADATA).filter(a => a.id.includes('LambdaEnvironmentCredential'))).toEqual([
      { id: ACK, reason: 'the value of DB_SECRET is the name of the secret S/Db, a reference to it, not a credential' },
      {
        id: 'ServerlessSecurity-LambdaEnvironmentCredential[Variable::API_TOKEN]',
        reason: 'the value of API_TOKEN is the name of the secret S/Db, a reference to it, not a credential',
      },
    ]);
  });
});

describe('a literal credential under a credential-like name', () => {
  test.each([
    ['a password', 'correct-horse-battery-staple', '"corr…" (the name DB_SECRET denotes a credential and the value is a literal)'],
    ['a name no secret of the app has', 'orders/other', '"orde…" (the name DB_SECRET denotes a credential and the value is a literal)'],
    ['an access key id that is also the name of a secret', 'AKIAIOSFODNN7EXAMPLE', '"AKIA…" (the value contains an AWS access key id)'],
  ])('%s is still rejected with our error', (_label, value, received) => {
    const { stack } = newStack();
    secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'orders/db');
    secretsmanager.Secret.fromSecretNameV2(stack, 'Odd', 'AKIAIOSFODNN7EXAMPLE');

    const error = thrownBy(() => new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, environment: { DB_SECRET: value } }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`S/Fn: invalid environment.DB_SECRET: received ${received}; ` +
      'allowed: values that are not credentials; pass a secret with `secrets: { NAME: secret }` so only its ARN is in the environment');
  });
});
