import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';

/** The feature flag under which lambda.Function creates the function's log group itself. */
export const CDK_MANAGED_LOG_GROUP_FLAG = '@aws-cdk/aws-lambda:useCdkManagedLogGroup';

/**
 * The log group aws-cdk-lib created for `fn` under `@aws-cdk/aws-lambda:useCdkManagedLogGroup`
 * (`<fn>/LogGroup`, named `/aws/lambda/<function name>`), hardened by `harden`; undefined
 * when the function has none. Adopting it keeps the log group, its logical id and its
 * name as an app deploys them with the flag, so no group is replaced or orphaned.
 *
 * aws-cdk-lib names the group after the function's `Ref`. Given the function's name
 * (`functionName`), the group is named with it instead: the same physical name,
 * without a reference from the group to the function, so the role's statement on
 * the group and the function's dependency on the group make no cycle.
 */
export function adoptCdkManagedLogGroup(fn: lambda.Function, functionName: string | undefined,
  harden: (group: logs.LogGroup) => logs.LogGroup): logs.LogGroup | undefined {
  const group = fn.node.tryFindChild('LogGroup');
  if (!(group instanceof logs.LogGroup) || !(group.node.defaultChild instanceof logs.CfnLogGroup)) return undefined;
  if (functionName !== undefined) group.node.defaultChild.logGroupName = `/aws/lambda/${functionName}`;
  return harden(group);
}
