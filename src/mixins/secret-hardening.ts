import { Annotations, Mixin, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { checkHardeningProps, hardeningBaseline, isLibraryOwned, markMadeByMixin, ownerOf, resourceOf, retain, sameValue } from './data-store-support';
import { StackLookup } from './hardening-pass';
import { HardeningProps } from './hardening-props';
import { keyFollowsAccess } from './key-follows-access';
import { SecurityBaseline } from '../baseline/security-baseline';
import { denyOtherAccounts } from '../messaging/policies';

const MIXIN = 'SecretHardening';
const POLICY_ADDED = Symbol.for('cdk-secure-serverless.SecretHardening.policy');

/** The id of the warning a secret without rotation gets. */
const SECRET_ROTATION_WARNING = 'cdk-secure-serverless:secretNotRotated';

/**
 * Hardens a plain Secrets Manager secret (`secretsmanager.Secret`,
 * `secretsmanager.CfnSecret`) as SecureSecret builds one, in place and without
 * replacing it:
 *
 * - encrypted with the baseline's customer-managed key, unless it already has a
 *   key of its own (Secrets Manager re-encrypts the current versions); identity
 *   policies of the stack that read or write the secret get the exact key use
 *   they now need, through Secrets Manager, for this secret;
 * - a resource policy that denies principals of other accounts, with public
 *   policies blocked, as SecureSecret's;
 * - retained on stack deletion and replacement.
 *
 * Rotation needs a function that knows how to change the credential, which a
 * mixin cannot write: a secret with no rotation schedule is left without one,
 * the guardrail keeps reporting it (AwsSolutions-SMG4, and HIPAA and NIST
 * rotation), and a warning on the secret names the fix:
 * `secret.addRotationSchedule('Rotation', { rotationLambda: fn })`, or a
 * SecureSecret with `SecretRotationChoice.waiver(reason)` for a secret that
 * cannot rotate. The library's own secrets are left alone.
 */
export class SecretHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  /** True for a plain secret of this app, L2 or L1; false for imported secrets and the library's own. */
  public supports(construct: IConstruct): boolean {
    return (construct instanceof secretsmanager.Secret || construct instanceof secretsmanager.CfnSecret) && !isLibraryOwned(construct);
  }

  /** Hardens one secret; the same whether given the L2 or its default child. */
  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const secret = resourceOf(construct, secretsmanager.CfnSecret);
    if (secret) hardenSecret(secret, hardeningBaseline(construct, MIXIN, this.props));
  }
}

function hardenSecret(secret: secretsmanager.CfnSecret, baseline: SecurityBaseline): void {
  const stack = Stack.of(secret);
  if (secret.kmsKeyId === undefined) {
    secret.kmsKeyId = baseline.key.keyArn;
    recordHardening(secret, MIXIN, 'encrypted with the baseline customer-managed key');
  }
  if (sameValue(stack, secret.kmsKeyId, baseline.key.keyArn)) {
    keyFollowsAccess({ resource: secret, key: baseline.key, service: 'secretsmanager', context: { StringEquals: { 'kms:EncryptionContext:SecretARN': secret.ref } } });
  }
  addPolicy(secret);
  retain(secret, MIXIN);
  if (!rotated(secret)) {
    Annotations.of(secret).addWarningV2(SECRET_ROTATION_WARNING,
      'the secret has no rotation schedule, which a mixin cannot add: rotate it with '
      + 'secret.addRotationSchedule(\'Rotation\', { rotationLambda: fn }), or use a SecureSecret with '
      + 'SecretRotationChoice.waiver(reason) if it cannot rotate (AwsSolutions-SMG4, HIPAA and NIST rotation findings)');
  }
}

/** SecureSecret's resource policy: other accounts denied, public policies blocked. */
function addPolicy(secret: secretsmanager.CfnSecret): void {
  if ((secret as any)[POLICY_ADDED]) return;
  const stack = Stack.of(secret);
  const statement = denyOtherAccounts(secret, ['secretsmanager:*'], '*');
  const owner = ownerOf(secret, secretsmanager.Secret);
  if (owner) {
    const existing = (owner as any).policy as secretsmanager.ResourcePolicy | undefined;
    const text = existing ? JSON.stringify(stack.resolve(existing.document.toJSON()) ?? {}) : '';
    const policy = text.includes('"aws:PrincipalAccount"') ? existing : owner.addToResourcePolicy(statement).policyDependable as secretsmanager.ResourcePolicy;
    (policy!.node.defaultChild as secretsmanager.CfnResourcePolicy).blockPublicPolicy = true;
  } else {
    if (StackLookup.of(stack).referring(secretsmanager.CfnResourcePolicy, 'secretId', c => c.secretId, secret.ref, 'equals').length > 0) return;
    markMadeByMixin(new secretsmanager.CfnResourcePolicy(secret.node.scope!, `${secret.node.id}Policy`, {
      secretId: secret.ref,
      resourcePolicy: new iam.PolicyDocument({ statements: [statement] }),
      blockPublicPolicy: true,
    }));
  }
  Object.defineProperty(secret, POLICY_ADDED, { value: true });
  recordHardening(secret, MIXIN, 'resource policy denies principals of other accounts; public policies blocked');
}

/** Whether a rotation schedule of the stack names the secret. */
function rotated(secret: secretsmanager.CfnSecret): boolean {
  return StackLookup.of(Stack.of(secret)).referring(secretsmanager.CfnRotationSchedule, 'secretId', c => c.secretId, secret.ref, 'equals').length > 0;
}
