import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledgementsUnder } from '../report/app-scan';
import { PluginObserver } from '../report/findings';
import { AcknowledgementSource } from '../report/schema';
import { staleAcknowledgements } from '../report/stale-acknowledgements';

/**
 * What `Guardrails.enforce` does with an acknowledgement of the app that
 * matches no finding (a typo, a renamed rule, a rule that no longer fires, a
 * wrong id form).
 */
export enum StaleAcknowledgements {
  /** List it in the security report and its synth summary line. */
  REPORT = 'REPORT',
  /** List it, and fail the synth on it. */
  FAIL = 'FAIL',
}

const RULE = 'ServerlessSecurity-StaleAcknowledgement';

/**
 * Fails the synth on each acknowledgement of the app that matched no finding of
 * the plugins it observes (registered before it). Acknowledgements the library
 * or aws-cdk-lib recorded are the report's to list, never the app's to fix.
 */
export class StaleAcknowledgementCheck implements IPolicyValidationPlugin {
  public readonly name = 'ServerlessSecurity-Acknowledgements';
  private readonly observer: PluginObserver;

  constructor(plugins: readonly IPolicyValidationPlugin[]) {
    this.observer = new PluginObserver(plugins);
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const app = (context as { appConstruct?: IConstruct }).appConstruct;
    if (!app || !Stage.isStage(app)) return { success: true, violations: [] };
    const observed = this.observer.observedReports(context.templatePaths);
    const stale = staleAcknowledgements(app, acknowledgementsUnder(app), observed, this.observer.namespaces)
      .filter((ack) => ack.by === AcknowledgementSource.USER);
    const violations: PolicyViolation[] = stale.map((ack) => ({
      ruleName: `${RULE}[${ack.rule}]`,
      description: `The acknowledgement '${ack.rule}' (${ack.reason}) ${ack.why}.`,
      fix: 'Correct the id (copy it from the finding) or remove the acknowledgement.',
      // Fatal: acknowledging that an acknowledgement is stale would only hide it again.
      severity: 'fatal',
      violatingResources: [{ constructPath: ack.path, locations: [] }],
    }));
    return { success: violations.length === 0, violations };
  }
}
