import { AspectPriority, Aspects, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
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
  let stores: EncryptedStore[] | undefined = (stack as any)[REGISTERED];
  if (!stores) {
    stores = [];
    Object.defineProperty(stack, REGISTERED, { value: stores });
    Aspects.of(stack).add(new KeyFollowsAccess(stack, stores), { priority: AspectPriority.MUTATING });
  }
  if (!stores.some(s => s.resource === store.resource)) stores.push(store);
}

/** The one pass over the stack's policies, when the aspect visits the stack itself. */
class KeyFollowsAccess implements IAspect {
  private done = false;

  constructor(private readonly stack: Stack, private readonly stores: readonly EncryptedStore[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.stack || this.done) return;
    this.done = true;
    const ids = this.stores.map(store => this.stack.resolve(store.resource.logicalId) as string);
    // Grantees in other stacks of the app read the store too: their policies are walked as well.
    for (const policy of this.stack.node.root.node.findAll()) {
      if (!(policy instanceof iam.Policy || policy instanceof iam.ManagedPolicy)) continue;
      const statements = statementsOf(this.stack.resolve(policy.document.toJSON()));
      this.stores.forEach((store, i) => {
        const use = useOf(store.service, statements, ids[i]);
        if (!use) return;
        const actions = use === 'write' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
        const keyArn = this.stack.resolve(store.key.keyArn);
        const context = this.stack.resolve(store.context);
        if (actions.every(action => allows(statements, action, keyArn, store.service, context))) return;
        policy.addStatements(new iam.PolicyStatement({
          actions,
          resources: [store.key.keyArn],
          conditions: {
            ...store.context,
            StringEquals: { ...store.context?.StringEquals, 'kms:ViaService': viaServices(this.stack, store.service, use) },
          },
        }));
      });
    }
  }
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
