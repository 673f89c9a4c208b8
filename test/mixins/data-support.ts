import { App, CfnResource, Mixin, Mixins, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { ComplianceProfile, setDefaultProfile } from '../../src/core/profile';
import { hardeningRecords } from '../../src/mixins/changes';
import { ENV, prefixListContext } from '../core/fixtures';

/** An app with one stack `S` in ENV, built by `build`, then hardened by `mixin` over the whole app. */
export function hardenedApp(build: (stack: Stack) => void, mixin: (profile: ComplianceProfile) => Mixin | Mixin[], profile: ComplianceProfile): App {
  const { app } = plainApp(build, profile);
  Mixins.of(app).apply(...[mixin(profile)].flat());
  return app;
}

/** The same app with no mixin applied; `profile` is the app's default, as `Guardrails.enforce` sets it. */
export function plainApp(build: (stack: Stack) => void, profile = ComplianceProfile.STANDARD): { app: App; stack: Stack } {
  const app = new App({ context: prefixListContext() });
  setDefaultProfile(app, profile);
  const stack = new Stack(app, 'S', { env: ENV });
  build(stack);
  return { app, stack };
}

/** The one stack of an app built by `hardenedApp` or `plainApp`. */
export function stackOf(app: App): Stack {
  return app.node.findChild('S') as Stack;
}

/** Every change recorded by `mixin`, as `<construct path>: <change>`, in tree order. */
export function changesOf(scope: IConstruct, mixin: string): string[] {
  return scope.node.findAll()
    .filter(c => CfnResource.isCfnResource(c))
    .flatMap(c => hardeningRecords(c).filter(r => r.mixin === mixin).map(r => `${c.node.path}: ${r.change}`));
}

/** The logical ids of every resource of the given types. */
export function statefulIds(template: Template, types: readonly string[]): string[] {
  return types.flatMap(type => Object.keys(template.findResources(type))).sort();
}

/** The templates of one app built plain, hardened once and hardened twice, for the idempotency and logical-id tests. */
export interface HardeningRun {
  readonly plain: Template;
  readonly hardened: Template;
  readonly twice: Template;
  /** The app hardened once, whose records the tests read. */
  readonly app: App;
}

/** Builds the app three times: plain, hardened by `mixin`, and hardened by it twice. */
export function hardenTwice(
  build: (stack: Stack) => void, mixin: (profile: ComplianceProfile) => Mixin | Mixin[], profile: ComplianceProfile,
): HardeningRun {
  const plain = Template.fromStack(plainApp(build, profile).stack);
  const app = hardenedApp(build, mixin, profile);
  const again = hardenedApp(build, mixin, profile);
  Mixins.of(again).apply(...[mixin(profile)].flat());
  return { plain, hardened: Template.fromStack(stackOf(app)), twice: Template.fromStack(stackOf(again)), app };
}
