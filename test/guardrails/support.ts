import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { ServerlessSecurityChecks } from '../../src/guardrails';

/** Account and region of the test stacks. */
export const ENV = { account: '111111111111', region: 'eu-west-1' };

/** A fresh app with one stack named `Test`, with `flags` set over the run's flag set. */
export function testStack(flags: { [flag: string]: unknown } = {}): { app: App; stack: Stack } {
  const app = new App();
  for (const [flag, value] of Object.entries(flags)) app.node.setContext(flag, value);
  const stack = new Stack(app, 'Test', { env: ENV });
  return { app, stack };
}

/** A function with inline code; `props` override the defaults. */
export function testFunction(scope: Stack, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    ...props,
  });
}

/**
 * What the pack reports under `scope`, as `<rule id> @ <construct path>`, sorted.
 * With `rule`, only that rule's ids (`ServerlessSecurity-<rule>` and its `[finding]`s).
 */
export function reported(scope: IConstruct, rule?: string): string[] {
  const prefix = rule === undefined ? undefined : `ServerlessSecurity-${rule}`;
  return new ServerlessSecurityChecks().validateScope(scope).violations
    .filter((violation) => prefix === undefined || violation.ruleName === prefix || violation.ruleName.startsWith(`${prefix}[`))
    .flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath}`))
    .sort();
}
