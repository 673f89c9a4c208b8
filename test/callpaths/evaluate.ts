import { runSimulation, runUnsafeSimulation, Simulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { unverifiedFacts } from './aws-facts';
import { Context, ModeledRequest, modelCallPaths, NamedPolicy, Variant } from './model';

/**
 * Evaluates the modeled requests with @cloud-copilot/iam-simulate, the
 * maintained IAM policy evaluator (a test-only devDependency, AGPL-3.0, never
 * imported from src/). It checks each request against the action's resource
 * types and condition keys from the Service Authorization Reference, and drops
 * a context key it does not list for the action: `kms:EncryptionContext:<key>`
 * is such a key (its variable part follows a colon, which the evaluator's
 * variable-key match does not read). A request that carries one is therefore
 * validated by `runSimulation` first (action, resource, the other keys) and then
 * decided by `runUnsafeSimulation`, the same engine without input checks, which
 * keeps every key; the model never routes a key request through an endpoint (a
 * service calls KMS for the caller), so nothing the unsafe entry point leaves
 * out (endpoint policies) is lost.
 */

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface Outcome {
  readonly request: ModeledRequest;
  readonly decision: Decision;
  /** Each variant's decision, which must not be Allowed. */
  readonly variants: Array<{ variant: Variant; decision: Decision }>;
  /** Why the evaluator refused to evaluate the request (an action or resource it does not know). */
  readonly error?: string;
}

export async function evaluateRequest(request: ModeledRequest): Promise<Outcome> {
  try {
    return await evaluateAll(request);
  } catch (e) {
    return { request, decision: 'ImplicitlyDenied', variants: [], error: (e as Error).message };
  }
}

async function evaluateAll(request: ModeledRequest): Promise<Outcome> {
  const decision = await decide(request, request.principal, request.context, request.identityPolicies);
  const variants = [];
  for (const variant of request.variants) {
    const principal = variant.principal ?? request.principal;
    variants.push({ variant, decision: await decide(request, principal, variant.context, variant.identityPolicies ?? request.identityPolicies) });
  }
  return { request, decision, variants };
}

async function decide(request: ModeledRequest, principal: string, context: Context, identityPolicies: NamedPolicy[]): Promise<Decision> {
  const simulation: Simulation = {
    request: {
      principal, action: request.action, resource: { resource: request.resource, accountId: request.resourceAccount }, contextVariables: context,
    },
    identityPolicies: principal.endsWith('.amazonaws.com') ? [] : identityPolicies.map(p => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
    vpcEndpointPolicies: request.endpointPolicies?.map(p => ({ name: p.name, policy: anyPrincipalAsStar(p.policy) })),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(`the evaluator refused the request ${request.action} on ${request.resource} (${request.label}): ${JSON.stringify(result.errors)}`);
  }
  const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys ?? [] : result.results.flatMap(r => r.ignoredContextKeys ?? []);
  const dropped = ignored.filter(key => key.toLowerCase().startsWith('kms:encryptioncontext:'));
  if (dropped.length === 0) return result.overallResult as Decision;
  if (request.endpointPolicies?.length) throw new Error(`a key request through an endpoint cannot keep its encryption context: ${request.label}`);
  // The unsafe entry point names a resource policy from its metadata: it takes the evaluator's validated-policy form.
  const resourcePolicy = simulation.resourcePolicy && { __validated: true, policyDocument: simulation.resourcePolicy, metadata: { name: 'resource policy' }, errors: [] };
  return runUnsafeSimulation({ ...simulation, resourcePolicy }, {}) as Decision;
}

/**
 * aws-cdk-lib writes AnyPrincipal as `{"AWS": "*"}`, which IAM reads as `"*"`;
 * the evaluator's endpoint-policy check accepts only the short form.
 */
function anyPrincipalAsStar(policy: any): any {
  const statements = [policy.Statement].flat().map((statement: any) =>
    statement.Principal?.AWS === '*' ? { ...statement, Principal: '*' } : statement);
  return { ...policy, Statement: statements };
}

/** The outcomes of every modeled request of the apps. */
export async function evaluateApps(apps: readonly App[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const app of apps) {
    for (const request of modelCallPaths(app)) outcomes.push(await evaluateRequest(request));
  }
  return outcomes;
}

/** What the model found, counted. */
export interface CallPathCounts {
  readonly allowed: number;
  readonly refused: number;
  readonly unverifiedRows: number;
}

export function countsOf(outcomes: readonly Outcome[]): CallPathCounts {
  return {
    allowed: outcomes.filter(o => o.decision === 'Allowed').length,
    refused: outcomes.flatMap(o => o.variants).filter(v => v.decision !== 'Allowed').length,
    unverifiedRows: unverifiedFacts().length,
  };
}

/** One line per request that should be allowed and is not, or variant that should be refused and is not. */
export function failuresOf(outcomes: readonly Outcome[]): string[] {
  const failures: string[] = [];
  for (const o of outcomes) {
    const r = o.request;
    const what = `${r.fact.integration}: ${r.label}: ${r.principal} ${r.action} on ${r.resource} ${JSON.stringify(r.context)}`;
    if (o.error) failures.push(`not evaluated: ${what}: ${o.error}`);
    else if (o.decision !== 'Allowed') failures.push(`${o.decision}: ${what} [${r.fact.source}]`);
    for (const v of o.variants) {
      if (v.decision === 'Allowed') failures.push(`Allowed from ${v.variant.name}: ${what} as ${v.variant.principal ?? r.principal} ${JSON.stringify(v.variant.context)}`);
    }
  }
  return failures;
}
