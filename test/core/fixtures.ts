import { App, AppProps, Stack } from 'aws-cdk-lib';
import { Matcher, MatchResult, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import { flagOn } from '../feature-flags';

/** Account and region of every test stack. */
export const ENV = { account: '111111111111', region: 'eu-west-1' };

/** Inline code every runtime of the nodejs family accepts. */
export const CODE = lambda.Code.fromInline('exports.handler = async () => 1');
export const HANDLER = 'index.handler';

/** The AWS-managed prefix lists of the gateway services in ENV's region, as `cdk.context.json` would hold them. */
export const PREFIX_LISTS = { s3: 'pl-6da54004', dynamodb: 'pl-6fa54006' };

/**
 * Context with ENV's prefix-list lookups answered (the keys of aws-cdk-lib's
 * cloud-control context provider), so a test sees the lists a real synth sees.
 */
export function prefixListContext(env: { account: string; region: string } = ENV): { [key: string]: unknown } {
  const context: { [key: string]: unknown } = {};
  for (const [service, id] of Object.entries(PREFIX_LISTS)) {
    const key = `cc-api-provider:account=${env.account}:expectedMatchCount=exactly-one:propertiesToReturn.0=PrefixListId:`
      + `propertyMatch.PrefixListName=com.amazonaws.${env.region}.${service}:region=${env.region}:typeName=AWS$:$:EC2$:$:PrefixList`;
    context[key] = [{ PrefixListId: id }];
  }
  return context;
}

/**
 * A fresh app, with ENV's prefix lists in its context, and one stack `S` in ENV.
 *
 * `flags` are set over the run's flag set (see test/feature-flags.ts): a test that
 * is about one flag's effect sets it on or off here, and then runs the same under
 * either flag set.
 */
export function newStack(flags: { [flag: string]: unknown } = {}): { app: App; stack: Stack } {
  const app = newApp(flags);
  const stack = new Stack(app, 'S', { env: ENV });
  return { app, stack };
}

/** A fresh app with ENV's prefix lists, and `flags` set over the run's flag set. */
export function newApp(flags: { [flag: string]: unknown } = {}, props: AppProps = {}): App {
  const app = new App({ ...props, context: { ...prefixListContext(), ...props.context } });
  // CDK_CONTEXT_JSON (the run's flag set) wins over the constructor's context; this wins over both.
  for (const [flag, value] of Object.entries(flags)) app.node.setContext(flag, value);
  return app;
}

/** The logical id CloudFormation gives `construct` (its L1 when it is an L2). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as any;
  return Stack.of(construct).resolve(element.logicalId);
}

/** Logical ids of every resource of `type`. */
export function logicalIds(template: Template, type: string, props: object = {}): string[] {
  return Object.keys(template.findResources(type, props));
}

/** The one resource of `type` matching `props`; fails when there is not exactly one. */
export function onlyResource(template: Template, type: string, props: object = {}): { id: string; resource: any } {
  const found = Object.entries(template.findResources(type, props));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map(([id]) => id).join(', ')}`);
  return { id: found[0][0], resource: found[0][1] };
}

/** IAM statements of a policy document, always as an array. */
export function statementsOf(document: any): any[] {
  const statements = document?.Statement ?? [];
  return Array.isArray(statements) ? statements : [statements];
}

/** A policy field (`Action`, `Resource`) as an array. */
export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The logical ids that `value` refers to through `Ref` and `Fn::GetAtt`, plus
 * any literal `*`. Pseudo parameters (`AWS::Partition`) are left out.
 */
export function referencedIds(value: unknown): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (v === '*') found.add('*');
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    const obj = v as Record<string, unknown>;
    if (typeof obj.Ref === 'string') {
      if (!obj.Ref.startsWith('AWS::')) found.add(obj.Ref);
      return;
    }
    if (Array.isArray(obj['Fn::GetAtt'])) {
      found.add(String(obj['Fn::GetAtt'][0]));
      return;
    }
    Object.values(obj).forEach(walk);
  };
  walk(value);
  return found;
}

/** The statements of every AWS::IAM::ManagedPolicy attached to the role with logical id `roleId`. */
export function managedPolicyStatementsOf(template: Template, roleId: string): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter((policy: any) => (policy.Properties.Roles ?? []).some((role: any) => role.Ref === roleId));
  return policies.flatMap((policy: any) => statementsOf(policy.Properties.PolicyDocument));
}

/** Metadata entries of `type` on `construct`, their data only. */
export function metadataOf(construct: IConstruct, type: string): any[] {
  return construct.node.metadata.filter(entry => entry.type === type).map(entry => entry.data);
}

/** Calls `build` and returns what it threw (fails if it did not throw). */
export function thrownBy(build: () => unknown): Error {
  try {
    build();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

/**
 * How this run's flag set renders the partition: `aws` under
 * `@aws-cdk/core:enablePartitionLiterals` (a new project's flags), else the
 * `AWS::Partition` pseudo parameter, written `<AWS::Partition>` in finding ids.
 */
export const PARTITION = flagOn(cxapi.ENABLE_PARTITION_LITERALS) ? 'aws' : '<AWS::Partition>';

/** `arn:<partition><rest>` as this run's flag set renders it in a template of ENV. */
export function partitionArn(rest: string): unknown {
  return PARTITION === 'aws' ? `arn:aws${rest}` : { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}

/**
 * The statements as single-action, single-resource, single-principal atoms, sorted:
 * equal for two policies that allow and deny the same, however aws-cdk-lib merged
 * them (`@aws-cdk/aws-iam:minimizePolicies` merges statements that differ in one
 * field). Sids are kept, as statements with a Sid are never merged.
 */
export function statementAtoms(statements: any[]): string[] {
  const atoms: string[] = [];
  for (const statement of statements) {
    const { Action, Resource, Principal, ...rest } = statement;
    const principals = Principal === undefined ? [undefined]
      : typeof Principal === 'string' ? [Principal]
        : Object.entries<any>(Principal).flatMap(([kind, ids]) => asArray(ids).map((id) => ({ [kind]: id })));
    for (const action of asArray<string>(Action)) {
      for (const resource of Resource === undefined ? [undefined] : asArray(Resource)) {
        for (const principal of principals) {
          atoms.push(canonicalJson({ ...rest, Action: action, Resource: resource, Principal: principal }));
        }
      }
    }
  }
  return [...new Set(atoms)].sort();
}

/** JSON with object keys sorted at every level, so equal values print equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    : v);
}

/**
 * A template matcher for a list of strings in any order: `@aws-cdk/aws-iam:minimizePolicies`
 * sorts the actions of every statement it renders, so the order is the flag set's.
 */
export function anyOrder(values: string[]): Matcher {
  return new AnyOrder(values);
}

class AnyOrder extends Matcher {
  public readonly name = 'anyOrder';

  constructor(private readonly values: string[]) {
    super();
  }

  public test(actual: unknown): MatchResult {
    const result = new MatchResult(actual);
    const sorted = (v: unknown[]) => [...v].map(String).sort();
    if (!Array.isArray(actual) || JSON.stringify(sorted(actual)) !== JSON.stringify(sorted(this.values))) {
      result.recordFailure({ matcher: this, path: [], message: `Expected ${JSON.stringify(this.values)} in any order, got ${JSON.stringify(actual)}` });
    }
    return result;
  }
}

/**
 * A jest asymmetric matcher for an array with exactly these members in any order:
 * `@aws-cdk/aws-iam:minimizePolicies` sorts the actions of the statements it renders.
 */
export function sameMembers(values: unknown[]): any {
  const sorted = (v: unknown[]) => JSON.stringify([...v].map((x) => canonicalJson(x)).sort());
  return {
    asymmetricMatch: (actual: unknown) => Array.isArray(actual) && sorted(actual) === sorted(values),
    toAsymmetricMatcher: () => `sameMembers(${JSON.stringify(values)})`,
  };
}

/** Asserts that `statements` allow and deny exactly what `expected` do, however they were merged. */
export function expectSameStatements(statements: any[], expected: any[]): void {
  expect(statementAtoms(statements)).toEqual(statementAtoms(expected));
}

/** Asserts that `statements` allow and deny at least what `expected` do, however they were merged. */
export function expectStatementsInclude(statements: any[], expected: any[]): void {
  expect(statementAtoms(statements)).toEqual(expect.arrayContaining(statementAtoms(expected)));
}
