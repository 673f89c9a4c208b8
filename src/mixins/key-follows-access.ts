import { AspectPriority, Aspects, CfnResource, IAspect, Reference, Stack, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { constructsUnder, inWorkStep } from '../core/work-count';
import { viaService } from '../encryption/key-conditions';

/** The services whose data stores are encrypted with a key their users' statements may not name. */
export type DataService = 'dynamodb' | 'sqs' | 'sns' | 's3' | 'secretsmanager';

/** A data store encrypted with a key its users were never granted: a mixin encrypted it, or a statement reached it by other means than its grants. */
export interface EncryptedStore {
  readonly resource: CfnResource;
  readonly key: kms.IKey;
  readonly service: DataService;
  /**
   * The condition naming the store in the service's encryption context, e.g.
   * `{ ArnEquals: { 'kms:EncryptionContext:aws:sqs:arn': queueArn } }`.
   */
  readonly context?: Record<string, Record<string, unknown>>;
}

/** Actions that read data, per service: they need `kms:Decrypt`. */
const READS: Record<DataService, string[]> = {
  dynamodb: ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'ConditionCheckItem', 'PartiQLSelect', 'GetRecords'],
  sqs: ['ReceiveMessage'],
  sns: [],
  s3: ['GetObject', 'GetObjectVersion'],
  secretsmanager: ['GetSecretValue'],
};

/** Actions that write data, per service: they need `kms:GenerateDataKey` and `kms:Decrypt`. */
const WRITES: Record<DataService, string[]> = {
  dynamodb: ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete'],
  sqs: ['SendMessage'],
  sns: ['Publish'],
  s3: ['PutObject'],
  secretsmanager: ['PutSecretValue', 'UpdateSecret'],
};

const REGISTERED = Symbol.for('cdk-secure-serverless.KeyFollowsAccess');

/** The stores of one app whose keys follow access, and whether the one pass over its policies ran. */
interface Registry {
  readonly stores: EncryptedStore[];
  done: boolean;
}

/**
 * Makes every identity policy of the app that reads or writes `store` also
 * allow the key use it now needs, whenever the grant was written: aws-cdk-lib
 * grants made before the mixin encrypted the store, and statements added with
 * `addToRolePolicy` on a SecureTable, name no key, and the code would fail with
 * an access denied error at run time. The key use is exact
 * (`kms:Decrypt`, and `kms:GenerateDataKey` for writers) and conditioned on
 * the service and, where the service has one, the store's encryption context.
 */
export function keyFollowsAccess(store: EncryptedStore): void {
  const stack = Stack.of(store.resource);
  const root = stack.node.root as IConstruct & { [REGISTERED]?: Registry };
  if (!root[REGISTERED]) Object.defineProperty(root, REGISTERED, { value: { stores: [], done: false } satisfies Registry });
  const registry = root[REGISTERED]!;
  if (!(REGISTERED in stack)) {
    Object.defineProperty(stack, REGISTERED, { value: true });
    Aspects.of(stack).add(new KeyFollowsAccess(stack, registry), { priority: AspectPriority.MUTATING });
  }
  if (!registry.stores.some(s => s.resource === store.resource)) registry.stores.push(store);
}

/**
 * One pass over the app's policies for the stores of every stack, when the
 * first stack with a store is visited: grantees in other stacks of the app
 * read a store too, and each policy is read once, whatever the number of stacks.
 */
class KeyFollowsAccess implements IAspect {
  constructor(private readonly stack: Stack, private readonly registry: Registry) {}

  public visit(node: IConstruct): void {
    if (node !== this.stack || this.registry.done) return;
    this.registry.done = true;
    inWorkStep('aspect:KeyFollowsAccess', () => followAccess(this.stack.node.root, this.registry.stores));
  }
}

function followAccess(root: IConstruct, stores: readonly EncryptedStore[]): void {
  const byResource = new Map<IConstruct, EncryptedStore>(stores.map(store => [store.resource, store]));
  const byId = new Map<string, EncryptedStore[]>();
  for (const store of stores) {
    const id = Stack.of(store.resource).resolve(store.resource.logicalId) as string;
    byId.set(id, [...byId.get(id) ?? [], store]);
  }
  for (const policy of constructsUnder(root)) {
    if (!(policy instanceof iam.Policy || policy instanceof iam.ManagedPolicy)) continue;
    const policyStack = Stack.of(policy);
    const statements = statementsOf(policyStack.resolve(policy.document.toJSON()));
    // Only the stores the policy names can be read or written through it: a reference names its resource
    // wherever it is; a logical id written out names one of the policy's own stack (stacks reuse ids).
    const named = new Set<EncryptedStore>(referencedResources(policy.document).flatMap(resource => byResource.get(resource) ?? []));
    for (const id of referencedIds(statements)) {
      for (const store of byId.get(id) ?? []) if (Stack.of(store.resource) === policyStack) named.add(store);
    }
    for (const store of stores) {
      if (!named.has(store)) continue;
      const stack = Stack.of(store.resource);
      const use = useOf(store.service, statements, stack.resolve(store.resource.logicalId));
      if (!use) continue;
      const actions = use === 'write' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
      const keyArn = stack.resolve(store.key.keyArn);
      const context = stack.resolve(store.context);
      if (actions.every(action => allows(statements, action, keyArn, store.service, context))) continue;
      policy.addStatements(new iam.PolicyStatement({
        actions,
        resources: [store.key.keyArn],
        conditions: {
          ...store.context,
          StringEquals: { ...store.context?.StringEquals, 'kms:ViaService': viaServices(stack, store.service, use) },
        },
      }));
    }
  }
}

/** The resources that references among the statements' resources point at, in any stack. */
function referencedResources(document: iam.PolicyDocument): IConstruct[] {
  const statements: iam.PolicyStatement[] = (document as any).statements ?? [];
  return statements.flatMap(statement => statement.resources.flatMap(resource => Tokenization.reverseString(resource).tokens))
    .filter((token): token is Reference => token instanceof Reference)
    .map(reference => reference.target);
}

/** The logical ids the resources of Allow statements refer to, by `Ref` or `Fn::GetAtt`, alone or in an ARN built from them. */
function referencedIds(statements: any[]): Set<string> {
  const ids = new Set<string>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    const text = JSON.stringify(statement.Resource ?? []);
    for (const match of text.matchAll(/\{"Ref":("(?:[^"\\]|\\.)*")\}|\{"Fn::GetAtt":\[("(?:[^"\\]|\\.)*"),/g)) ids.add(JSON.parse(match[1] ?? match[2]));
  }
  return ids;
}

type Use = 'read' | 'write';

/** Whether the statements read or write the store with logical id `id`, through `service`. */
function useOf(service: DataService, statements: any[], id: string): Use | undefined {
  let use: Use | undefined;
  for (const statement of statements) {
    if (statement.Effect !== 'Allow' || !names(statement.Resource, id)) continue;
    for (const action of list(statement.Action)) {
      const [prefix, name] = String(action).split(':');
      if (prefix !== service && prefix !== '*') continue;
      const pattern = globToRegExp(name ?? '*');
      if (WRITES[service].some(a => pattern.test(a))) return 'write';
      if (READS[service].some(a => pattern.test(a))) use = 'read';
    }
  }
  return use;
}

/** Whether a resource list refers to the resource with logical id `id`, by Ref or GetAtt, alone or in an ARN built from it. */
function names(resources: unknown, id: string): boolean {
  const text = JSON.stringify(resources ?? []);
  return text.includes(JSON.stringify({ Ref: id })) || text.includes(`{"Fn::GetAtt":[${JSON.stringify(id)},`);
}

/**
 * Whether some statement allows `action` on the key (or on every resource) for
 * this store: unconditioned, or conditioned on the service and the store's context.
 * A key use conditioned on something else (a function's environment) does not count.
 */
function allows(statements: any[], action: string, keyArn: unknown, service: DataService, context: unknown): boolean {
  const arn = JSON.stringify(keyArn);
  const forStore = (condition: unknown): boolean => {
    if (condition === undefined) return true;
    const text = JSON.stringify(condition);
    return text.includes(`"${service}.`) && Object.values(context ?? {}).every(entries =>
      Object.values(entries as object).every(value => text.includes(JSON.stringify(value))));
  };
  return statements.some(statement => statement.Effect === 'Allow'
    && list(statement.Action).some(a => globToRegExp(String(a)).test(action))
    && list(statement.Resource).some(r => r === '*' || JSON.stringify(r) === arn)
    && forStore(statement.Condition));
}

/** DynamoDB stream records are read through the Streams endpoint, which AWS names either way. */
function viaServices(stack: Stack, service: DataService, use: Use): string | string[] {
  const via = viaService(stack, service);
  return service === 'dynamodb' && use === 'read' ? [via, viaService(stack, 'streams.dynamodb')] : via;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

function statementsOf(document: any): any[] {
  return list(document?.Statement);
}

function list(value: unknown): any[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
