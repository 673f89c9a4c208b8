import * as path from 'path';
import { Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { describeApis } from './apis';
import { AppScan, compareText, scanApp, ScannedResource, ScannedStack } from './app-scan';
import { ObservedFinding, ObservedFindings } from './findings';
import { describeFunctions } from './functions';
import { Inventory } from './inventory';
import {
  AcknowledgementSource, SecurityReportAcknowledgement, SecurityReportDocument, SecurityReportFinding, SecurityReportFunction,
  SecurityReportHardening, SecurityReportStack, SecurityReportStage, SecurityReportStaleAcknowledgement, SecurityReportWaiver,
} from './schema';
import { describeStateMachines } from './state-machines';
import { describeUserPools } from './user-pools';
import { inWorkStep } from '../core/work-count';

/** The version of `security-report.json`'s schema. */
export const SCHEMA_VERSION = 2;

/** How to build a report. */
export interface ReportOptions {
  /** The top-level templates to report (absolute paths); every stack when absent. */
  readonly templatePaths?: readonly string[];
  /** The report's acknowledgements that matched no finding in this synth. */
  readonly staleAcknowledgements?: (acknowledgements: readonly SecurityReportAcknowledgement[]) => SecurityReportStaleAcknowledgement[];
  /** Findings per pack and each open finding, given every acknowledgement key and the report's acknowledgements. */
  readonly findings: (
    acknowledgementKeys: ReadonlySet<string>,
    acknowledgements: readonly SecurityReportAcknowledgement[],
  ) => ObservedFindings;
}

/**
 * Builds the report of an app in one walk of its tree and one read of each
 * template, in time linear in the number of resources.
 */
export function buildReport(root: IConstruct, options: ReportOptions): SecurityReportDocument {
  return inWorkStep('report', () => reportOf(root, options));
}

function reportOf(root: IConstruct, options: ReportOptions): SecurityReportDocument {
  const included = options.templatePaths ? new Set(options.templatePaths.map((file) => path.resolve(file))) : undefined;
  const scan = scanApp(root, (templatePath) => !included || included.has(templatePath));
  const inventory = new Inventory(scan.stacks);
  // Every function first: data stores list their readers and writers from all of them.
  const functions = scan.stacks.map((stack) => describeFunctions(stack, inventory));
  const rootOutdir = Stage.isStage(root) ? root.outdir : '';
  const stacksByStage = new Map<Stage, SecurityReportStack[]>();
  scan.stacks.forEach((stack, i) => {
    const list = stacksByStage.get(stack.stage) ?? [];
    list.push(describeStack(stack, functions[i], inventory, rootOutdir));
    stacksByStage.set(stack.stage, list);
  });

  const stageOf = (stage: Stage | undefined): SecurityReportStage => ({
    stage: stage?.node.path ?? '',
    stacks: stacksByStage.get(stage!) ?? [],
    acknowledgements: scan.stageRecords.get(stage!)?.acknowledgements ?? [],
    waivers: scan.stageRecords.get(stage!)?.waivers ?? [],
    openFindings: [],
  });
  const stages = [...new Set([...stacksByStage.keys(), ...scan.stageRecords.keys()])].map(stageOf);
  const acknowledgements = stages.flatMap((stage) => [...stage.acknowledgements, ...stage.stacks.flatMap((stack) => stack.acknowledgements)]);
  const observed = options.findings(scan.acknowledgementKeys, acknowledgements);
  placeFindings(observed.open, scan, stages, () => {
    // A finding on no resource of a stack belongs to the app's own entry, made when needed.
    let app = stages.find((stage) => stage.stage === '');
    if (!app) stages.push(app = stageOf(Stage.isStage(root) ? root : undefined));
    return app.openFindings;
  });
  stages.sort((a, b) => compareText(a.stage, b.stage));
  const waivers: SecurityReportWaiver[] = stages.flatMap((stage) => [...stage.waivers, ...stage.stacks.flatMap((stack) => stack.waivers)]);
  const stacks = stages.flatMap((stage) => stage.stacks);
  const everyFunction = stacks.flatMap((stack) => stack.functions);
  const allFunctions = everyFunction.filter((fn) => !fn.deployTimeHelper);
  const routes = stacks.flatMap((stack) => stack.apis.flatMap((api) => api.routes));
  const recordedBy = (source: AcknowledgementSource) => acknowledgements.filter((ack) => ack.by === source).length;
  const stale = options.staleAcknowledgements?.(acknowledgements) ?? [];
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedBy: 'cdk-secure-serverless',
    summary: {
      stacks: stacks.length,
      functions: allFunctions.length,
      functionsOutsideVpc: allFunctions.filter((fn) => !fn.network.inVpc).length,
      deployTimeHelpers: everyFunction.length - allFunctions.length,
      apis: stacks.reduce((sum, stack) => sum + stack.apis.length, 0),
      routes: routes.length,
      routesWithoutAuthorization: routes.filter((route) => route.authorization === 'NONE').length,
      dataStores: stacks.reduce((sum, stack) => sum + stack.dataStores.length, 0),
      keys: stacks.reduce((sum, stack) => sum + stack.keys.length, 0),
      userPools: stacks.reduce((sum, stack) => sum + stack.userPools.length, 0),
      acknowledgements: acknowledgements.length,
      libraryAcknowledgements: recordedBy(AcknowledgementSource.LIBRARY),
      awsCdkLibAcknowledgements: recordedBy(AcknowledgementSource.AWS_CDK_LIB),
      userAcknowledgements: recordedBy(AcknowledgementSource.USER),
      waivers: waivers.length,
      hardenedResources: new Set(stacks.flatMap((stack) => stack.hardened.map((entry) => entry.path))).size,
      staleAcknowledgements: stale.length,
      runtimeChangedResources: new Set(stacks.flatMap((stack) => stack.runtimeChanges.map((entry) => entry.path))).size,
      findings: observed.packs,
    },
    stages,
    staleAcknowledgements: stale,
  };
}

/**
 * Puts each open finding in the stack of the resource it names (by construct
 * path, or by template and logical id), else in the app's entry.
 */
function placeFindings(
  findings: readonly ObservedFinding[], scan: AppScan, stages: readonly SecurityReportStage[], outsideStacks: () => SecurityReportFinding[],
): void {
  const byPath = new Map<string, { resource: ScannedResource; stack: ScannedStack }>();
  const byTemplate = new Map<string, { resource: ScannedResource; stack: ScannedStack }>();
  for (const stack of scan.stacks) {
    const templateFile = path.resolve(stack.stage.outdir, stack.stack.templateFile);
    for (const resource of stack.allResources()) {
      byPath.set(resource.node.node.path, { resource, stack });
      byTemplate.set(`${templateFile}|${resource.logicalId}`, { resource, stack });
    }
  }
  const reported = new Map(stages.flatMap((stage) => stage.stacks.map((stack) => [stack.path, stack.openFindings] as const)));
  for (const finding of findings) {
    const found = (finding.constructPath !== undefined ? byPath.get(finding.constructPath) : undefined)
      ?? (finding.templatePath !== undefined ? byTemplate.get(`${path.resolve(finding.templatePath)}|${finding.logicalId}`) : undefined);
    const entry: SecurityReportFinding = {
      rule: finding.rule,
      pack: finding.pack,
      severity: finding.severity,
      description: finding.description,
      ...found ? { path: found.resource.path, logicalId: found.resource.logicalId }
        : finding.constructPath !== undefined ? { path: finding.constructPath } : {},
      ...!found && finding.logicalId !== undefined ? { logicalId: finding.logicalId } : {},
    };
    const list = found ? reported.get(found.stack.stack.node.path) : undefined;
    (list ?? outsideStacks()).push(entry);
  }
}

function describeStack(scan: ScannedStack, functions: SecurityReportFunction[], inventory: Inventory, rootOutdir: string): SecurityReportStack {
  const { stack } = scan;
  const dataStores = inventory.dataStoresOf(scan);
  return {
    path: stack.node.path,
    stackName: stack.stackName,
    templateFile: path.relative(rootOutdir, path.join(scan.stage.outdir, stack.templateFile)),
    ...Token.isUnresolved(stack.account) ? {} : { account: stack.account },
    ...Token.isUnresolved(stack.region) ? {} : { region: stack.region },
    functions,
    apis: describeApis(scan),
    dataStores,
    // After the data stores, which record the keys they use.
    keys: inventory.keysOf(scan),
    stateMachines: describeStateMachines(scan),
    userPools: describeUserPools(scan),
    openFindings: [],
    acknowledgements: scan.acknowledgements,
    waivers: scan.waivers,
    hardened: [...scan.hardened].sort(byPathAndMixin),
    runtimeChanges: [...scan.runtimeChanges].sort(byPathAndMixin),
  };
}

function byPathAndMixin(a: SecurityReportHardening, b: SecurityReportHardening): number {
  return compareText(a.path, b.path) || compareText(a.mixin, b.mixin);
}
