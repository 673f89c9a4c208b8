import { IPolicyValidationPlugin, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { builtInTemplateValidation } from './built-in-validation';
import { ControlTowerChecks } from './control-tower-checks';
import { ServerlessSecurityChecks } from './serverless-security-checks';
import { invalidProp } from '../core/errors';
import { ComplianceProfile, setDefaultProfile } from '../core/profile';
import { SecurityReport } from '../report/security-report';

/**
 * Options of `Guardrails.enforce`.
 */
export interface GuardrailsProps {
  /**
   * The compliance bar: which packs run, and the default profile of every
   * SecurityBaseline in the app.
   *
   * @default ComplianceProfile.STANDARD
   */
  readonly profile?: ComplianceProfile;

  /**
   * Also run the AWS Control Tower proactive controls with cfn-guard. Needs the
   * optional peer dependency `@cdklabs/cdk-validator-cfnguard`.
   *
   * @default false
   */
  readonly controlTower?: boolean;

  /**
   * More validation plugins to run, such as another cdk-nag pack.
   *
   * @default - none
   */
  readonly additionalPlugins?: IPolicyValidationPlugin[];

  /**
   * Whether cdk-nag describes each finding at length.
   *
   * @default false
   */
  readonly verbose?: boolean;

  /**
   * Whether to write the security report (`security-report.json`,
   * `security-report.md` and `security-report.sarif`) into the cloud assembly at each synth. It never fails
   * the synth, and counts the open findings of every plugin registered here.
   *
   * @default true
   */
  readonly report?: boolean;

  /**
   * A `security-report.json` committed from an earlier synth (the main
   * branch's), to compare each synth's report with: the synth then also writes
   * `security-changes.md` (a section for a pull-request comment) and
   * `security-changes.json`, what each function, API, data store and key gained
   * or lost since, and prints a one-line summary. Read at synth, relative to the
   * directory the synth runs in; a file that is missing, unreadable or not a
   * security report fails the synth.
   *
   * @default - no comparison
   */
  readonly baseline?: string;
}

/**
 * Turns `cdk synth` into a security gate.
 */
export class Guardrails {
  /**
   * Registers, on the app (or stage), the library's `ServerlessSecurityChecks`
   * plus the cdk-nag packs of the profile: AwsSolutions and Serverless, and for
   * REGULATED also HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1. Any
   * unacknowledged finding, warnings included, then fails `app.synth()` and `cdk synth`.
   * Last, it registers the `SecurityReport`, which writes `security-report.json`,
   * `security-report.md` and `security-report.sarif` into the cloud assembly (turn it
   * off with `report: false`), and with a `baseline` the changes since it.
   * With the report on, aws-cdk-lib's own template validation (`CloudFormation Validate`,
   * unless `CDK_VALIDATION=false`) is registered on the app just before it, so that the
   * report counts its findings too; aws-cdk-lib then adds no second copy.
   *
   * Acknowledge a finding on the construct it concerns, with its reason:
   * `Validations.of(construct).acknowledge({ id: 'AwsSolutions-SQS3', reason: '...' })`.
   *
   * @returns the plugins registered, in order
   */
  public static enforce(scope: Stage, props: GuardrailsProps = {}): IPolicyValidationPlugin[] {
    const profile = props.profile ?? ComplianceProfile.STANDARD;
    if (props.baseline !== undefined && (typeof props.baseline !== 'string' || props.baseline.trim() === '' || props.report === false)) {
      invalidProp(scope, 'baseline', props.baseline,
        'the path of a security-report.json of an earlier synth, with the report on (a baseline is compared with the report, so report: false leaves nothing to compare)');
    }
    setDefaultProfile(scope, profile);
    const verbose = props.verbose ?? false;
    const plugins: IPolicyValidationPlugin[] = [
      new ServerlessSecurityChecks(scope, { verbose }),
      new AwsSolutionsChecks(scope, { verbose }),
      new ServerlessChecks(scope, { verbose }),
    ];
    if (profile === ComplianceProfile.REGULATED) {
      plugins.push(
        new HIPAASecurityChecks(scope, { verbose }),
        new NIST80053R5Checks(scope, { verbose }),
        new PCIDSS321Checks(scope, { verbose }),
      );
    }
    if (props.controlTower) plugins.push(new ControlTowerChecks());
    plugins.push(...props.additionalPlugins ?? []);
    if (props.report ?? true) {
      // aws-cdk-lib runs its own template validation after every registered plugin,
      // out of the report's sight; registered here, it runs once, before the report.
      const builtIn = builtInTemplateValidation(scope, plugins);
      if (builtIn) plugins.push(builtIn);
      // Last, so that it runs after the plugins it observes.
      plugins.push(new SecurityReport(scope, { plugins: [...plugins], baseline: props.baseline }));
    }
    Validations.of(scope).addPlugins(...plugins);
    return plugins;
  }

  private constructor() {}
}
