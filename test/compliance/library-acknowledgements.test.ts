process.env.CDK_VALIDATION = 'false';

import { App, Mixins, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { SecureApi } from '../../src/api/secure-api';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA, LibraryAcknowledgement } from '../../src/core/acknowledgements';
import { ComplianceProfile } from '../../src/core/profile';
import { FunctionNetwork } from '../../src/function/function-network';
import { SecureFunction } from '../../src/function/secure-function';
import { renderText } from '../../src/guardrails/cfn-values';
import { ServerlessSecurityChecks } from '../../src/guardrails/serverless-security-checks';
import { FunctionHardening } from '../../src/mixins/function-hardening';
import { StateMachineHardening } from '../../src/mixins/state-machine-hardening';
import { SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { BucketReplication } from '../../src/storage/bucket-options';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { SecureTable } from '../../src/table/secure-table';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import { CODE, ENV, HANDLER, prefixListContext, statementsOf } from '../core/fixtures';

const MINIMIZE_POLICIES = '@aws-cdk/aws-iam:minimizePolicies';
/** The wildcard findings the library acknowledges: `<Rule>[Resource::<value>]` or `<Rule>[Action::<value>]`. */
const WILDCARD_FINDING = /^(AwsSolutions-IAM5|ServerlessSecurity-LambdaPolicyWildcard)\[(Resource|Action)::(.*)\]$/;

/**
 * Every construct of the library that acknowledges a wildcard finding (`Resource::*`,
 * `Action::*` or a resource ARN ending in a wildcard), in one stack.
 */
function everyAcknowledgingConstruct(stack: Stack): void {
  new SecurityBaseline(stack, 'SecurityBaseline', { profile: ComplianceProfile.REGULATED });
  const fn = new SecureFunction(stack, 'InVpc', { code: CODE, handler: HANDLER });
  new SecureFunction(stack, 'OutsideVpc', { code: CODE, handler: HANDLER, network: FunctionNetwork.outsideVpc('calls a partner API on the internet') });
  const rotator = new SecureFunction(stack, 'Rotator', { code: CODE, handler: HANDLER });
  new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.function(rotator) });
  new SecureStateMachine(stack, 'Flow', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Step')) });
  new sfn.StateMachine(stack, 'PlainFlow', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'PlainStep')) })
    .with(new StateMachineHardening());
  new lambda.Function(stack, 'Plain', { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST, logRetention: logs.RetentionDays.ONE_YEAR });
  const api = new SecureApi(stack, 'Api');
  api.addRoute('GET', '/orders/{id}', fn).grantExecute(fn);
  const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
  new SecureHttpApi(stack, 'HttpApi').addRoute('ANY', '/carts', fn).grantInvoke(caller);
  const replica = new SecureBucket(stack, 'Replica', { replication: BucketReplication.waiver('the replica itself') });
  new SecureBucket(stack, 'Uploads', { replication: BucketReplication.toBucket(replica) }).grantRead(fn, 'reports/*');
  new SecureTable(stack, 'Orders', { partitionKey: { name: 'pk', type: 'S' as any } });
  Mixins.of(stack).apply(new FunctionHardening({ profile: ComplianceProfile.REGULATED, reservedConcurrency: 10 }));
}

/** One acknowledgement the library wrote, the policy construct it sits on, and the roles that policy applies to. */
interface AcknowledgedWildcard {
  readonly id: string;
  readonly rule: string;
  /** `Resource` or `Action`. */
  readonly element: string;
  readonly value: string;
  readonly holder: IConstruct;
  readonly roles: iam.Role[];
}

function librarysWildcardAcknowledgements(app: App): AcknowledgedWildcard[] {
  const found: AcknowledgedWildcard[] = [];
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== LIBRARY_ACKNOWLEDGEMENT_METADATA) continue;
      const { id } = entry.data as LibraryAcknowledgement;
      const match = WILDCARD_FINDING.exec(id);
      if (match) found.push({ id, rule: match[1], element: match[2], value: match[3], holder: construct, roles: rolesOf(app, construct) });
    }
  }
  return found;
}

/** The roles an acknowledged policy applies to, from either side of the attachment. */
function rolesOf(app: App, holder: IConstruct): iam.Role[] {
  const fromPolicy = ((holder as any).roles ?? []) as iam.IRole[];
  const fromRoles = app.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role
    && ((c as any).managedPolicies as iam.IManagedPolicy[]).includes(holder as iam.IManagedPolicy));
  return [...new Set([...fromPolicy, ...fromRoles])].filter((role): role is iam.Role => role instanceof iam.Role);
}

/** The raw value the library's statement names, whose rendering is the acknowledged `value`. */
function rawValueOf(ack: AcknowledgedWildcard): { raw: unknown; action: string } {
  const stack = Stack.of(ack.holder);
  const document = stack.resolve((ack.holder as iam.ManagedPolicy | iam.Policy).document.toJSON());
  for (const statement of statementsOf(document)) {
    const values = [statement[ack.element]].flat();
    const raw = values.find((value: unknown) => renderText(value as any) === ack.value);
    if (raw !== undefined) return { raw, action: [statement.Action].flat()[0] };
  }
  throw new Error(`${ack.id} on ${ack.holder.node.path}: no statement of the policy names ${ack.value}`);
}

/** A statement of the app with the same wildcard as the acknowledged one, and another action. */
function sameWildcard(ack: AcknowledgedWildcard): iam.PolicyStatement {
  const { raw, action } = rawValueOf(ack);
  const service = action.split(':')[0];
  const other = ack.value === '*' ? 'secretsmanager:GetSecretValue' : `${service}:UserAddedAction`;
  // The rendered value may be an intrinsic (`<Bucket.Arn>/*`): the app names it through the same reference.
  const value = typeof raw === 'string' ? raw : Token.asString(raw);
  return ack.element === 'Resource'
    ? new iam.PolicyStatement({ actions: [other], resources: [value] })
    : new iam.PolicyStatement({ actions: [value], resources: [`arn:aws:${service}:${ENV.region}:${ENV.account}:user-added`] });
}

/** The policy construct a statement landed in: aws-cdk-lib's Role names its default policy through a dependency group. */
function landedIn(role: iam.Role, result: iam.AddToPrincipalPolicyResult): IConstruct {
  const dependable = result.policyDependable as Partial<IConstruct> | undefined;
  return dependable?.node ? dependable as IConstruct : role.node.findChild('DefaultPolicy');
}

/** The ways an app adds a statement to a role; each returns the policy construct the statement landed in. */
const WAYS: Record<string, (role: iam.Role, statement: iam.PolicyStatement, id: string) => IConstruct> = {
  'addToRolePolicy': (role, statement) => landedIn(role, role.addToPrincipalPolicy(statement)),
  'a grant (iam.Grant.addToPrincipal, what every grant* method calls)': (role, statement) => {
    let landed: IConstruct | undefined;
    const principal = new Proxy(role, {
      get: (target, property) => property === 'addToPrincipalPolicy'
        ? (s: iam.PolicyStatement) => {
          const result = target.addToPrincipalPolicy(s);
          landed = landedIn(target, result);
          return result;
        }
        : Reflect.get(target, property, target),
    });
    iam.Grant.addToPrincipal({ grantee: { grantPrincipal: principal }, actions: statement.actions, resourceArns: statement.resources });
    return landed!;
  },
  'an iam.Policy': (role, statement, id) => new iam.Policy(Stack.of(role), `UserPolicy${id}`, { statements: [statement], roles: [role] }),
  'attachInlinePolicy': (role, statement, id) => {
    const policy = new iam.Policy(Stack.of(role), `UserInline${id}`, { statements: [statement] });
    role.attachInlinePolicy(policy);
    return policy;
  },
};

/** The packs that report each acknowledged rule. */
const PACKS = { 'AwsSolutions-IAM5': new AwsSolutionsChecks(), 'ServerlessSecurity-LambdaPolicyWildcard': new ServerlessSecurityChecks() };

function buildApp(minimize: boolean): { app: App } {
  const app = new App({ context: prefixListContext() });
  app.node.setContext(MINIMIZE_POLICIES, minimize);
  const stack = new Stack(app, 'S', { env: ENV });
  everyAcknowledgingConstruct(stack);
  return { app };
}

describe.each([false, true])(`with ${MINIMIZE_POLICIES} %s`, minimize => {
  // Each way is its own app, so that the statements of one way do not stand in for another's.
  const results = Object.entries(WAYS).map(([way, add]) => {
    const { app } = buildApp(minimize);
    const acks = librarysWildcardAcknowledgements(app);
    const added = acks.flatMap((ack, i) => ack.roles.map((role, j) => {
      return { ack, role, landed: add(role, sameWildcard(ack), `${i}x${j}`) };
    }));
    app.synth();
    const reports = Object.fromEntries(Object.entries(PACKS).map(([rule, pack]) => [rule, pack.validateScope(app).violations]));
    // A policy's resource is under it (`Resource`, or `Managed/Resource` once a mixin made an inline policy customer-managed).
    const reported = (rule: string, id: string, policy: IConstruct) => reports[rule]
      .some(v => v.ruleName === id && v.violatingResources.some(r => (r.constructPath ?? '').startsWith(`${policy.node.path}/`)));
    return { way, acks, added, reported };
  });

  test('the library acknowledges wildcards in the shapes this test covers', () => {
    const { acks } = results[0];
    expect(acks.length).toBeGreaterThan(10);
    expect(new Set(acks.map(ack => ack.value === '*' ? '*' : 'an ARN ending in a wildcard'))).toEqual(new Set(['*', 'an ARN ending in a wildcard']));
    for (const ack of acks) expect([ack.id, ack.roles.length]).toEqual([ack.id, expect.any(Number)]);
    expect(acks.filter(ack => ack.roles.length === 0).map(ack => `${ack.id} on ${ack.holder.node.path}`)).toEqual([]);
    process.stdout.write(`${acks.length} wildcard acknowledgements of the library, on ${new Set(acks.map(ack => ack.holder)).size} policies, `
      + `each met by ${Object.keys(WAYS).length} statements of the app per role:\n${acks.map(ack => `  ${ack.id} on ${ack.holder.node.path}`).join('\n')}\n`);
  });

  test.each(Object.keys(WAYS))('a statement of the app with the wildcard of each library acknowledgement, added with %s, is still a finding', way => {
    const { added, reported } = results.find(r => r.way === way)!;
    const hidden = added.filter(({ ack, landed }) => !reported(ack.rule, ack.id, landed))
      .map(({ ack, role, landed }) => `${ack.id} (acknowledged on ${ack.holder.node.path}) in ${landed.node.path} of ${role.node.path}`);
    expect(hidden).toEqual([]);
    expect(added.length).toBeGreaterThan(10);
  });

  test('the library\'s own statements stay acknowledged', () => {
    for (const { acks, reported } of results) {
      const open = acks.filter(ack => reported(ack.rule, ack.id, ack.holder)).map(ack => `${ack.id} on ${ack.holder.node.path}`);
      expect(open).toEqual([]);
    }
  });
});

test('held out: a user\'s Resource "*" (secretsmanager:GetSecretValue, kms:Decrypt) added to a SecureFunction is a finding in AwsSolutions and in our pack', () => {
  const app = new App({ context: prefixListContext() });
  const stack = new Stack(app, 'Shop', { env: ENV });
  const charge = new SecureFunction(stack, 'Charge', { code: CODE, handler: HANDLER });
  charge.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'kms:Decrypt'], resources: ['*'] }));
  app.synth();

  const at = (pack: AwsSolutionsChecks | ServerlessSecurityChecks, id: string) =>
    pack.validateScope(app).violations.filter(v => v.ruleName === id).flatMap(v => v.violatingResources.map(r => r.constructPath));
  expect(at(new AwsSolutionsChecks(), 'AwsSolutions-IAM5[Resource::*]')).toEqual([`${charge.policy.node.path}/Resource`]);
  expect(at(new ServerlessSecurityChecks(), 'ServerlessSecurity-LambdaPolicyWildcard[Resource::*]')).toEqual([`${charge.policy.node.path}/Resource`]);
});
