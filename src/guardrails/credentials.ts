import { Token, Tokenization } from 'aws-cdk-lib';

/**
 * Detection of credentials written as literal values, shared by the
 * `LambdaEnvironmentCredential` rule (at validation) and the function
 * constructs (which throw at construction time).
 */

/** Words that name a credential on their own. */
const CREDENTIAL_WORDS = new Set([
  'PASSWORD', 'PASSWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS',
]);
/** Words that make `KEY` a credential when they come just before it (`API_KEY`, `PRIVATE_KEY`). */
const SECRET_KEY_QUALIFIERS = new Set([
  'API', 'PRIVATE', 'ACCESS', 'SECRET', 'SIGNING', 'ENCRYPTION', 'MASTER', 'HMAC', 'SESSION',
]);
/**
 * Words after the credential word that say the variable holds something about
 * the credential, not the credential: `SECRET_ARN`, `SECRET_NAME`, `TOKEN_TABLE`.
 */
const NOT_THE_CREDENTIAL_ITSELF = new Set([
  'ARN', 'NAME', 'ID', 'IDS', 'TABLE', 'PARAM', 'PARAMETER', 'PATH', 'URL', 'URI', 'ENDPOINT', 'BUCKET', 'QUEUE',
  'TOPIC', 'REF', 'TTL', 'EXPIRY', 'EXPIRATION', 'LENGTH', 'TIMEOUT', 'SECONDS', 'MINUTES', 'HEADER', 'TYPE',
  'ENABLED', 'REGION', 'VERSION', 'FIELD', 'POLICY', 'ROTATION', 'CACHE', 'SIZE', 'COUNT', 'LIMIT', 'FORMAT',
  'ISSUER', 'AUDIENCE', 'LOCATION',
]);

const ACCESS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])/;
const SECRET_ACCESS_KEY_SHAPE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const PRIVATE_KEY_HEADER = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const PREFIXED_TOKEN = /(?:sk_live_|rk_live_|gh[pousr]_|github_pat_|xox[abposr]-)([0-9A-Za-z_-]{16,})/g;
const SECRET_DYNAMIC_REFERENCE = /\{\{resolve:(?:secretsmanager|ssm-secure):/;
/** Bits per character above which a prefixed token is taken for a real one (placeholders repeat characters). */
const MIN_TOKEN_ENTROPY = 3;

/**
 * Why a literal environment value looks like a credential, or `undefined` when
 * it does not.
 *
 * By name: the name contains a credential word as a whole word (`PASSWORD`,
 * `SECRET`, `TOKEN`, `APIKEY`, `API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY`, `dbPassword`...),
 * unless a later word says the value is about the credential rather than the
 * credential (`SECRET_ARN`, `SECRET_NAME`, `TOKEN_TABLE`, `ACCESS_KEY_ID`), or the
 * value is empty, a boolean or an ARN.
 *
 * By value, whatever the name: an AWS access key id (`AKIA`/`ASIA` + 16), a
 * 40-character secret access key beside one or under an AWS/key/secret name,
 * a PEM private key, a high-entropy `sk_live_`/`rk_live_`/`ghp_`.../`xox?-` token,
 * or a `{{resolve:secretsmanager:...}}` dynamic reference (CloudFormation would
 * write the secret into the function configuration in plain text).
 *
 * A value that contains CDK tokens is judged by its literal parts only, and not
 * by its name: a reference is how a secret should be passed.
 */
export function looksLikeCredential(name: string, value: string): string | undefined {
  if (Token.isUnresolved(value)) {
    return credentialInText(literalParts(value), name);
  }
  return credentialInText(value, name) ?? credentialByName(name, value);
}

/**
 * Why a text looks like it contains a credential, judged by its shape only
 * (`name`, the variable's name, only tells whether a 40-character string is
 * next to AWS keys).
 */
export function credentialInText(text: string, name = ''): string | undefined {
  if (SECRET_DYNAMIC_REFERENCE.test(text)) {
    return 'the value is a dynamic reference to a secret, which CloudFormation resolves into the function configuration in plain text';
  }
  if (PRIVATE_KEY_HEADER.test(text)) return 'the value contains a PEM private key';
  const hasAccessKeyId = ACCESS_KEY_ID.test(text);
  if (hasAccessKeyId) return 'the value contains an AWS access key id';
  const awsNamed = nameWords(name).some((word) => ['AWS', 'KEY', 'SECRET', 'ACCESS'].includes(word));
  if (awsNamed && [...text.matchAll(SECRET_ACCESS_KEY_SHAPE)].some((match) => isMixedCase(match[0]))) {
    return 'the value has the shape of an AWS secret access key';
  }
  for (const match of text.matchAll(PREFIXED_TOKEN)) {
    if (shannonEntropy(match[1]) >= MIN_TOKEN_ENTROPY) return 'the value looks like an API token (a known live-token prefix with a random body)';
  }
  return undefined;
}

function credentialByName(name: string, value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '' || /^(true|false)$/i.test(trimmed) || trimmed.startsWith('arn:')) return undefined;
  const words = nameWords(name);
  const end = credentialWordEnd(words);
  if (end === undefined) return undefined;
  if (words.slice(end + 1).some((word) => NOT_THE_CREDENTIAL_ITSELF.has(word))) return undefined;
  return `the name ${name} denotes a credential and the value is a literal`;
}

/** The index of the last word of the first credential word (or `<qualifier> KEY` pair), if any. */
function credentialWordEnd(words: readonly string[]): number | undefined {
  for (let i = 0; i < words.length; i++) {
    if (CREDENTIAL_WORDS.has(words[i])) {
      // `SECRET_KEY`, `SECRET_ACCESS_KEY`: the credential runs to the KEY.
      const key = words.indexOf('KEY', i + 1);
      return key !== -1 && words.slice(i + 1, key).every((word) => SECRET_KEY_QUALIFIERS.has(word)) ? key : i;
    }
    if (words[i] === 'KEY' && i > 0 && SECRET_KEY_QUALIFIERS.has(words[i - 1])) return i;
  }
  return undefined;
}

/** `dbPassword2` and `DB-PASSWORD` both give `['DB', 'PASSWORD']`. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .map((word) => word.replace(/\d+$/, ''))
    .filter((word) => word.length > 0);
}

/** The literal parts of a string with CDK tokens, one token becoming a line break. */
function literalParts(value: string): string {
  return String(Tokenization.reverseString(value)
    .mapTokens({ mapToken: () => '\n' })
    .join({ join: (left: unknown, right: unknown) => `${left}${right}` }));
}

function isMixedCase(text: string): boolean {
  return /[a-z]/.test(text) && /[A-Z]/.test(text);
}

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}
