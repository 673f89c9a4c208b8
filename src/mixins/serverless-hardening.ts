import { Mixin } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BucketHardening } from './bucket-hardening';
import { FunctionHardening } from './function-hardening';
import { HardeningProps } from './hardening-props';
import { checkHardeningProps } from './hardening-scope';
import { InlinePolicyHardening } from './inline-policy-hardening';
import { LogGroupHardening } from './log-group-hardening';
import { QueueHardening } from './queue-hardening';
import { RestApiHardening } from './rest-api-hardening';
import { RuleHardening } from './rule-hardening';
import { SecretHardening } from './secret-hardening';
import { StateMachineHardening } from './state-machine-hardening';
import { TableHardening } from './table-hardening';
import { TopicHardening } from './topic-hardening';

/**
 * The kind mixins ServerlessHardening applies, in this order: a function's
 * mixin creates its log group and queue before theirs look at them, and inline
 * policies are moved into customer-managed ones after every other mixin has
 * written its statements.
 */
function kindMixins(props: HardeningProps): Mixin[] {
  return [
    new FunctionHardening(props),
    new LogGroupHardening(props),
    new TableHardening(props),
    new QueueHardening(props),
    new TopicHardening(props),
    new BucketHardening(props),
    new SecretHardening(props),
    new RestApiHardening(props),
    new RuleHardening(props),
    new StateMachineHardening(props),
    new InlinePolicyHardening(props),
  ];
}

/**
 * Every hardening mixin of this library in one: applied to a scope with
 * `Mixins.of(scope).apply(new ServerlessHardening())`, it hardens each plain
 * resource under the scope that one of them supports, and leaves this library's
 * own constructs as they are.
 *
 * @example
 * Mixins.of(this).apply(new ServerlessHardening({ profile: ComplianceProfile.REGULATED }));
 */
export class ServerlessHardening extends Mixin {
  private readonly mixins: Mixin[];

  constructor(props: HardeningProps = {}) {
    super();
    checkHardeningProps('ServerlessHardening', props);
    this.mixins = kindMixins(props);
  }

  public supports(construct: IConstruct): boolean {
    return this.mixins.some((mixin) => mixin.supports(construct));
  }

  public applyTo(construct: IConstruct): void {
    for (const mixin of this.mixins) {
      if (mixin.supports(construct)) mixin.applyTo(construct);
    }
  }
}
