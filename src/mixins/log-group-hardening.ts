import { Annotations, Mixin, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { recordHardening } from './changes';
import { retain } from './data-store-support';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps, hardeningBaseline, isLibraryManaged } from './hardening-scope';
import { SecurityBaseline } from '../baseline/security-baseline';

const MIXIN = 'LogGroupHardening';

/**
 * Hardens a plain log group (`logs.LogGroup` or `logs.CfnLogGroup`) in place:
 * encrypted with the baseline key, kept at least for the baseline's retention,
 * and retained when removed from the stack or replaced.
 *
 * A group that keeps its events forever is left so: shortening it would delete
 * old events, which is your decision. The retention checks keep failing it, and
 * a warning names the line to add.
 *
 * @example
 * Mixins.of(this).apply(new LogGroupHardening());
 */
export class LogGroupHardening extends Mixin {
  private readonly props: HardeningProps;

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps(MIXIN, props);
    this.props = props;
  }

  public supports(construct: IConstruct): boolean {
    return (construct instanceof logs.LogGroup || construct instanceof logs.CfnLogGroup) && !isLibraryManaged(construct);
  }

  public applyTo(construct: IConstruct): void {
    if (!this.supports(construct)) return;
    const cfn = construct instanceof logs.LogGroup ? construct.node.defaultChild as logs.CfnLogGroup : construct as logs.CfnLogGroup;
    hardenLogGroupInPlace(cfn, hardeningBaseline(cfn, MIXIN, this.props), MIXIN);
  }
}

/**
 * What LogGroupHardening does to one log group, recorded as `mixin`'s changes: the
 * baseline key, at least the baseline's retention (a group kept forever stays so,
 * with a warning), retained.
 */
export function hardenLogGroupInPlace(cfn: logs.CfnLogGroup, baseline: SecurityBaseline, mixin: string): void {
  if (cfn.kmsKeyId === undefined) {
    cfn.kmsKeyId = baseline.key.keyArn;
    recordHardening(cfn, mixin, 'encrypted with the baseline key');
  }
  const minimum = baseline.logRetention.retentionDays as number;
  const days = Stack.of(cfn).resolve(cfn.retentionInDays) as number | undefined;
  if (days === undefined) {
    Annotations.of(cfn).addWarningV2('cdk-secure-serverless:logRetention',
      `${cfn.node.path}: events are kept forever; ${mixin} leaves it to you, as a retention deletes older events: set retention: logs.RetentionDays.ONE_YEAR (or longer)`);
  } else if (typeof days === 'number' && days < minimum) {
    // A longer retention deletes nothing.
    cfn.retentionInDays = minimum;
    recordHardening(cfn, mixin, `retention raised from ${days} to ${minimum} days, the baseline's`);
  }
  retain(cfn, mixin);
}
