import { IPostProcessor, IResolveContext, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { invalidProp } from '../core/errors';

/**
 * A role whose added statements land in a customer-managed policy of its own
 * instead of the inline `DefaultPolicy` aws-cdk-lib grants create.
 *
 * HIPAA, NIST 800-53 R5 and PCI DSS flag inline policies; a customer-managed
 * policy attached to exactly one role is as narrow and passes all of them.
 * aws-cdk-lib grants (tracing, DLQ, environment key, table and queue grants)
 * all go through `addToPrincipalPolicy`, so every one of them lands here.
 *
 * A managed policy holds at most 6,144 characters, so statements spill into a
 * second policy (`Policy2`, ...) before the first would exceed it, instead of
 * failing at deploy time. The size is estimated from the template with every
 * reference counted as a long ARN.
 *
 * Statements that differ only in their actions are rendered as one (see
 * `FoldingPolicyDocument`).
 */
export class PolicyRole extends iam.Role {
  /** The first customer-managed policy attached to this role only. */
  public readonly policy: iam.ManagedPolicy;
  /** Every customer-managed policy of this role, in order. */
  public readonly policies: iam.ManagedPolicy[] = [];
  private readonly own: PolicyChain;
  /** Where statements that others add go once the library reserved its policies (`_reserveForLibrary`). */
  private added?: PolicyChain;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
    this.own = new PolicyChain(this, 'Policy');
    this.policy = this.own.current;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return (this.added ?? this.own).add(statement);
  }

  /**
   * Adds a statement of the library's own to the library's policies, also after
   * `_reserveForLibrary`.
   *
   * @internal
   */
  public _addOwnStatement(statement: iam.PolicyStatement): iam.ManagedPolicy {
    return this.own.add(statement).policyDependable as iam.ManagedPolicy;
  }

  /**
   * From now on, statements that others add (`addToPrincipalPolicy`, grants) go
   * to policies of their own (`AddedPolicy`, ...), so that an acknowledgement on
   * the library's policies covers the library's statements only.
   *
   * @internal
   */
  public _reserveForLibrary(): void {
    this.added ??= new PolicyChain(this, 'AddedPolicy', false);
  }

  /** @internal */
  public _newPolicy(id: string): iam.ManagedPolicy {
    if (this.policies.length >= MAX_POLICIES) {
      invalidProp(this, 'permissions', `${this.policies.length} managed policies`,
        `at most ${MAX_POLICIES} managed policies of about ${POLICY_BUDGET} characters each per role; split the function's work`);
    }
    const policy = new iam.ManagedPolicy(this, id, {
      document: new FoldingPolicyDocument(),
      description: `Least-privilege permissions of ${this.node.path}`,
      roles: [this],
    });
    this.policies.push(policy);
    return policy;
  }
}

/**
 * Customer-managed policies of one role filled in order: a statement spills into
 * the next one (`<Prefix>2`, ...) before the current one would exceed IAM's size limit.
 */
class PolicyChain {
  private readonly chain: iam.ManagedPolicy[] = [];
  private currentSize = 0;

  constructor(private readonly role: PolicyRole, private readonly prefix: string, eager = true) {
    if (eager) this.chain.push(role._newPolicy(prefix));
  }

  public get current(): iam.ManagedPolicy {
    return this.chain[this.chain.length - 1];
  }

  public add(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const size = estimatedSize(Stack.of(this.role).resolve(statement.toStatementJson()));
    if (this.chain.length === 0 || (this.currentSize > 0 && this.currentSize + size > POLICY_BUDGET)) {
      this.chain.push(this.role._newPolicy(this.chain.length === 0 ? this.prefix : `${this.prefix}${this.chain.length + 1}`));
      this.currentSize = 0;
    }
    this.current.addStatements(statement);
    this.currentSize += size;
    return { statementAdded: true, policyDependable: this.current };
  }
}

/**
 * A policy document that renders statements differing only in their actions
 * (same effect, resources and conditions, no sid, principal, `NotAction` or
 * `NotResource`) as one statement with the union of their actions.
 *
 * aws-cdk-lib grants one queue twice to a function with a dead-letter queue and
 * an on-failure destination (`sqs:SendMessage`, then `sqs:SendMessage`,
 * `sqs:GetQueueAttributes` and `sqs:GetQueueUrl`); the template, the report and
 * the reviewer would read the same permission twice. Folding the rendered JSON
 * leaves the callers' `PolicyStatement` objects untouched, so a statement shared
 * with another principal never gains actions.
 */
class FoldingPolicyDocument extends iam.PolicyDocument {
  public resolve(context: IResolveContext): any {
    // A resolve context keeps one post-processor: run aws-cdk-lib's (duplicates, sorting) after ours.
    let rendering: IPostProcessor | undefined;
    const rendered = super.resolve({ ...context, registerPostProcessor: (postProcessor: IPostProcessor) => { rendering = postProcessor; } });
    context.registerPostProcessor({
      postProcess: (input: any, postContext: IResolveContext) => {
        const folded = foldStatements(input);
        return rendering ? rendering.postProcess(folded, postContext) : folded;
      },
    });
    return rendered;
  }
}

function foldStatements(document: any): any {
  if (!document || !Array.isArray(document.Statement)) return document;
  const byScope = new Map<string, { Action: unknown }>();
  const statements: unknown[] = [];
  for (const statement of document.Statement) {
    const scope = foldableScope(statement);
    const earlier = scope === undefined ? undefined : byScope.get(scope);
    if (!earlier) {
      const copy = { ...statement };
      if (scope !== undefined) byScope.set(scope, copy);
      statements.push(copy);
      continue;
    }
    const actions = [...new Set([...asList(earlier.Action), ...asList(statement.Action)])];
    earlier.Action = actions.length === 1 ? actions[0] : actions;
  }
  return { ...document, Statement: statements };
}

/** What a rendered statement grants besides its actions, or undefined when it is not folded. */
function foldableScope(statement: Record<string, unknown>): string | undefined {
  const { Action: action, Effect: effect, Resource: resource, Condition: condition, ...rest } = statement;
  if (Object.keys(rest).length > 0 || action === undefined || resource === undefined) return undefined;
  if (!asList(action).every(a => typeof a === 'string')) return undefined;
  return JSON.stringify([effect, asList(resource).map(r => JSON.stringify(r)).sort(), condition ?? null]);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Characters of a managed policy document IAM accepts is 6,144; keep room for the document wrapper. */
const POLICY_BUDGET = 5_800;
/** IAM's default quota of managed policies attached to one role (10), less one for the stack's shared policy of required wildcards. */
const MAX_POLICIES = 9;
/** A reference resolves to an ARN at deploy time; count it as a long one. */
const REFERENCE_SIZE = 120;

/** The characters a resolved statement takes once deployed, references counted as ARNs. */
function estimatedSize(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + estimatedSize(item) + 1, 2);
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return REFERENCE_SIZE;
    return keys.reduce((sum, key) => sum + key.length + 4 + estimatedSize((value as Record<string, unknown>)[key]), 2);
  }
  return JSON.stringify(value ?? null).length;
}

/**
 * A service principal whose trust is pinned to this stack's account with
 * `aws:SourceAccount`, against the confused-deputy problem.
 */
export function accountPinnedServicePrincipal(scope: Construct, service: string): iam.IPrincipal {
  return new iam.ServicePrincipal(service).withConditions({
    StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
  });
}
