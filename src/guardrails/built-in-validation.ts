import { CloudFormationValidatePlugin, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stage } from 'aws-cdk-lib';

/** aws-cdk-lib's switch for its built-in template validation, read at synth. */
const SWITCH = 'CDK_VALIDATION';

/** The shared instance aws-cdk-lib keeps: building its rule engine takes seconds, once per process. */
interface SingletonFactory {
  _singletonInstance?: () => CloudFormationValidatePlugin;
}

/**
 * aws-cdk-lib's built-in template validation (`CloudFormation Validate`), to
 * register before the report so that the report observes its findings.
 *
 * aws-cdk-lib appends the plugin after every registered one, so the report
 * would never see its result although it runs. Registered explicitly, it runs
 * once (aws-cdk-lib adds no second copy when the app has one) and with the
 * same rules, since it is the very instance aws-cdk-lib would use; it still
 * honours `CDK_VALIDATION=false` at synth, as the implicit one does.
 *
 * @returns the plugin, or undefined when aws-cdk-lib would not run it (turned
 * off, a stage that is not the app, one already registered) or keeps no shared instance
 */
export function builtInTemplateValidation(scope: Stage, registered: readonly IPolicyValidationPlugin[]): IPolicyValidationPlugin | undefined {
  if (process.env[SWITCH] === 'false' || scope.node.root !== scope) return undefined;
  const existing = [...registered, ...registeredOn(scope)];
  if (existing.some(plugin => plugin instanceof CloudFormationValidatePlugin)) return undefined;
  const plugin = (CloudFormationValidatePlugin as unknown as SingletonFactory)._singletonInstance?.();
  if (!plugin) return undefined;
  honourSwitch(plugin);
  return plugin;
}

function registeredOn(stage: Stage): readonly IPolicyValidationPlugin[] {
  return (stage as unknown as { _validationPlugins?: IPolicyValidationPlugin[] })._validationPlugins ?? [];
}

/** What the registered plugin returns when `CDK_VALIDATION=false` skipped it: no result, not a clean one. */
export const SKIPPED_REPORT: PolicyValidationPluginReport = Object.freeze({ success: true, violations: [] });

const switched = new WeakSet<IPolicyValidationPlugin>();

/** Makes the registered plugin skip its run when `CDK_VALIDATION=false` at synth, once per instance. */
function honourSwitch(plugin: CloudFormationValidatePlugin): void {
  if (switched.has(plugin)) return;
  switched.add(plugin);
  const validate = plugin.validate.bind(plugin);
  (plugin as { validate: (context: IPolicyValidationContext) => PolicyValidationPluginReport }).validate = context =>
    process.env[SWITCH] === 'false' ? SKIPPED_REPORT : validate(context);
}
