import { Mixin, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BucketHardening } from './bucket-hardening';
import { FunctionHardening } from './function-hardening';
import { inHardeningPass } from './hardening-pass';
import { FunctionHardeningProps } from './hardening-props';
import { checkFunctionHardeningProps } from './hardening-scope';
import { HttpApiHardening } from './http-api-hardening';
import { InlinePolicyHardening } from './inline-policy-hardening';
import { LogGroupHardening } from './log-group-hardening';
import { QueueHardening } from './queue-hardening';
import { RestApiHardening } from './rest-api-hardening';
import { RuleHardening } from './rule-hardening';
import { ScheduleHardening } from './schedule-hardening';
import { SecretHardening } from './secret-hardening';
import { StateMachineHardening } from './state-machine-hardening';
import { TableHardening } from './table-hardening';
import { TopicHardening } from './topic-hardening';
import { countWork, inWorkStep } from '../core/work-count';

/**
 * The kind mixins ServerlessHardening applies, in this order: a function's
 * mixin creates its log group and queue before theirs look at them, and inline
 * policies are moved into customer-managed ones after every other mixin has
 * written its statements.
 */
function kindMixins(props: ServerlessHardeningProps): Mixin[] {
  const kindProps = { profile: props.profile };
  return [
    new FunctionHardening(props),
    new LogGroupHardening(kindProps),
    new TableHardening(kindProps),
    new QueueHardening(kindProps),
    new TopicHardening(kindProps),
    new BucketHardening(kindProps),
    new SecretHardening(kindProps),
    new RestApiHardening(kindProps),
    new HttpApiHardening(kindProps),
    new RuleHardening(kindProps),
    new ScheduleHardening(kindProps),
    new StateMachineHardening(kindProps),
    new InlinePolicyHardening(kindProps),
  ];
}

/**
 * Properties of ServerlessHardening: those of the kind mixins it applies
 * (`reservedConcurrency` is FunctionHardening's).
 */
export interface ServerlessHardeningProps extends FunctionHardeningProps {}

/**
 * Every hardening mixin of this library in one: applied to a scope with
 * `Mixins.of(scope).apply(new ServerlessHardening())`, it hardens each plain
 * resource under the scope that one of them supports, and leaves this library's
 * own constructs as they are.
 *
 * Whatever it changes in how the app runs (where a function runs and what it
 * reaches, a reserved concurrency, a log format, how event sources and schedules
 * treat failures, how an API throttles its callers) is shown at synth, one
 * message per resource, and listed in the security report.
 *
 * @example
 * Mixins.of(this).apply(new ServerlessHardening({ profile: ComplianceProfile.REGULATED, reservedConcurrency: 10 }));
 */
export class ServerlessHardening extends Mixin {
  private readonly mixins: Mixin[];
  /** Constructs this mixin's last pass over an app, stage or stack hardened, which aws-cdk-lib then applies it to once more. */
  private readonly hardenedInPass = new Set<IConstruct>();

  constructor(props: ServerlessHardeningProps = {}) {
    super();
    checkFunctionHardeningProps('ServerlessHardening', props);
    this.mixins = kindMixins(props);
  }

  /** True for what one of the kind mixins hardens, and for an app, stage or stack, which it hardens in one pass. */
  public supports(construct: IConstruct): boolean {
    return isPassScope(construct) || this.mixins.some((mixin) => mixin.supports(construct));
  }

  public applyTo(construct: IConstruct): void {
    if (this.hardenedInPass.delete(construct)) return;
    if (isPassScope(construct)) this.applyToAll(construct);
    else this.applyKinds(construct);
  }

  /**
   * Hardens everything under an app, stage or stack in one pass, in the order
   * aws-cdk-lib would apply the mixin to each (the tree as it was when the pass
   * began, each construct asked whether it is supported when its turn comes),
   * so that the stacks' lookups are made once for the whole pass.
   */
  private applyToAll(scope: IConstruct): void {
    this.hardenedInPass.clear();
    inHardeningPass(() => {
      for (const construct of scope.node.findAll()) {
        if (construct === scope || !this.supports(construct)) continue;
        this.hardenedInPass.add(construct);
        if (!isPassScope(construct)) this.applyKinds(construct);
      }
    });
  }

  private applyKinds(construct: IConstruct): void {
    for (const mixin of this.mixins) {
      if (!mixin.supports(construct)) continue;
      inWorkStep(`mixin:${mixin.constructor.name}`, () => {
        countWork(construct);
        mixin.applyTo(construct);
      });
    }
  }
}

/** An app, a stage or a stack: a scope the mixin hardens in one pass. */
function isPassScope(construct: IConstruct): boolean {
  return Stage.isStage(construct) || Stack.isStack(construct);
}
