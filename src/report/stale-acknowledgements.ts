import { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { namespaceOf, packOf } from './findings';
import { AcknowledgementSource, SecurityReportAcknowledgement, SecurityReportStaleAcknowledgement } from './schema';
import { namespacedAcknowledgementsArePathScoped } from '../guardrails/acknowledgement-scope';
import { acknowledgementsUsedIn, acknowledgementUseKey } from '../guardrails/acknowledgement-use';
import { UNACKNOWLEDGEABLE_RULES } from '../guardrails/deployability-checks';

/** One plugin's result in this synth, before CDK core filters acknowledged findings. */
export interface ObservedReport {
  /** The plugin's name as CDK core namespaces its acknowledgements (spaces as hyphens). */
  readonly namespace: string;
  readonly report: PolicyValidationPluginReport;
  /** Whether the plugin filters plain-form acknowledgements itself, on the resource and its ancestors (cdk-nag packs, ControlTowerChecks). */
  readonly filtersAcknowledgements: boolean;
}

/**
 * Packs an acknowledgement may name without being stale in a synth where they
 * did not run (HIPAA in the STANDARD profile, Control Tower without its
 * validator): the cdk-nag packs, the library's plugins, aws-cdk-lib's own.
 */
const KNOWN_PACKS = new Set([
  'AwsSolutions', 'Serverless', 'HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321',
  'ServerlessSecurity', 'ServerlessSecurity-Deployability', 'ControlTower', 'CloudFormation-Validate', 'Annotation',
]);

/** Packs whose rule ids start with the pack name (`AwsSolutions-IAM5`), also after a namespace. */
const RULE_PREFIXED_PACKS = new Set([...KNOWN_PACKS].filter((pack) => pack !== 'CloudFormation-Validate' && pack !== 'Annotation'));

/** The ids ControlTowerChecks also honours, under the namespace of aws-cdk-lib's cfn-guard plugin. */
const ALIASES = new Map([['cdk-validator-cfnguard', 'ControlTower']]);

/**
 * The acknowledgements that matched no finding in this synth: a typo, a
 * renamed rule, a rule that no longer fires, or an id form that the pack never
 * reports (`AwsSolutions::IAM5` for `AwsSolutions::AwsSolutions-IAM5`).
 *
 * An acknowledgement counts as used when it covers a finding that a plugin
 * filtered (cdk-nag packs and ControlTowerChecks, recorded while they ran), also
 * when a nearer acknowledgement of the same id shadows it, or when a
 * finding a plugin reported has its id in the `Pack::Rule` form and CDK core
 * would match it: app-wide up to aws-cdk-lib 2.270, on the construct's subtree
 * from 2.271. Only acknowledgements of packs that ran are judged; one naming a
 * pack that neither ran nor exists is stale too. Those aws-cdk-lib records for its
 * own template validation are left out: it records them in advance.
 *
 * @param registered the namespaces of every plugin registered, observed or not
 */
export function staleAcknowledgements(
  root: IConstruct,
  acknowledgements: readonly SecurityReportAcknowledgement[],
  observed: readonly ObservedReport[],
  registered: ReadonlySet<string>,
): SecurityReportStaleAcknowledgement[] {
  const used = acknowledgementsUsedIn(root);
  const byKey = new Map<string, SecurityReportAcknowledgement[]>();
  for (const ack of acknowledgements) {
    const list = byKey.get(ack.rule.replace(/ /g, '-')) ?? [];
    list.push(ack);
    byKey.set(ack.rule.replace(/ /g, '-'), list);
  }
  const scoped = namespacedAcknowledgementsArePathScoped();
  for (const { namespace, report } of observed) {
    for (const violation of report.violations) {
      if (violation.severity?.toLowerCase() === 'fatal') continue;
      const key = (namespaceOf(violation.ruleName) !== undefined ? violation.ruleName : `${namespace}::${violation.ruleName}`).replace(/ /g, '-');
      const candidates = byKey.get(key);
      if (!candidates) continue;
      if (!scoped) {
        for (const ack of candidates) used.add(acknowledgementUseKey(ack.path, ack.rule));
        continue;
      }
      for (const resource of violation.violatingResources) {
        for (const ack of candidates.filter((candidate) => covers(candidate.path, resource.constructPath ?? ''))) {
          used.add(acknowledgementUseKey(ack.path, ack.rule));
        }
      }
    }
  }
  const ran = new Set(observed.map((o) => o.namespace));
  const stale: SecurityReportStaleAcknowledgement[] = [];
  for (const ack of acknowledgements) {
    // aws-cdk-lib records its own acknowledgements in advance, on the constructs where its validation might find something.
    if (ack.by === AcknowledgementSource.AWS_CDK_LIB || used.has(acknowledgementUseKey(ack.path, ack.rule))) continue;
    const pack = ALIASES.get(packOf(ack.rule)) ?? packOf(ack.rule);
    const why = ran.has(pack) ? whyUnmatched(ack.rule, pack)
      : KNOWN_PACKS.has(pack) || registered.has(pack) ? undefined
        : `names no pack that ran or that the library knows ("${pack}")`;
    if (why) stale.push({ ...ack, why });
  }
  return stale;
}

/** Whether an acknowledgement on `ackPath` covers a resource at `resourcePath`: the path itself or an ancestor. */
function covers(ackPath: string, resourcePath: string): boolean {
  return ackPath === '' || resourcePath === ackPath || resourcePath.startsWith(`${ackPath}/`);
}

function whyUnmatched(rule: string, pack: string): string {
  const ruleName = namespaceOf(rule) === pack ? rule.slice(pack.length + 2) : rule;
  if (UNACKNOWLEDGEABLE_RULES.some((id) => ruleName === id || ruleName.startsWith(`${id}[`))) {
    return 'names a finding that means CloudFormation will refuse the template, which no acknowledgement can cover: fix the template';
  }
  if (ruleName !== rule && !ruleName.startsWith(`${pack}-`) && RULE_PREFIXED_PACKS.has(pack)) {
    return `matches no finding of ${pack}: its findings are acknowledged as ${pack}-<Rule> or ${pack}::${pack}-<Rule>, not ${rule}`;
  }
  return `matches no finding of ${pack} in this synth: a typo, a renamed rule, or a rule that no longer fires here`;
}
