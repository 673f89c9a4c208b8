import { CfnDeletionPolicy, CfnResource } from 'aws-cdk-lib';
import { recordHardening } from './changes';

/** Keeps a stateful resource, and its data, when it is removed from the stack or replaced. */
export function retainStateful(cfn: CfnResource, mixin: string): void {
  const options = cfn.cfnOptions;
  if (options.deletionPolicy === CfnDeletionPolicy.RETAIN && options.updateReplacePolicy === CfnDeletionPolicy.RETAIN) return;
  options.deletionPolicy = CfnDeletionPolicy.RETAIN;
  options.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  recordHardening(cfn, mixin, 'retained on removal and replacement');
}
