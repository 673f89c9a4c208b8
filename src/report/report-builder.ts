import * as path from 'path';
import { Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { describeApis } from './apis';
import { compareText, scanApp, ScannedStack } from './app-scan';
import { describeFunctions } from './functions';
import { Inventory } from './inventory';
import {
  AcknowledgementSource, SecurityReportAcknowledgement, SecurityReportDocument, SecurityReportFunction,
  SecurityReportPackFindings, SecurityReportStack, SecurityReportStage, SecurityReportWaiver,
} from './schema';
import { describeStateMachines } from './state-machines';
import { inWorkStep } from '../core/work-count';

/** The version of `security-report.json`'s schema. */
export const SCHEMA_VERSION = 1;

/** How to build a report. */
export interface ReportOptions {
  /** The top-level templates to report (absolute paths); every stack when absent. */
  readonly templatePaths?: readonly string[];
  /** Findings per pack, given every acknowledgement key and the report's acknowledgements. */
  readonly findings: (
    acknowledgementKeys: ReadonlySet<string>,
    acknowledgements: readonly SecurityReportAcknowledgement[],
  ) => SecurityReportPackFindings[];
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

  const stages: SecurityReportStage[] = [];
  for (const stage of new Set([...stacksByStage.keys(), ...scan.stageRecords.keys()])) {
    const records = scan.stageRecords.get(stage);
    stages.push({
      stage: stage?.node.path ?? '',
      stacks: stacksByStage.get(stage) ?? [],
      acknowledgements: records?.acknowledgements ?? [],
      waivers: records?.waivers ?? [],
    });
  }
  stages.sort((a, b) => compareText(a.stage, b.stage));

  const acknowledgements = stages.flatMap((stage) => [...stage.acknowledgements, ...stage.stacks.flatMap((stack) => stack.acknowledgements)]);
  const waivers: SecurityReportWaiver[] = stages.flatMap((stage) => [...stage.waivers, ...stage.stacks.flatMap((stack) => stack.waivers)]);
  const stacks = stages.flatMap((stage) => stage.stacks);
  const everyFunction = stacks.flatMap((stack) => stack.functions);
  const allFunctions = everyFunction.filter((fn) => !fn.deployTimeHelper);
  const routes = stacks.flatMap((stack) => stack.apis.flatMap((api) => api.routes));
  const recordedBy = (source: AcknowledgementSource) => acknowledgements.filter((ack) => ack.by === source).length;
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
      acknowledgements: acknowledgements.length,
      libraryAcknowledgements: recordedBy(AcknowledgementSource.LIBRARY),
      awsCdkLibAcknowledgements: recordedBy(AcknowledgementSource.AWS_CDK_LIB),
      userAcknowledgements: recordedBy(AcknowledgementSource.USER),
      waivers: waivers.length,
      hardenedResources: new Set(stacks.flatMap((stack) => stack.hardened.map((entry) => entry.path))).size,
      findings: options.findings(scan.acknowledgementKeys, acknowledgements),
    },
    stages,
  };
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
    acknowledgements: scan.acknowledgements,
    waivers: scan.waivers,
    hardened: [...scan.hardened].sort((a, b) => compareText(a.path, b.path) || compareText(a.mixin, b.mixin)),
  };
}
