import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { packOf } from './findings';
import { baseRule, ruleText } from './rule-texts';
import { SecurityReportAcknowledgement, SecurityReportDocument, SecurityReportFinding } from './schema';

/** The metadata entry in which aws-cdk-lib records where a resource or stack was created. */
const CREATION_STACK = 'aws:cdk:creationStack';
/** The directory of this library's own code (`lib/` once compiled, `src/` in its repository), whose frames are not the app's. */
const LIBRARY_CODE = path.resolve(__dirname, '..');
const SRCROOT = 'SRCROOT';
const INFORMATION_URI = 'https://github.com/cdk-secure-serverless/cdk-secure-serverless';

/** A result before it is written: an open finding or an acknowledgement. */
interface Entry {
  readonly rule: string;
  readonly pack: string;
  readonly level: string;
  readonly message: string;
  readonly path?: string;
  readonly logicalId?: string;
  readonly suppression?: { readonly reason: string; readonly by: string };
}

/**
 * `security-report.sarif`: the open findings and the acknowledgements of a
 * report as SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).
 *
 * One result per open finding and one per acknowledgement (a suppressed
 * result whose justification is the acknowledgement's reason). Each result
 * names its rule, with the rule's description, explanation and fix where a
 * pack gave them, its level, a logical location (the stack, the construct path
 * and the logical id) and a physical location: the line of the app's source
 * that created the resource, when aws-cdk-lib recorded it (construct creation
 * stack traces), else the resource's line in its template.
 */
export class SarifWriter {
  /** The directory result paths are relative to: the git repository around the working directory, else the working directory. */
  private readonly sourceRoot = sourceRootOf(process.cwd());
  private readonly templateLines = new Map<string, Map<string, number>>();

  constructor(private readonly root: IConstruct, private readonly outdir: string) {}

  /** The SARIF log of a report, as JSON text. */
  public render(report: SecurityReportDocument): string {
    const ran = new Map(report.summary.findings.map((pack) => [pack.pack.replace(/ /g, '-'), pack.ran]));
    const entries = [
      ...report.stages.flatMap((stage) => [
        ...stage.openFindings.map(openEntry),
        ...stage.stacks.flatMap((stack) => stack.openFindings.map(openEntry)),
      ]),
      ...report.stages.flatMap((stage) => [
        ...stage.acknowledgements.map(acknowledgementEntry),
        ...stage.stacks.flatMap((stack) => stack.acknowledgements.map(acknowledgementEntry)),
      ]),
    ];
    const ruleIds = [...new Set(entries.map((entry) => entry.rule))].sort();
    const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
    const log = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{
        tool: {
          driver: {
            name: 'cdk-secure-serverless',
            informationUri: INFORMATION_URI,
            version: libraryVersion(),
            rules: ruleIds.map((id) => this.rule(id, entries.find((entry) => entry.rule === id)!, ran)),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileUri(this.sourceRoot)}/` } },
        results: entries.map((entry) => this.result(entry, ruleIndex.get(entry.rule)!)),
      }],
    };
    return JSON.stringify(log, undefined, 2) + '\n';
  }

  private rule(id: string, entry: Entry, ran: ReadonlyMap<string, boolean>): object {
    const known = ruleText(id);
    const description = known?.description ?? (ran.get(entry.pack)
      ? `${baseRule(id)}, a rule of ${entry.pack}, which reports nothing about a finding it leaves out as acknowledged.`
      : `${baseRule(id)}, a rule of ${entry.pack}, a pack that did not run in this synth: its acknowledgement waits for the pack to be turned on.`);
    const help = [description, known?.explanation, known?.fix ? `Fix: ${known.fix}` : undefined].filter(Boolean) as string[];
    return {
      id,
      name: baseRule(id),
      shortDescription: { text: firstSentence(description) },
      fullDescription: { text: [description, known?.explanation].filter(Boolean).join(' ') },
      help: { text: help.join('\n\n'), markdown: help.join('\n\n') },
      defaultConfiguration: { level: sarifLevel(known?.level ?? entry.level) },
      properties: { pack: entry.pack, tags: ['security', entry.pack] },
    };
  }

  private result(entry: Entry, ruleIndex: number): object {
    const construct = entry.path !== undefined ? findConstruct(this.root, entry.path) : undefined;
    const resource = construct ? resourceOf(construct) : undefined;
    const stack = construct ? stackOf(construct) : undefined;
    const logicalId = entry.logicalId ?? (resource ? Stack.of(resource).resolve(resource.logicalId) : undefined);
    const logicalLocations = [
      ...stack ? [{ name: stack.stackName, fullyQualifiedName: stack.node.path, kind: 'module' }] : [],
      ...entry.path !== undefined ? [{ name: logicalId ?? entry.path.split('/').pop(), fullyQualifiedName: entry.path, kind: 'resource' }] : [],
    ];
    const physicalLocation = (construct && this.sourceLocation(resource ?? construct))
      ?? (stack && logicalId ? this.templateLocation(stack, logicalId) : undefined);
    return {
      ruleId: entry.rule,
      ruleIndex,
      level: sarifLevel(entry.level),
      message: { text: entry.message },
      locations: [{ ...physicalLocation ? { physicalLocation } : {}, ...logicalLocations.length > 0 ? { logicalLocations } : {} }],
      partialFingerprints: { 'cdkSecureServerless/v1': fingerprint(entry.rule, entry.path ?? '') },
      ...entry.suppression ? { suppressions: [{ kind: 'inSource', status: 'accepted', justification: entry.suppression.reason }] } : {},
      properties: {
        pack: entry.pack,
        ...stack ? { stack: stack.node.path } : {},
        ...entry.path !== undefined ? { constructPath: entry.path } : {},
        ...logicalId ? { logicalId } : {},
        ...entry.suppression ? { acknowledgedBy: entry.suppression.by } : {},
      },
    };
  }

  /** The first frame of the app's own code in the construct's creation stack, when aws-cdk-lib recorded one. */
  private sourceLocation(construct: IConstruct): object | undefined {
    const frames = construct.node.metadata.find((entry) => entry.type === CREATION_STACK)?.data;
    if (!Array.isArray(frames)) return undefined;
    for (const frame of frames) {
      const location = frameLocation(String(frame));
      if (!location || location.file.includes(`${path.sep}node_modules${path.sep}`) || isLibraryCode(location.file)) continue;
      return {
        artifactLocation: this.artifact(location.file),
        region: { startLine: location.line, ...location.column !== undefined ? { startColumn: location.column } : {} },
      };
    }
    return undefined;
  }

  /** The line of the resource in its synthesized template. */
  private templateLocation(stack: Stack, logicalId: string): object | undefined {
    const file = path.join(stageOutdir(stack) ?? this.outdir, stack.templateFile);
    let lines = this.templateLines.get(file);
    if (!lines) {
      lines = new Map();
      try {
        fs.readFileSync(file, 'utf-8').split('\n').forEach((line, i) => {
          // aws-cdk-lib indents templates by one space: a resource's key is two spaces in.
          const key = /^ {2}"([^"]+)": \{$/.exec(line)?.[1];
          if (key !== undefined && !lines!.has(key)) lines!.set(key, i + 1);
        });
      } catch {
        // No template to point at: the result keeps its logical location.
      }
      this.templateLines.set(file, lines);
    }
    const line = lines.get(logicalId);
    return line !== undefined ? { artifactLocation: this.artifact(file), region: { startLine: line } } : undefined;
  }

  private artifact(file: string): object {
    const relative = path.relative(this.sourceRoot, file);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return { uri: pathToFileUri(file) };
    return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  }
}

function openEntry(finding: SecurityReportFinding): Entry {
  return {
    rule: finding.rule,
    pack: finding.pack,
    level: finding.severity,
    message: `${finding.description}${finding.path ? ` (${finding.rule} on ${finding.path})` : ` (${finding.rule})`}`,
    ...finding.path !== undefined ? { path: finding.path } : {},
    ...finding.logicalId !== undefined ? { logicalId: finding.logicalId } : {},
  };
}

function acknowledgementEntry(ack: SecurityReportAcknowledgement): Entry {
  const known = ruleText(ack.rule);
  return {
    rule: ack.rule,
    pack: packOf(ack.rule),
    level: known?.level ?? 'warning',
    message: `${ack.rule} on ${ack.path || 'the app'}, acknowledged by the ${ack.by === 'user' ? 'app' : ack.by}: ${ack.reason}`,
    path: ack.path,
    suppression: { reason: ack.reason, by: ack.by },
  };
}

/** SARIF's levels: a fatal finding or an error is `error`, a warning `warning`, anything else `note`. */
function sarifLevel(level: string): string {
  const lower = level.toLowerCase();
  return lower === 'error' || lower === 'fatal' ? 'error' : lower === 'warning' ? 'warning' : 'note';
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end > 0 ? text.slice(0, end + 1) : text;
}

function fingerprint(rule: string, constructPath: string): string {
  return createHash('sha256').update(`${rule}\n${constructPath}`).digest('hex').slice(0, 32);
}

/** The construct at a path (`Shop/Api/Resource`), walked from the app; `''` is the app. */
function findConstruct(root: IConstruct, constructPath: string): IConstruct | undefined {
  let current: IConstruct | undefined = root;
  for (const id of constructPath.split('/').filter(Boolean)) {
    current = current?.node.tryFindChild(id);
    if (!current) return undefined;
  }
  return current;
}

/** The resource a construct stands for: itself, or its default child, down to a CloudFormation resource. */
function resourceOf(construct: IConstruct): CfnResource | undefined {
  let current: IConstruct | undefined = construct;
  while (current && !CfnResource.isCfnResource(current)) current = current.node.defaultChild;
  return current;
}

function stackOf(construct: IConstruct): Stack | undefined {
  try {
    return CfnElement.isCfnElement(construct) ? construct.stack : Stack.of(construct);
  } catch {
    return undefined;
  }
}

function stageOutdir(stack: Stack): string | undefined {
  let scope: IConstruct | undefined = stack.node.scope;
  while (scope && (scope as { outdir?: string }).outdir === undefined) scope = scope.node.scope;
  return (scope as { outdir?: string } | undefined)?.outdir;
}

/**
 * The file, line and column of a creation stack frame, as aws-cdk-lib renders
 * them: `fn (/app/bin/app.ts:12:5)`, `/app/bin/app.ts:12: (/app/bin/app.ts:12:5)`
 * or `/app/bin/app.ts:12 (:)`; undefined for a frame it collapsed (`...new Queue in aws-cdk-lib...`).
 */
function frameLocation(frame: string): { file: string; line: number; column?: number } | undefined {
  const text = frame.trim();
  const match = /\(((?:[A-Za-z]:)?[^():]+):(\d+):(\d+)\)$/.exec(text) ?? /^((?:[A-Za-z]:)?[^():\s][^():]*):(\d+)(?::(\d+))?/.exec(text);
  if (!match || !path.isAbsolute(match[1])) return undefined;
  return { file: path.resolve(match[1]), line: Number(match[2]), ...match[3] !== undefined ? { column: Number(match[3]) } : {} };
}

function isLibraryCode(file: string): boolean {
  return file.startsWith(LIBRARY_CODE + path.sep);
}

/** The nearest directory from `start` up that holds a git repository (`.git`), else `start`. */
function sourceRootOf(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}

function pathToFileUri(file: string): string {
  return `file://${file.split(path.sep).map(encodeURIComponent).join('/').replace(/^([^/])/, '/$1')}`;
}

function libraryVersion(): string {
  try {
    // lib/report/sarif.js (or src/report/sarif.ts) to the package's package.json
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
