import { App, Stack } from 'aws-cdk-lib';
import { Matrix, PROFILES } from './runners';
import { SecureKey } from '../../src/encryption/secure-key';
import { asArray, referencedIds, statementsOf } from '../core/fixtures';

/** Actions that use a key (or hand its use on); `kms:DescribeKey` reads metadata only. */
const KEY_USE = /^(\*|kms:\*|kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|CreateGrant)[A-Za-z*]*)$/i;

/**
 * Every Allow statement that lets someone use a key the library created, with
 * no Condition: in IAM policies (inline, customer-managed, role-inline) whose
 * Resource names the key, and in the key's own policy for AWS services.
 * Read from the synthesized templates (so after every aspect), one pass each.
 */
export function unconditionedKeyUse(app: App, userKeys: readonly string[] = []): string[] {
  const assembly = app.synth();
  const keysByStack = new Map<Stack, Set<string>>();
  for (const key of app.node.findAll().filter((c): c is SecureKey => c instanceof SecureKey && !userKeys.includes(c.node.path))) {
    const stack = Stack.of(key);
    const ids = keysByStack.get(stack) ?? new Set<string>();
    ids.add(stack.resolve((key.node.defaultChild as any).logicalId));
    keysByStack.set(stack, ids);
  }
  const found: string[] = [];
  for (const [stack, keyIds] of keysByStack) {
    const resources: Record<string, any> = assembly.getStackArtifact(stack.artifactId).template.Resources ?? {};
    for (const [id, resource] of Object.entries(resources)) {
      for (const document of policyDocumentsOf(resource)) {
        for (const statement of statementsOf(document)) {
          if (statement.Effect !== 'Allow' || hasCondition(statement)) continue;
          if (!asArray<string>(statement.Action).some(action => KEY_USE.test(action))) continue;
          const onKey = keyIds.has(id) ? statement.Principal?.Service !== undefined
            : [...referencedIds(statement.Resource)].some(ref => keyIds.has(ref));
          if (onKey) found.push(`${stack.node.path}/${id}: ${JSON.stringify(statement)}`);
        }
      }
    }
  }
  return found;
}

/**
 * Registers, for a compliance matrix, the test that no app of it (either
 * profile) lets anyone use a library key without a condition.
 *
 * `userKeys` are the construct paths of SecureKeys that a case creates itself
 * and grants with aws-cdk-lib's key grants (`key.grantEncryptDecrypt(fn)`): such
 * a grant is the user's own choice, of a key for data only the user knows, with
 * no service or resource the library could name in a condition. They are left
 * out; the baseline's shared keys never are.
 */
export function expectKeyUseConditioned(matrix: Matrix, userKeys: readonly string[] = []): void {
  test.each(PROFILES)('%s profile: every statement that uses a library key has a condition', profile => {
    expect(matrix.apps(profile).flatMap(app => unconditionedKeyUse(app, userKeys))).toEqual([]);
  });
}

function policyDocumentsOf(resource: any): any[] {
  const props = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return [props.PolicyDocument];
    case 'AWS::IAM::Role':
      return asArray<any>(props.Policies).map(policy => policy.PolicyDocument);
    case 'AWS::KMS::Key':
      return [props.KeyPolicy];
    default:
      return [];
  }
}

function hasCondition(statement: any): boolean {
  return statement.Condition !== undefined && Object.keys(statement.Condition).length > 0;
}
