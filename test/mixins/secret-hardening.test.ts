import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SECRET_CASES as CASES, secretMixin as mixin } from './data-store-cases';
import { changesOf, hardenedApp, hardenTwice, plainApp, stackOf, statefulIds } from './data-support';
import { ComplianceProfile } from '../../src/core/profile';
import { SecretHardening } from '../../src/mixins/secret-hardening';
import { SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { findingsOf } from '../compliance/harness';


describe('SecretHardening', () => {
  describe('what it changes', () => {
    const build = (stack: Stack): void => {
      CASES['Secret rotated by a SecureFunction, read by another before the mixin'](stack);
      new secretsmanager.CfnSecret(stack, 'Unrotated');
    };
    let plain: Template;
    let hardened: Template;
    let twice: Template;
    let app: App;

    beforeAll(() => {
      ({ plain, hardened, twice, app } = hardenTwice(build, mixin, ComplianceProfile.STANDARD));
    });

    test('logical ids of the secrets are unchanged', () => {
      expect(statefulIds(hardened, ['AWS::SecretsManager::Secret'])).toEqual(statefulIds(plain, ['AWS::SecretsManager::Secret']));
    });

    test('applied twice, the template is the same', () => {
      expect(twice.toJSON()).toEqual(hardened.toJSON());
    });

    test('each change is recorded on the secret, once', () => {
      expect(changesOf(app, 'SecretHardening')).toEqual([
        'S/Secret/Resource: encrypted with the baseline customer-managed key',
        'S/Secret/Resource: resource policy denies principals of other accounts; public policies blocked',
        'S/Secret/Resource: retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain)',
        'S/Unrotated: encrypted with the baseline customer-managed key',
        'S/Unrotated: resource policy denies principals of other accounts; public policies blocked',
        'S/Unrotated: retained on stack deletion and replacement (DeletionPolicy and UpdateReplacePolicy Retain)',
      ]);
    });

    test('a read grant made before the mixin gets the key use, through Secrets Manager, for this secret', () => {
      const stack = stackOf(app);
      const secretId = stack.resolve((stack.node.findChild('Secret').node.defaultChild as secretsmanager.CfnSecret).logicalId);
      hardened.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^ReaderServiceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: 'kms:Decrypt',
            Condition: { StringEquals: { 'kms:EncryptionContext:SecretARN': { Ref: secretId }, 'kms:ViaService': Match.anyValue() } },
          })]),
        },
      });
    });

    test('a secret without rotation keeps only the rotation findings, and a warning names the fix', () => {
      const rules = findingsOf(app, { profile: ComplianceProfile.REGULATED, guard: false }).map(f => `${f.rule} ${f.path}`);
      expect(rules.sort()).toEqual([
        'AwsSolutions-SMG4 S/Unrotated',
        'HIPAA.Security-SecretsManagerRotationEnabled S/Unrotated',
        'NIST.800.53.R5-SecretsManagerRotationEnabled S/Unrotated',
      ]);
      Annotations.fromStack(stackOf(app)).hasWarning('/S/Unrotated', Match.stringLikeRegexp(
        'no rotation schedule.*secret.addRotationSchedule\\(\'Rotation\', \\{ rotationLambda: fn \\}\\).*SecretRotationChoice.waiver\\(reason\\)'));
    });
  });

  test('SecureSecret and a plain secret after the mixin agree on key, policy and retention', () => {
    const app = hardenedApp(stack => {
      new SecureSecret(stack, 'Secure', { rotation: SecretRotationChoice.waiver('issued by a partner, rotated on their side') });
      new secretsmanager.Secret(stack, 'Plain');
    }, mixin, ComplianceProfile.STANDARD);
    const stack = stackOf(app);
    const template = Template.fromStack(stack).toJSON().Resources;
    const settings = (path: string): object => {
      const id = stack.resolve((stack.node.findChild(path).node.defaultChild as secretsmanager.CfnSecret).logicalId);
      const policy = Object.values<any>(template).find(r => r.Type === 'AWS::SecretsManager::ResourcePolicy' && JSON.stringify(r.Properties.SecretId).includes(id));
      return {
        key: template[id].Properties.KmsKeyId,
        deletionPolicy: template[id].DeletionPolicy,
        updateReplacePolicy: template[id].UpdateReplacePolicy,
        policy: { ...policy.Properties, SecretId: undefined },
      };
    };
    expect(settings('Plain')).toEqual(settings('Secure'));
  });

  test('the library\'s own secrets and imported secrets are not supported', () => {
    const { stack } = plainApp(() => undefined);
    const mixin2 = new SecretHardening();
    expect(mixin2.supports(new SecureSecret(stack, 'Secure', { rotation: SecretRotationChoice.waiver('partner rotates it') }))).toBe(false);
    expect(mixin2.supports(secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'db'))).toBe(false);
    expect(mixin2.supports(new secretsmanager.Secret(stack, 'Plain'))).toBe(true);
  });
});
