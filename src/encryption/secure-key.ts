import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DECRYPT_ACTIONS, ENCRYPT_ACTIONS, exactKeyActions } from './exact-key-actions';
import { DERIVED_SERVICES, deriveKeyPolicies, isLogsService, servicesOf } from './key-use';
import { checkIntegerRange, invalidProp } from '../core/errors';
import { checkPropKinds, kinds } from '../core/prop-types';

/**
 * Properties of a SecureKey.
 */
export interface SecureKeyProps {
  /**
   * The alias of the key, without the `alias/` prefix.
   *
   * @default - an alias derived from the construct path
   */
  readonly alias?: string;

  /**
   * A description of what the key protects.
   *
   * @default - "Customer-managed key for <construct path>"
   */
  readonly description?: string;

  /**
   * Days AWS KMS waits before deleting the key once deletion is scheduled.
   *
   * The key is retained when its stack is deleted; this window applies only to a
   * deletion someone schedules by hand.
   *
   * @default Duration.days(30)
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
   */
  readonly pendingWindow?: Duration;
}

/**
 * A customer-managed KMS key that is safe by default.
 *
 * - automatic rotation on, retained when the stack is deleted, with an alias;
 * - the key policy gives `kms:*` to the account's administrators (the account
 *   root, which delegates to IAM) and to nobody else;
 * - `kms:CreateGrant` is denied unless the grant is for an AWS resource
 *   (AWS Control Tower CT.KMS.PR.3);
 * - AWS services may use it only where the stack makes them: the key policy is
 *   written at synth from the stack's resources. CloudWatch Logs of this region
 *   is admitted when a log group is encrypted with the key, for this account's
 *   log groups (aws-cdk issue 28304); SNS when a subscription delivers to a
 *   queue encrypted with it (or dead-letters there); CloudWatch when an alarm
 *   notifies a topic encrypted with it; S3 when a bucket notifies such a queue or
 *   topic; EventBridge when a rule targets one or dead-letters to one. Each is
 *   admitted for this account (`aws:SourceAccount`), through SQS or SNS
 *   (`kms:ViaService`), for the named queues and topics when they have literal
 *   names, and EventBridge for the named rules (`aws:SourceArn`). A service
 *   that no resource of the stack sends to the key is not admitted.
 * - an EventBridge Scheduler schedule that dead-letters to a queue encrypted with
 *   the key gets the key use it needs on its role, through SQS, for that queue;
 * - grants name exact actions: `grantEncrypt`, `grantEncryptDecrypt` (and
 *   `grants.encrypt`, `grants.encryptDecrypt`) give `kms:Encrypt` and
 *   `kms:GenerateDataKey`, never aws-cdk-lib's `kms:ReEncrypt*` and
 *   `kms:GenerateDataKey*` patterns, and `grant` replaces those patterns (as the
 *   SQS and SNS grants pass them) by the exact actions. A principal that needs
 *   another data-key action names it: `key.grant(fn, 'kms:GenerateDataKeyPair')`.
 */
export class SecureKey extends kms.Key {
  /**
   * Service statements held back until the stack's use of the key is known.
   *
   * @internal
   */
  public readonly _deferred: iam.PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: SecureKeyProps = {}) {
    checkPropKinds(`${scope.node.path}/${id}`, props, {
      alias: kinds.string(250, /^[a-zA-Z0-9/_-]+$/, 'letters, digits, "/", "_" and "-" (1 to 250), without the "alias/" prefix and not starting with "aws/"'),
      description: kinds.string(8192),
      pendingWindow: kinds.duration,
    });
    const pendingWindow = props.pendingWindow ?? Duration.days(30);
    if (!Token.isUnresolved(pendingWindow.toDays({ integral: false }))) {
      checkIntegerRange(`${scope.node.path}/${id}`, 'pendingWindow', pendingWindow.toDays({ integral: false }), 7, 30, 'days');
    }
    if (props.alias !== undefined && !Token.isUnresolved(props.alias) &&
      (!/^[a-zA-Z0-9/_-]{1,250}$/.test(props.alias) || props.alias.startsWith('aws/') || props.alias.startsWith('alias/'))) {
      invalidProp(`${scope.node.path}/${id}`, 'alias', props.alias,
        'letters, digits, "/", "_" and "-" (1 to 250), without the "alias/" prefix and not starting with "aws/"');
    }
    const path = `${scope.node.path}/${id}`;
    super(scope, id, {
      description: props.description ?? `Customer-managed key for ${path}`,
      enableKeyRotation: true,
      pendingWindow,
      removalPolicy: RemovalPolicy.RETAIN,
      alias: props.alias ?? defaultAlias(scope, id),
    });

    this.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: {
          'kms:GrantIsForAWSResource': 'false',
          'aws:PrincipalIsAWSService': 'false',
        },
      },
    }));
    deriveKeyPolicies(this);
  }

  /**
   * Grants `actions` on this key, with aws-cdk-lib's action patterns
   * (`kms:GenerateDataKey*`, `kms:ReEncrypt*`, ...) replaced by the exact actions
   * a principal that encrypts and decrypts its own data uses.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return super.grants.actions(grantee, ...exactKeyActions(actions));
  }

  /**
   * Grant methods of the key; `encrypt` and `encryptDecrypt` name exact actions.
   */
  public get grants(): kms.KeyGrants {
    const grants = super.grants;
    // KeyGrants writes aws-cdk-lib's patterns and cannot be subclassed (private constructor).
    return Object.assign(grants, {
      encrypt: (grantee: iam.IGrantable) => grants.actions(grantee, ...ENCRYPT_ACTIONS),
      encryptDecrypt: (grantee: iam.IGrantable) => grants.actions(grantee, ...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS),
    });
  }

  /**
   * Adds a statement to the key policy.
   *
   * An Allow to SNS, CloudWatch, S3, EventBridge or CloudWatch Logs is held back:
   * the key admits those services from what the stack wires to the key (see the
   * class documentation), which replaces the statements aws-cdk-lib's integrations
   * write (some unconditioned, some naming a resource that depends on the key,
   * which cannot deploy). One the stack shows no use for (a resource in another
   * stack) is added at synth, pinned to this account, without conditions that
   * refer to resources. An Allow to another AWS service that names no condition is
   * pinned to this account with `aws:SourceAccount`.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    const services = servicesOf(Stack.of(this), statement);
    if (statement.effect === iam.Effect.ALLOW && services.length > 0 && statement.principals.length === services.length &&
      services.every(service => DERIVED_SERVICES.includes(service) || isLogsService(service))) {
      this._deferred.push(statement);
      return { statementAdded: true, policyDependable: this };
    }
    if (statement.effect === iam.Effect.ALLOW && services.length > 0 && Object.keys(statement.conditions).length === 0) {
      statement = statement.copy({ conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account }, ...vendedLogsContext(this, services) } });
    }
    return super.addToResourcePolicy(statement, allowNoOp);
  }

  /**
   * Adds a statement derived from the stack's use of the key.
   *
   * @internal
   */
  public _admit(statement: iam.PolicyStatement): void {
    super.addToResourcePolicy(statement);
  }
}

/**
 * CloudWatch Logs' vended-log delivery (`delivery.logs.amazonaws.com`), which a
 * state machine that logs asks to decrypt its log data with: the data is
 * encrypted under the encryption context `SourceArn` = `arn:<partition>:logs:<region>:<account>:*`
 * (aws-cdk-lib lets the state machine's role generate data keys with that context
 * only), so decryption is tied to it. The EventBridge guide gives the same context
 * for the logs it delivers.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-bus-logs.html
 */
function vendedLogsContext(key: kms.IKey, services: readonly string[]): Record<string, Record<string, string>> {
  if (!services.every(service => service === 'delivery.logs.amazonaws.com')) return {};
  return { StringLike: { 'kms:EncryptionContext:SourceArn': Stack.of(key).formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }) } };
}

/**
 * The stack name plus the path below the stack: alias names are unique per account and
 * region, so the same stack deployed under two names needs two aliases.
 */
function defaultAlias(scope: Construct, id: string): string {
  const stack = Stack.of(scope);
  const below = [...scope.node.scopes.slice(scope.node.scopes.indexOf(stack) + 1).map(s => s.node.id), id].join('/');
  const prefix = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const cleaned = `${prefix}/${below}`.replace(/[^a-zA-Z0-9/_-]/g, '-').replace(/\/+/g, '/');
  return cleaned.length <= 240 ? cleaned : cleaned.slice(cleaned.length - 240);
}
