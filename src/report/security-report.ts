import * as fs from 'fs';
import * as path from 'path';
import {
  IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stage,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledgementHint } from './acknowledgement-hint';
import { compareReports, headlineOf, renderChanges } from './changes';
import { SecurityChangesDocument } from './changes-schema';
import { PluginObserver } from './findings';
import { failingPacks, renderMarkdown, reportLine } from './markdown';
import { buildReport, SCHEMA_VERSION } from './report-builder';
import { SarifWriter } from './sarif';
import { SecurityReportDocument } from './schema';
import { staleAcknowledgements } from './stale-acknowledgements';

/**
 * Properties of a SecurityReport.
 */
export interface SecurityReportProps {
  /**
   * Validation plugins (packs) whose findings the report counts per pack.
   *
   * CDK shows a plugin nothing of the others' results, so the report wraps the
   * `validate` method of each plugin given here to record its result. Register
   * them before the report, so that they run first. `Guardrails.enforce` passes
   * every plugin it registers.
   *
   * @default - none: the report counts each pack's acknowledgements only
   */
  readonly plugins?: IPolicyValidationPlugin[];

  /**
   * A `security-report.json` of an earlier synth (typically committed from the
   * main branch), to compare this synth's report with: each synth then also
   * writes `security-changes.md` and `security-changes.json`, what was added or
   * removed since, and prints a one-line summary.
   *
   * The path is read at synth, relative to the directory the synth runs in. A
   * file that is missing, unreadable or not a security report fails the synth
   * when the report is given the app (`Guardrails.enforce` gives it);
   * otherwise it is explained on stderr and no changes are written.
   *
   * @default - no comparison: no `security-changes.*` files
   */
  readonly baseline?: string;
}

/**
 * A validation plugin that never fails synth and writes `security-report.json`,
 * `security-report.md` and `security-report.sarif` into the cloud assembly
 * directory, beside the templates: for each function what its role allows, who can invoke it, where
 * it runs and what it reaches, its keys, logs, concurrency, dead letters and
 * alarms; for each REST API its stages and routes with their authorization
 * and throttling; for each table, queue, topic, secret and bucket its key,
 * recovery settings and the functions that read or write it; each KMS key and
 * Cognito user pool; the open findings of the packs it observes; every
 * acknowledged finding and typed waiver with its reason; and, in the Markdown,
 * a Mermaid graph of invokers, functions and data stores per stack. The SARIF
 * 2.1.0 log holds the open findings and the acknowledgements (as suppressed
 * results) for code scanning. Given a `baseline`, it also writes
 * `security-changes.md` and `security-changes.json`, what changed since. After
 * writing, it prints one line on stderr with the path and headline counts (and
 * one with the changes).
 *
 * The report is built from the synthesized templates and the construct tree in
 * one pass, in time linear in the number of resources. Relations are read
 * within one template (as the guardrail rules read them); a statement on `*`
 * reaches every data store of the app in the same account.
 *
 * `Guardrails.enforce` registers it; to use it alone, register it last and pass
 * the app, which lets it clear the report files an earlier synth left in the
 * same directory (validation plugins may add files to the cloud assembly but
 * not change existing ones):
 *
 * @example
 * import { SecurityReport } from 'cdk-secure-serverless';
 *
 * const app = new App();
 * Validations.of(app).addPlugins(new SecurityReport(app));
 */
export class SecurityReport implements IPolicyValidationPlugin {
  /** The file name of the JSON report. */
  public static readonly JSON_FILE = 'security-report.json';
  /** The file name of the Markdown report. */
  public static readonly MARKDOWN_FILE = 'security-report.md';
  /** The file name of the SARIF 2.1.0 log of the open findings and acknowledgements. */
  public static readonly SARIF_FILE = 'security-report.sarif';
  /** The file name of the changes since the baseline, as a Markdown section for a pull-request comment. */
  public static readonly CHANGES_MARKDOWN_FILE = 'security-changes.md';
  /** The file name of the changes since the baseline, as JSON. */
  public static readonly CHANGES_JSON_FILE = 'security-changes.json';

  /** The plugin name. */
  public readonly name: string = 'SecurityReport';
  private readonly observer: PluginObserver;
  private readonly baseline?: string;
  /** Headlines printed, by report file: a second synth of the same app writes the same report and says nothing new. */
  private readonly printed = new Map<string, string>();

  /**
   * @param scope the app (or a construct in it); when given, report files left by an earlier synth into the same directory are removed now, before synthesis, and a baseline that cannot be read fails the synth
   * @param props options
   */
  constructor(scope?: IConstruct, props: SecurityReportProps = {}) {
    this.observer = new PluginObserver(props.plugins ?? []);
    this.baseline = props.baseline;
    const root = scope?.node.root;
    if (root && Stage.isStage(root)) {
      const files = [
        SecurityReport.JSON_FILE, SecurityReport.MARKDOWN_FILE, SecurityReport.SARIF_FILE,
        SecurityReport.CHANGES_MARKDOWN_FILE, SecurityReport.CHANGES_JSON_FILE,
      ];
      for (const file of files) fs.rmSync(path.join(root.outdir, file), { force: true });
    }
    const baseline = props.baseline;
    if (root && baseline !== undefined) {
      root.node.addValidation({
        validate: () => {
          const read = readBaseline(baseline);
          return 'error' in read ? [read.error] : [];
        },
      });
    }
  }

  /**
   * Writes the report of the app being synthesized. Always succeeds: a report
   * that cannot be written is explained on stderr.
   *
   * @param context the validation context CDK passes
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    try {
      const app = (context as { appConstruct?: IConstruct }).appConstruct;
      if (!app || !Stage.isStage(app)) {
        warn('the security report was not written: this version of aws-cdk-lib does not pass the app to validation plugins');
      } else {
        this.write(app, context);
      }
    } catch (error) {
      warn(`the security report was not written: ${(error as Error).message}`);
    }
    return { success: true, violations: [] };
  }

  private write(app: Stage, context: IPolicyValidationContext): void {
    const observed = this.observer.observedReports(context.templatePaths);
    const report = buildReport(app, {
      templatePaths: context.templatePaths,
      findings: (keys, acknowledgements) => this.observer.findings(context.templatePaths, keys, acknowledgements, app),
      staleAcknowledgements: (acknowledgements) => staleAcknowledgements(app, acknowledgements, observed, this.observer.namespaces),
    });
    const jsonFile = path.join(app.outdir, SecurityReport.JSON_FILE);
    const markdownFile = path.join(app.outdir, SecurityReport.MARKDOWN_FILE);
    const files = new Map<string, string>([
      [jsonFile, JSON.stringify(report, undefined, 2) + '\n'],
      [markdownFile, renderMarkdown(report)],
      [path.join(app.outdir, SecurityReport.SARIF_FILE), new SarifWriter(app, app.outdir).render(report)],
    ]);
    const changes = this.compare(report);
    if (changes) {
      files.set(path.join(app.outdir, SecurityReport.CHANGES_JSON_FILE), JSON.stringify(changes.document, undefined, 2) + '\n');
      files.set(path.join(app.outdir, SecurityReport.CHANGES_MARKDOWN_FILE), changes.markdown);
    }
    const stale = [...files].map(([file, content]) => writeNewFile(file, content)).filter((file): file is string => file !== undefined);
    if (stale.length > 0) {
      const names = stale.map(displayPath);
      const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
      warn(`the security report was not updated: ${list} ${stale.length > 1 ? 'are' : 'is'} left from an earlier synth, `
        + 'and validation plugins may not change files that exist before validation. Delete them, or construct the report with the app '
        + '(new SecurityReport(app)) so that it removes them before synthesis.');
      return;
    }
    const lines = [
      reportLine(displayPath(markdownFile), report, acknowledgementHint(observed, failingPacks(report))),
      ...changes ? [`security changes since ${this.baseline}: ${changes.headline} (${displayPath(path.join(app.outdir, SecurityReport.CHANGES_MARKDOWN_FILE))})`] : [],
    ].join('\n');
    if (this.printed.get(markdownFile) === lines) return;
    this.printed.set(markdownFile, lines);
    warn(lines.replace(/\n/g, '\ncdk-secure-serverless: '));
  }

  /** The changes since the baseline; none without one, or when it cannot be read (which is explained). */
  private compare(report: SecurityReportDocument): { document: SecurityChangesDocument; markdown: string; headline: string } | undefined {
    if (this.baseline === undefined) return undefined;
    const read = readBaseline(this.baseline);
    if ('error' in read) {
      warn(`the security changes were not written: ${read.error}`);
      return undefined;
    }
    const document = compareReports(read.report, report, this.baseline);
    return { document, markdown: renderChanges(document), headline: headlineOf(document) };
  }
}

/**
 * Reads a baseline report: a `security-report.json` of this library of a
 * schema version up to this one; else the error, worded for the synth's output.
 */
function readBaseline(file: string): { report: SecurityReportDocument } | { error: string } {
  const allowed = `the path of a security-report.json that cdk-secure-serverless wrote at an earlier synth (report schema 1 to ${SCHEMA_VERSION}), `
    + `relative to the directory the synth runs in (${process.cwd()})`;
  const invalid = (why: string) => ({ error: `invalid baseline: received ${JSON.stringify(file)}, ${why}; allowed: ${allowed}` });
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf-8');
  } catch (error) {
    return invalid(`which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return invalid(`which is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.generatedBy !== 'cdk-secure-serverless' || !Array.isArray(parsed.stages)
    || typeof parsed.schemaVersion !== 'number') {
    return invalid('which is not a security report (no generatedBy "cdk-secure-serverless", schemaVersion and stages)');
  }
  if (parsed.schemaVersion > SCHEMA_VERSION) {
    return invalid(`a report of schema ${parsed.schemaVersion}, written by a newer version of the library than this one (schema ${SCHEMA_VERSION})`);
  }
  return { report: parsed };
}

/**
 * Writes `content` to `file` unless the file exists: unchanged content is fine,
 * other content is a report of an earlier synth.
 *
 * @returns the file when it exists with other content
 */
function writeNewFile(file: string, content: string): string | undefined {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf-8') === content ? undefined : file;
  fs.writeFileSync(file, content);
  return undefined;
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.length < file.length && !relative.startsWith('..') ? relative : file;
}

function warn(message: string): void {
  process.stderr.write(`cdk-secure-serverless: ${message}\n`);
}
