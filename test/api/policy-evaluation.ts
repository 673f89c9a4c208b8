import { runSimulation, runUnsafeSimulation, Simulation } from '@cloud-copilot/iam-simulate';

/** What one policy (or set of policies) says about a request, as IAM names it. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/**
 * How API Gateway combines the caller's IAM policies with the API's resource
 * policy when the caller and the API are in the same account (IAM authorization,
 * or a Lambda authorizer's policy in the identity's place): either one may allow,
 * and any explicit deny wins.
 *
 * The model takes this from the API Gateway guide, not from the evaluator's own
 * same-account rules: "if the caller and API owner are in the same AWS account,
 * either the IAM user policy or the resource policy must explicitly allow the
 * caller to proceed" (Table A).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html (IAM authentication and resource policy; Table A)
 */
export const API_GATEWAY_TABLE_A: ReadonlyArray<{ identity: Decision; resource: Decision; result: Decision }> = [
  { identity: 'Allowed', resource: 'Allowed', result: 'Allowed' },
  { identity: 'Allowed', resource: 'ImplicitlyDenied', result: 'Allowed' },
  { identity: 'Allowed', resource: 'ExplicitlyDenied', result: 'ExplicitlyDenied' },
  { identity: 'ImplicitlyDenied', resource: 'Allowed', result: 'Allowed' },
  { identity: 'ImplicitlyDenied', resource: 'ImplicitlyDenied', result: 'ImplicitlyDenied' },
  { identity: 'ImplicitlyDenied', resource: 'ExplicitlyDenied', result: 'ExplicitlyDenied' },
  { identity: 'ExplicitlyDenied', resource: 'Allowed', result: 'ExplicitlyDenied' },
  { identity: 'ExplicitlyDenied', resource: 'ImplicitlyDenied', result: 'ExplicitlyDenied' },
  { identity: 'ExplicitlyDenied', resource: 'ExplicitlyDenied', result: 'ExplicitlyDenied' },
];

/**
 * A VPC endpoint policy is a gate of its own: a request through the endpoint
 * goes on only if the endpoint policy allows it, whatever the identity and
 * resource policies say.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html ("An endpoint policy does not override or replace identity-based policies or resource-based policies")
 */
export const ENDPOINT_POLICY_MUST_ALLOW = true;

/** The request a caller makes, with the condition keys the service sends. */
export interface ModelRequest {
  /** The caller's ARN (a role session's role), or undefined for an anonymous caller. */
  readonly principal?: string;
  readonly action: string;
  /** The full ARN of the resource. */
  readonly resource: string;
  readonly account: string;
  readonly context: Record<string, string | string[]>;
}

/**
 * What the caller's identity policies alone say about the request (the
 * evaluator's identity analysis), with no resource policy.
 */
export async function identityDecision(request: ModelRequest, identityPolicies: readonly object[]): Promise<Decision> {
  if (request.principal === undefined) return 'ImplicitlyDenied';
  return simulate(request, identityPolicies, undefined);
}

/** What a resource policy alone says about the request, for a caller of the resource's account. */
export async function resourceDecision(request: ModelRequest, resourcePolicy: object): Promise<Decision> {
  return simulate(request, [], resourcePolicy);
}

/**
 * What a resource policy alone says about a request that carries an encryption
 * context key (`kms:EncryptionContext:aws:s3:arn`). The evaluator validates the
 * request (action, resource, the other keys) but drops that key: its variable
 * part follows a colon, which its variable-key match does not read. The request
 * is validated first, then decided by the same engine without input checks
 * (`runUnsafeSimulation`), which keeps every key; that entry point takes the
 * resource policy in the evaluator's validated form. Which keys the calling
 * service sends is the caller's fact to cite.
 */
export async function keyPolicyDecision(request: ModelRequest, keyPolicy: object): Promise<Decision> {
  const simulation = simulationOf(request, [], keyPolicy);
  const checked = await runSimulation(simulation, {});
  if (checked.resultType === 'error') throw new Error(`the evaluator refused the simulation: ${JSON.stringify(checked.errors)}`);
  const validated = { __validated: true, policyDocument: keyPolicy, metadata: { name: 'key policy' }, errors: [] };
  return runUnsafeSimulation({ ...simulation, resourcePolicy: validated }, {}) as Decision;
}

/** Combines the two decisions as API Gateway does for a same-account caller (Table A). */
export function apiGatewaySameAccount(identity: Decision, resource: Decision): Decision {
  return API_GATEWAY_TABLE_A.find(row => row.identity === identity && row.resource === resource)!.result;
}

async function simulate(request: ModelRequest, identityPolicies: readonly object[], resourcePolicy: object | undefined): Promise<Decision> {
  const response = await runSimulation(simulationOf(request, identityPolicies, resourcePolicy), {});
  if (response.resultType === 'error') throw new Error(`the evaluator refused the simulation: ${JSON.stringify(response.errors)}`);
  return response.overallResult as Decision;
}

function simulationOf(request: ModelRequest, identityPolicies: readonly object[], resourcePolicy: object | undefined): Simulation {
  return {
    request: {
      principal: request.principal ?? { type: 'Anonymous' },
      action: request.action,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context,
    },
    identityPolicies: identityPolicies.map((policy, i) => ({ name: `identity${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  };
}

/**
 * Replaces CloudFormation intrinsics in a rendered template value by the
 * concrete values of a deployment: pseudo parameters, `Ref` and `Fn::GetAtt`
 * by the names given (others by made-up names), and `Fn::Join`. An abbreviated `execute-api:/...`
 * resource, which API Gateway expands to the API's ARN when it saves a resource
 * policy, is expanded the same way.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-policy-language-overview.html
 */
export function deployed(value: unknown, names: Record<string, string>, env: { account: string; region: string; apiId?: string }): any {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'string') {
      return env.apiId && v.startsWith('execute-api:/') ? `arn:aws:execute-api:${env.region}:${env.account}:${env.apiId}/${v.slice('execute-api:/'.length)}` : v;
    }
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') {
      const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': env.region, 'AWS::AccountId': env.account, 'AWS::URLSuffix': 'amazonaws.com' };
      // A resource the request does not name gets a name of its own.
      return pseudo[o.Ref] ?? names[o.Ref] ?? `deployed-${o.Ref}`;
    }
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [id, attribute] = o['Fn::GetAtt'] as string[];
      return names[`${id}.${attribute}`] ?? names[id] ?? `arn:aws:deployed:${env.region}:${env.account}:${id}/${attribute}`;
    }
    if (Array.isArray(o['Fn::Join'])) {
      const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
      return (walk(parts) as unknown[]).join(separator);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}
