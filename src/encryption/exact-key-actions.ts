/**
 * aws-cdk-lib's key action patterns and the exact action each stands for when a
 * principal uses a key to encrypt or decrypt its own data; `undefined` where the
 * pattern is not needed at all (`kms:ReEncrypt*` moves ciphertext from one key
 * to another, which no grantee of one key does).
 */
export const EXACT_KEY_ACTIONS: Readonly<Record<string, string | undefined>> = {
  'kms:Decrypt*': 'kms:Decrypt',
  'kms:Encrypt*': 'kms:Encrypt',
  'kms:GenerateDataKey*': 'kms:GenerateDataKey',
  'kms:Describe*': 'kms:DescribeKey',
  'kms:ReEncrypt*': undefined,
};
export const ENCRYPT_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'];
export const DECRYPT_ACTIONS = ['kms:Decrypt'];

/** `actions` with each pattern of EXACT_KEY_ACTIONS replaced by its exact action; other actions unchanged. */
export function exactKeyActions(actions: readonly string[]): string[] {
  return [...new Set(actions.flatMap(action => {
    if (!(action in EXACT_KEY_ACTIONS)) return [action];
    const replacement = EXACT_KEY_ACTIONS[action];
    return replacement ? [replacement] : [];
  }))];
}
