import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { SecureServerlessError } from './errors';

/** Children aws-cdk-lib creates itself under a feature flag, which a construct of ours could otherwise clash with. */
const CREATED_UNDER_FLAG: Array<{ readonly parent: (scope: IConstruct) => boolean; readonly id: string; readonly flag: string }> = [
  { parent: (scope) => scope instanceof lambda.Function, id: 'LogGroup', flag: '@aws-cdk/aws-lambda:useCdkManagedLogGroup' },
];

/**
 * Returns `id` for the construct `what` that the library is about to create under
 * `scope`, after checking that nothing has it yet. A clash is our error naming the
 * construct that holds the id and, when aws-cdk-lib created it under a feature flag,
 * the flag; never the bare "There is already a Construct with name".
 */
export function claimId(scope: IConstruct, id: string, what: string): string {
  const existing = scope.node.tryFindChild(id);
  if (existing === undefined) return id;
  const path = scope.node.path ? `${scope.node.path}/${id}` : id;
  const byFlag = CREATED_UNDER_FLAG.find((known) => known.id === id && known.parent(scope));
  const holder = `${existing.node.path} (${typeName(existing)})`;
  if (byFlag) {
    throw new SecureServerlessError(path, 'id',
      `cannot create ${what}: aws-cdk-lib already created ${holder} because the feature flag ${byFlag.flag} is on; ` +
      `allowed: a library construct that adopts it (upgrade cdk-secure-serverless), or the flag set to false in cdk.json for an app whose ${id} was never deployed`);
  }
  throw new SecureServerlessError(path, 'id',
    `cannot create ${what}: the id "${id}" is taken by ${holder}; allowed: a construct id that leaves "${id}" free under ${scope.node.path || 'the app'}: rename one of the two`);
}

/** The jsii name of a construct's class (`aws-cdk-lib.aws_sqs.Queue`), else its class name. */
function typeName(construct: IConstruct): string {
  return (construct.constructor as unknown as Record<symbol, { fqn?: string } | undefined>)[Symbol.for('jsii.rtti')]?.fqn ?? construct.constructor.name;
}
