import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { credentialInText, looksLikeCredential } from '../../src/guardrails/credentials';

describe('looksLikeCredential', () => {
  test.each([
    ['DB_PASSWORD', 'correct-horse-battery'],
    ['dbPassword', 'correct-horse-battery'],
    ['STRIPE_SECRET', 'abc'],
    ['GITHUB_TOKEN', 'abc'],
    ['API_KEY', 'abc'],
    ['APIKEY', 'abc'],
    ['apiKey', 'abc'],
    ['PRIVATE_KEY', 'abc'],
    ['AWS_SECRET_ACCESS_KEY', 'abc'],
    ['ACCESS_KEY', 'abc'],
    ['SECRET_KEY', 'abc'],
    ['SMTP_CREDENTIALS', 'user:pass'],
  ])('flags %s by its name', (name, value) => {
    expect(looksLikeCredential(name, value)).toEqual(`the name ${name} denotes a credential and the value is a literal`);
  });

  test.each([
    ['SECRET_ARN', 'anything'],
    ['SECRET_NAME', 'prod/db'],
    ['TOKEN_TABLE', 'tokens'],
    ['ACCESS_KEY_ID', 'some-id'],
    ['PASSWORD_PARAMETER_NAME', '/prod/db/password'],
    ['TOKEN_TTL', '3600'],
    ['PASSWORDLESS_LOGIN', 'on'],
    ['CACHE_KEY', 'orders'],
    ['KMS_KEY', 'alias/orders'],
    ['DB_PASSWORD', ''],
    ['USE_TOKEN', 'true'],
    ['DB_SECRET', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf'],
    ['TABLE_NAME', 'orders'],
    ['COMMIT', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ])('passes %s=%s', (name, value) => {
    expect(looksLikeCredential(name, value)).toBeUndefined();
  });

  test.each([
    ['UPSTREAM', 'AKIAIOSFODNN7EXAMPLE', 'the value contains an AWS access key id'],
    ['UPSTREAM', 'ASIAIOSFODNN7EXAMPLE', 'the value contains an AWS access key id'],
    ['AWS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'the value has the shape of an AWS secret access key'],
    ['CERT', '-----BEGIN RSA PRIVATE KEY-----\nMIIE...', 'the value contains a PEM private key'],
    ['CERT', '-----BEGIN PRIVATE KEY-----', 'the value contains a PEM private key'],
    ['STRIPE', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'the value looks like an API token (a known live-token prefix with a random body)'],
    ['GH', 'ghp_1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ', 'the value looks like an API token (a known live-token prefix with a random body)'],
    ['SLACK', 'xoxb-123456789012-abcdefGHIJKL', 'the value looks like an API token (a known live-token prefix with a random body)'],
    ['DB', '{{resolve:secretsmanager:prod/db:SecretString:password}}',
      'the value is a dynamic reference to a secret, which CloudFormation resolves into the function configuration in plain text'],
  ])('flags %s=%s by its shape', (name, value, reason) => {
    expect(looksLikeCredential(name, value)).toEqual(reason);
  });

  test.each([
    ['NOTE', 'sk_live_xxxxxxxxxxxxxxxxxxxx'],
    ['IMAGE_DIGEST', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['WORD', 'AKIAIOSFODNN7EXAMPLEXX'],
  ])('passes %s=%s, which only resembles a credential', (name, value) => {
    expect(looksLikeCredential(name, value)).toBeUndefined();
  });

  test('judges a value with tokens by its literal parts, not its name', () => {
    const stack = new Stack();
    const secret = new secretsmanager.Secret(stack, 'Secret');

    expect(looksLikeCredential('DB_PASSWORD', secret.secretArn)).toBeUndefined();
    expect(looksLikeCredential('DB_PASSWORD', `prefix-${secret.secretName}`)).toBeUndefined();
    expect(looksLikeCredential('UPSTREAM', `AKIAIOSFODNN7EXAMPLE:${secret.secretName}`)).toEqual('the value contains an AWS access key id');
  });
});

describe('credentialInText', () => {
  test('finds a secret dynamic reference split around a reference', () => {
    expect(credentialInText('{{resolve:secretsmanager:\n:SecretString:::}}')).toBeDefined();
    expect(credentialInText('https://example.com/\n')).toBeUndefined();
  });
});
