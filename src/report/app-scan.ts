import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct, MetadataEntry } from 'constructs';
import { isAwsCdkLibAcknowledgement } from './cdk-acknowledgements';
import { referencedIds } from './references';
import { AcknowledgementSource, SecurityReportAcknowledgement, SecurityReportHardening, SecurityReportWaiver } from './schema';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA, LibraryAcknowledgement, WAIVER_METADATA, WaiverRecord } from '../core/acknowledgements';
import { countEach, countWork } from '../core/work-count';
import { asArray, CfnValue, isObject, referencedLogicalId, renderText } from '../guardrails/cfn-values';
import { IndexedResource, TemplateIndex } from '../guardrails/resource-index';
import { HardeningRecord, hardeningRecords, runtimeChangeRecords } from '../mixins/changes';

/** CDK core stores an acknowledgement of a plain id as `Annotation::<id>`. */
const ANNOTATION_PREFIX = /^annotation::/i;

/** A resource of a template, with what the report needs besides its properties. */
export interface ScannedResource extends IndexedResource {
  /** Construct path, without a trailing `/Resource`. */
  readonly path: string;
  /** The CloudFormation `DeletionPolicy` (`Delete` when the template sets none). */
  readonly deletionPolicy: string;
}

/** One stack of the app: its template, indexed, and what its constructs recorded. */
export class ScannedStack {
  /** Acknowledgements recorded on constructs of this stack. */
  public readonly acknowledgements: SecurityReportAcknowledgement[] = [];
  /** Waivers recorded on constructs of this stack. */
  public readonly waivers: SecurityReportWaiver[] = [];
  /** Changes hardening mixins recorded on resources of this stack. */
  public readonly hardened: SecurityReportHardening[] = [];
  /** Of those, the changes to how resources run. */
  public readonly runtimeChanges: SecurityReportHardening[] = [];
  /** The index of the stack's template, shared with the guardrail rules' lookups. */
  public readonly template: TemplateIndex;
  /** Resources by logical id. */
  private readonly byLogicalId = new Map<string, ScannedResource>();
  private readonly byType = new Map<string, ScannedResource[]>();
  private readonly nodes: CfnResource[] = [];

  constructor(
    public readonly stack: Stack,
    public readonly stage: Stage,
    /** The template file of the top-level stack this stack belongs to (itself unless nested). */
    public readonly rootTemplatePath: string,
  ) {
    this.template = new TemplateIndex(stack);
  }

  /** The resources of one CloudFormation type, in template order. */
  public resourcesOf(type: string): readonly ScannedResource[] {
    return countEach(this.byType.get(type) ?? []);
  }

  /** Every resource of the template, in template order. */
  public allResources(): readonly ScannedResource[] {
    return countEach([...this.byLogicalId.values()]);
  }

  /** The logical ids of the functions that custom resources invoke at deployment (their `ServiceToken`). */
  public deployTimeHelperIds(): Set<string> {
    const customResources = [...this.byType].filter(([type]) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource');
    return new Set(customResources.flatMap(([, resources]) => resources)
      .map((resource) => referencedLogicalId(resource.properties.ServiceToken))
      .filter((id): id is string => id !== undefined));
  }

  /** The resource with this logical id (of this type, when given). */
  public resource(logicalId: string | undefined, type?: string): ScannedResource | undefined {
    const found = logicalId === undefined ? undefined : this.byLogicalId.get(logicalId);
    if (found) countWork(found.node);
    return found && (type === undefined || found.type === type) ? found : undefined;
  }

  /** The resource a `Ref` or `Fn::GetAtt` value points at. */
  public referenced(value: CfnValue, type?: string): ScannedResource | undefined {
    return this.resource(referencedLogicalId(value), type);
  }

  /**
   * A value as a reader wants to see it: the construct path of the resource it
   * references in this template, else the value rendered as text.
   */
  public nameOf(value: CfnValue): string {
    return this.referenced(value)?.path ?? renderText(value);
  }

  /**
   * The construct path of the resource of `type` that a value is built from,
   * when it refers to that one resource only (a log group ARN joined from its
   * `Ref`, a JWT issuer that ends with a user pool's id), else `nameOf(value)`.
   */
  public nameOfResource(value: CfnValue, type: string): string {
    const ids = referencedIds(value);
    const only = ids.size === 1 ? this.resource([...ids][0], type) : undefined;
    return only?.path ?? this.nameOf(value);
  }

  /** Records a resource node, indexed later with the template. */
  public addNode(node: CfnResource): void {
    this.nodes.push(node);
  }

  /**
   * Indexes the template: reads the synthesized file once (rendering each
   * resource only when there is no file, e.g. before synthesis) and links
   * each resource to its construct.
   */
  public index(outdir: string): void {
    const template = readTemplate(path.join(outdir, this.stack.templateFile));
    const definitions: { [logicalId: string]: CfnValue } = isObject(template?.Resources) ? template.Resources : {};
    for (const node of this.nodes) {
      countWork(node);
      const logicalId: string = this.stack.resolve(node.logicalId);
      const definition = template ? definitions[logicalId] : this.stack.resolve((node as any)._toCloudFormation()).Resources?.[logicalId];
      if (!isObject(definition) || typeof definition.Type !== 'string') continue;
      const resource: ScannedResource = {
        node,
        logicalId,
        type: definition.Type,
        properties: isObject(definition.Properties) ? definition.Properties : {},
        dependsOn: asArray(definition.DependsOn).filter((id): id is string => typeof id === 'string'),
        template: this.template,
        path: displayPath(node),
        deletionPolicy: typeof definition.DeletionPolicy === 'string' ? definition.DeletionPolicy : 'Delete',
      };
      this.byLogicalId.set(logicalId, resource);
      pushTo(this.byType, resource.type, resource);
      this.template.add(resource);
    }
    this.nodes.length = 0;
    this.template.link();
  }
}

/** What one walk of the app collects. */
export interface AppScan {
  /** Stacks by construct path. */
  readonly stacks: ScannedStack[];
  /** Acknowledgements and waivers outside any stack, by stage. */
  readonly stageRecords: Map<Stage, { acknowledgements: SecurityReportAcknowledgement[]; waivers: SecurityReportWaiver[] }>;
  /** Every acknowledgement key as CDK core stores it (`Annotation::AwsSolutions-SQS3`), app-wide. */
  readonly acknowledgementKeys: Set<string>;
}

/**
 * Walks the app once: finds its stacks and resources and the acknowledgements
 * and waivers recorded on any construct, then indexes each stack's template.
 *
 * @param root the app
 * @param includeTemplate whether to report the stacks of a top-level template (absolute path)
 */
export function scanApp(root: IConstruct, includeTemplate: (templatePath: string) => boolean): AppScan {
  const stacks: ScannedStack[] = [];
  const stageRecords: AppScan['stageRecords'] = new Map();
  const acknowledgementKeys = new Set<string>();
  const rootStage = Stage.isStage(root) ? root : undefined;
  const pending: Array<{ construct: IConstruct; stage?: Stage; scanned?: ScannedStack }> = [{ construct: root, stage: rootStage }];
  while (pending.length > 0) {
    const { construct, stage: parentStage, scanned: parentStack } = pending.pop()!;
    countWork(construct);
    let stage = parentStage;
    let scanned = parentStack;
    if (construct !== root && Stage.isStage(construct)) {
      stage = construct;
      scanned = undefined;
    } else if (Stack.isStack(construct) && stage) {
      const templatePath = parentStack?.rootTemplatePath ?? path.resolve(stage.outdir, construct.templateFile);
      scanned = new ScannedStack(construct, stage, templatePath);
      if (includeTemplate(templatePath)) stacks.push(scanned);
    } else if (scanned && CfnResource.isCfnResource(construct)) {
      scanned.addNode(construct);
    }
    const metadata = construct.node.metadata;
    if (metadata.length > 0) {
      collectRecords(construct.node.path, metadata, scanned ?? recordsOf(stageRecords, stage), acknowledgementKeys);
      if (scanned) {
        collectHardening(hardeningRecords(construct), construct, scanned.hardened);
        collectHardening(runtimeChangeRecords(construct), construct, scanned.runtimeChanges);
      }
    }
    const children = construct.node.children;
    for (let i = children.length - 1; i >= 0; i--) pending.push({ construct: children[i], stage, scanned });
  }
  for (const stack of stacks) stack.index(stack.stage.outdir);
  stacks.sort((a, b) => compareText(a.stack.node.path, b.stack.node.path));
  return { stacks, stageRecords, acknowledgementKeys };
}

function recordsOf(records: AppScan['stageRecords'], stage: Stage | undefined) {
  const key = stage as Stage;
  let found = records.get(key);
  if (!found) {
    found = { acknowledgements: [], waivers: [] };
    records.set(key, found);
  }
  return found;
}

/** Reads the acknowledgements and waivers recorded on one construct. */
function collectRecords(
  constructPath: string,
  metadata: readonly MetadataEntry[],
  target: { acknowledgements: SecurityReportAcknowledgement[]; waivers: SecurityReportWaiver[] },
  acknowledgementKeys: Set<string>,
): void {
  for (const entry of metadata) {
    if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && isObject(entry.data)) {
      for (const key of Object.keys(entry.data)) acknowledgementKeys.add(key);
    } else if (entry.type === WAIVER_METADATA && isObject(entry.data)) {
      const waiver = entry.data as WaiverRecord;
      target.waivers.push({ setting: waiver.setting, value: waiver.value, reason: waiver.reason, path: constructPath });
    }
  }
  target.acknowledgements.push(...acknowledgementsIn(constructPath, metadata));
}

/** The acknowledgements recorded on one construct, each rule once, with who recorded it. */
function acknowledgementsIn(constructPath: string, metadata: readonly MetadataEntry[]): SecurityReportAcknowledgement[] {
  const acknowledged = new Map<string, string>();
  const byLibrary = new Map<string, AcknowledgementSource>();
  for (const entry of metadata) {
    if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && isObject(entry.data)) {
      for (const [key, reason] of Object.entries(entry.data)) {
        const rule = key.replace(ANNOTATION_PREFIX, '');
        if (!acknowledged.has(rule)) acknowledged.set(rule, String(reason ?? ''));
      }
    } else if (entry.type === LIBRARY_ACKNOWLEDGEMENT_METADATA && isObject(entry.data)) {
      const data = entry.data as LibraryAcknowledgement;
      byLibrary.set(String(data.id), data.raisedBy === 'aws-cdk-lib' ? AcknowledgementSource.AWS_CDK_LIB : AcknowledgementSource.LIBRARY);
    }
  }
  return [...acknowledged].map(([rule, reason]) => ({
    rule,
    path: constructPath,
    reason,
    by: byLibrary.get(rule) ?? (isAwsCdkLibAcknowledgement(rule, reason) ? AcknowledgementSource.AWS_CDK_LIB : AcknowledgementSource.USER),
  }));
}

/** Every acknowledgement recorded in the tree under `root`, in one walk. */
export function acknowledgementsUnder(root: IConstruct): SecurityReportAcknowledgement[] {
  const found: SecurityReportAcknowledgement[] = [];
  const pending: IConstruct[] = [root];
  while (pending.length > 0) {
    const construct = pending.pop()!;
    if (construct.node.metadata.length > 0) found.push(...acknowledgementsIn(construct.node.path, construct.node.metadata));
    pending.push(...construct.node.children);
  }
  return found;
}

/** The changes each hardening mixin recorded on `construct`, one entry per mixin. */
function collectHardening(records: readonly HardeningRecord[], construct: IConstruct, target: SecurityReportHardening[]): void {
  const byMixin = new Map<string, string[]>();
  for (const record of records) {
    const changes = byMixin.get(record.mixin) ?? [];
    changes.push(record.change);
    byMixin.set(record.mixin, changes);
  }
  for (const [mixin, changes] of byMixin) target.push({ path: displayPath(construct), mixin, changes });
}

/** The path a user wrote: a construct named `Resource` (or `Default`) stands for its parent, an L1 for its L2, an L2 for its L3. */
export function displayPath(node: IConstruct): string {
  let current = node;
  while ((current.node.id === 'Resource' || current.node.id === 'Default') && current.node.scope) current = current.node.scope;
  return current.node.path;
}

function readTemplate(file: string): CfnValue | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch {
    return undefined;
  }
}

/** Ordinal comparison, so the order does not depend on the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Appends `value` to the list of `key`. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
