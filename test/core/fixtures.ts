import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

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

/** A fresh app, with ENV's prefix lists in its context, and one stack `S` in ENV. */
export function newStack(): { app: App; stack: Stack } {
  const app = new App({ context: prefixListContext() });
  const stack = new Stack(app, 'S', { env: ENV });
  return { app, stack };
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

/**
 * The statements of every AWS::IAM::ManagedPolicy attached to the role with
 * logical id `roleId`, from either side: the policy's `Roles` or the role's `ManagedPolicyArns`.
 */
export function managedPolicyStatementsOf(template: Template, roleId: string): any[] {
  const fromRole = new Set((template.toJSON().Resources[roleId]?.Properties?.ManagedPolicyArns ?? [])
    .map((arn: any) => arn?.Ref).filter((id: unknown) => typeof id === 'string'));
  const policies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id, policy]: [string, any]) => fromRole.has(id) || (policy.Properties.Roles ?? []).some((role: any) => role.Ref === roleId));
  return policies.flatMap(([, policy]: [string, any]) => statementsOf(policy.Properties.PolicyDocument));
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
