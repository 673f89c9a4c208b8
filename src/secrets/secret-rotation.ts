import { Duration, Names, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { SecureSecret } from './secure-secret';
import { acknowledgeFindings, recordWaiver } from '../core/acknowledgements';
import { checkReason, invalidProp } from '../core/errors';
import { SERVERLESS_SECURITY_PACK } from '../core/finding-ids';
import { SecureFunction } from '../function/secure-function';
import { PrivateNetwork } from '../network/private-network';

/**
 * The findings a secret without a rotation schedule raises: AwsSolutions,
 * HIPAA Security and NIST 800-53 R5 (PCI DSS 3.2.1, Serverless and the Control
 * Tower controls have no rotation rule).
 */
const ROTATION_FINDINGS = [
  'AwsSolutions-SMG4',
  'HIPAA.Security-SecretsManagerRotationEnabled',
  'NIST.800.53.R5-SecretsManagerRotationEnabled',
];

const RANDOM_PASSWORD_REASON =
  'secretsmanager:GetRandomPassword generates a password and touches no resource: AWS supports only Resource "*" for it';

/**
 * How often a secret rotates.
 */
export interface RotationScheduleOptions {
  /**
   * Time between rotations, from 4 hours to 1000 days, in whole hours.
   *
   * @default Duration.days(30)
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
   */
  readonly automaticallyAfter?: Duration;
}

/**
 * Options of a rotation by a SecureFunction.
 */
export interface RotationFunctionOptions extends RotationScheduleOptions {
  /**
   * Whether the function may call `secretsmanager:GetRandomPassword`, which the
   * AWS rotation templates use to generate passwords. It supports only
   * `Resource: "*"`; the finding this raises is acknowledged on a policy of its own.
   *
   * @default true
   */
  readonly allowRandomPassword?: boolean;
}

/**
 * The database engines whose rotation function AWS hosts.
 */
export enum HostedRotationEngine {
  /** Amazon RDS or Aurora MySQL. */
  MYSQL = 'MYSQL',
  /** Amazon RDS or Aurora PostgreSQL. */
  POSTGRESQL = 'POSTGRESQL',
  /** Amazon RDS for Oracle. */
  ORACLE = 'ORACLE',
  /** Amazon RDS for MariaDB. */
  MARIADB = 'MARIADB',
  /** Amazon RDS for SQL Server. */
  SQLSERVER = 'SQLSERVER',
  /** Amazon Redshift. */
  REDSHIFT = 'REDSHIFT',
  /** Amazon DocumentDB (MongoDB compatible). */
  MONGODB = 'MONGODB',
}

/**
 * Options of a rotation by a function AWS hosts.
 */
export interface HostedRotationOptions extends RotationScheduleOptions {
  /**
   * For the alternating-users strategy, the secret of the user allowed to change
   * this user's password.
   *
   * @default - single user: the secret's own user changes its password
   */
  readonly masterSecret?: secretsmanager.ISecret;

  /**
   * Characters generated passwords must not contain.
   *
   * @default - the characters aws-cdk-lib excludes: space and `%+~\`#$&*()|[]{}:;<>?!'/@"\`
   */
  readonly excludeCharacters?: string;

  /**
   * The private network the hosted function runs in; it must reach the database.
   *
   * @default - the baseline's network
   */
  readonly network?: PrivateNetwork;
}

type Binder = (secret: SecureSecret) => void;

/**
 * How a SecureSecret rotates: by a SecureFunction, by a function AWS hosts for
 * a database engine, or not at all with a written reason.
 */
export class SecretRotationChoice {
  /**
   * Rotates with `fn`, a SecureFunction implementing the four rotation steps.
   *
   * Secrets Manager may invoke it for this secret only (`SourceArn`,
   * `SourceAccount`); it gets `DescribeSecret`, `GetSecretValue`,
   * `PutSecretValue` and `UpdateSecretVersionStage` on this secret, the key use
   * they need for this secret only (encryption context), and the Secrets
   * Manager endpoint in its network.
   *
   * @param fn the rotation function
   * @param options schedule and password generation
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
   */
  public static function(fn: SecureFunction, options: RotationFunctionOptions = {}): SecretRotationChoice {
    if (!SecureFunction.isSecureFunction(fn)) {
      invalidProp('SecretRotationChoice.function', 'fn', (fn as any)?.node?.path ?? fn, 'a SecureFunction');
    }
    const rate = scheduleOf('SecretRotationChoice.function', options);
    return new SecretRotationChoice('function', secret => rotateWithFunction(secret, fn, rate, options.allowRandomPassword ?? true));
  }

  /**
   * Rotates with a function AWS hosts for `engine` (created at deployment by a
   * Secrets Manager transform, outside this template, so the checks cannot see
   * it). It runs in the private network with a security group of its own,
   * `secret.rotationSecurityGroup`, that reaches the Secrets Manager endpoint;
   * allow it into the database, e.g.
   * `db.connections.allowDefaultPortFrom(secret.rotationSecurityGroup)`.
   *
   * @param engine the database engine
   * @param options schedule, strategy and network
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_managed.html
   */
  public static hostedDatabase(engine: HostedRotationEngine, options: HostedRotationOptions = {}): SecretRotationChoice {
    if (!Object.values(HostedRotationEngine).includes(engine)) {
      invalidProp('SecretRotationChoice.hostedDatabase', 'engine', engine, `a HostedRotationEngine (${Object.values(HostedRotationEngine).join(', ')})`);
    }
    const rate = scheduleOf('SecretRotationChoice.hostedDatabase', options);
    return new SecretRotationChoice('hostedDatabase', secret => rotateHosted(secret, engine, rate, options));
  }

  /**
   * No automatic rotation, for a secret that cannot rotate by itself (such as a
   * key a third party issues). The rotation findings
   * (`AwsSolutions-SMG4`, `HIPAA.Security-SecretsManagerRotationEnabled`,
   * `NIST.800.53.R5-SecretsManagerRotationEnabled`) are acknowledged on this
   * secret only, with `reason`, and the waiver is listed in the security report.
   *
   * @param reason why the secret cannot rotate automatically
   */
  public static waiver(reason: string): SecretRotationChoice {
    const checked = checkReason('SecretRotationChoice.waiver', 'reason', reason);
    return new SecretRotationChoice('waiver', secret => {
      recordWaiver(secret, 'rotation', 'none', checked);
      acknowledgeFindings(secret, ROTATION_FINDINGS, checked);
    }, checked);
  }

  /** The kind of rotation: `function`, `hostedDatabase` or `waiver`. */
  public readonly kind: string;
  /** The reason, for a waiver. */
  public readonly reason?: string;

  private readonly binder: Binder;

  private constructor(kind: string, binder: Binder, reason?: string) {
    this.kind = kind;
    this.binder = binder;
    this.reason = reason;
  }

  /** @internal */
  public _bind(secret: SecureSecret): void {
    this.binder(secret);
  }
}

function scheduleOf(where: string, options: RotationScheduleOptions): Duration {
  const after = options.automaticallyAfter ?? Duration.days(30);
  if (!(after instanceof Duration)) invalidProp(where, 'automaticallyAfter', after, 'a Duration from 4 hours to 1000 days');
  const hours = after.toHours({ integral: false });
  if (!Token.isUnresolved(hours) && (!Number.isInteger(hours) || hours < 4 || hours > 24000)) {
    invalidProp(where, 'automaticallyAfter', after, 'a whole number of hours from 4 hours to 1000 days');
  }
  return after;
}

function rotateWithFunction(secret: SecureSecret, fn: SecureFunction, after: Duration, allowRandomPassword: boolean): void {
  const permissionId = `RotateSecret${Names.nodeUniqueId(secret.node)}`;
  fn.addPermission(permissionId, {
    principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
    action: 'lambda:InvokeFunction',
    sourceArn: secret.secretArn,
  });
  iam.Grant.addToPrincipal({
    grantee: fn,
    actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
    resourceArns: [secret.secretArn],
  });
  secret._grantKeyUse(fn, ['kms:Decrypt', 'kms:GenerateDataKey']);
  fn.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER);

  const schedule = new secretsmanager.CfnRotationSchedule(secret, 'RotationSchedule', {
    secretId: secret.secretArn,
    rotationLambdaArn: fn.functionArn,
    rotationRules: { scheduleExpression: events.Schedule.rate(after).expressionString },
  });
  // The first rotation starts on creation: the function must be invocable and permitted by then.
  schedule.node.addDependency(...fn.policies);
  const permission = fn.node.tryFindChild(permissionId);
  if (permission) schedule.node.addDependency(permission);

  if (allowRandomPassword) {
    const policy = new iam.ManagedPolicy(secret, 'RandomPasswordPolicy', {
      description: `Lets the rotation function of ${secret.node.path} generate passwords`,
      roles: [fn.role!],
      statements: [new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] })],
    });
    acknowledgeFindings(policy, [
      'AwsSolutions-IAM5[Resource::*]',
      `${SERVERLESS_SECURITY_PACK}-LambdaPolicyWildcard[Resource::*]`,
    ], RANDOM_PASSWORD_REASON);
    schedule.node.addDependency(policy);
  }
}

function rotateHosted(secret: SecureSecret, engine: HostedRotationEngine, after: Duration, options: HostedRotationOptions): void {
  const network = options.network ?? secret._defaultNetwork();
  const securityGroup = secret._createRotationSecurityGroup(network);
  network.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, securityGroup);
  const placement = {
    vpc: network.vpc,
    vpcSubnets: network.subnets,
    securityGroups: [securityGroup],
    excludeCharacters: options.excludeCharacters,
  };
  new secretsmanager.RotationSchedule(secret, 'RotationSchedule', {
    secret,
    hostedRotation: hostedRotation(engine, placement, options.masterSecret),
    automaticallyAfter: after,
  });
}

function hostedRotation(
  engine: HostedRotationEngine, placement: secretsmanager.SingleUserHostedRotationOptions, masterSecret?: secretsmanager.ISecret,
): secretsmanager.HostedRotation {
  const H = secretsmanager.HostedRotation;
  const multi = masterSecret ? { ...placement, masterSecret } : undefined;
  switch (engine) {
    case HostedRotationEngine.MYSQL: return multi ? H.mysqlMultiUser(multi) : H.mysqlSingleUser(placement);
    case HostedRotationEngine.POSTGRESQL: return multi ? H.postgreSqlMultiUser(multi) : H.postgreSqlSingleUser(placement);
    case HostedRotationEngine.ORACLE: return multi ? H.oracleMultiUser(multi) : H.oracleSingleUser(placement);
    case HostedRotationEngine.MARIADB: return multi ? H.mariaDbMultiUser(multi) : H.mariaDbSingleUser(placement);
    case HostedRotationEngine.SQLSERVER: return multi ? H.sqlServerMultiUser(multi) : H.sqlServerSingleUser(placement);
    case HostedRotationEngine.REDSHIFT: return multi ? H.redshiftMultiUser(multi) : H.redshiftSingleUser(placement);
    case HostedRotationEngine.MONGODB: return multi ? H.mongoDbMultiUser(multi) : H.mongoDbSingleUser(placement);
  }
}
