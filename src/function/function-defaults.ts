import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { acknowledgeFinding, acknowledgeFindings, recordWaiver } from '../core/acknowledgements';
import { controlTowerFindingId } from '../core/finding-ids';
import { keyThroughStatement, LAMBDA_ENVIRONMENT_CONTEXT } from '../encryption/key-conditions';

/**
 * The settings SecureFunction decides for every function, shared with
 * FunctionHardening so a SecureFunction and a hardened plain function cannot drift.
 */
export const FUNCTION_DEFAULTS = {
  /** A cap keeps one function from exhausting the account's concurrency. */
  reservedConcurrentExecutions: 10,
  tracing: lambda.Tracing.ACTIVE,
  loggingFormat: lambda.LoggingFormat.JSON,
  /** The values the two above render in the template. */
  tracingMode: 'Active',
  logFormat: 'JSON',
} as const;

/** Why a permission whose source conditions are both intrinsics passes, though Control Tower's rule reads only literals. */
export const INTRINSIC_SOURCE_CONDITIONS_REASON =
  'SourceAccount and SourceArn are both set, as CloudFormation intrinsics because the stack is environment-agnostic; the Control Tower rule accepts only literal values';

/**
 * The statement that lets a role decrypt one function's environment only: Lambda
 * names the function in the encryption context of that call.
 *
 * @param functionArn the function's ARN, built from its name or referenced
 */
export function decryptOwnEnvironmentStatement(key: kms.IKey, functionArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DecryptOwnEnvironment',
    actions: ['kms:Decrypt'],
    resources: [key.keyArn],
    conditions: { ArnLike: { [LAMBDA_ENVIRONMENT_CONTEXT]: [functionArn, `${functionArn}:*`] } },
  });
}

const HARDENED_QUEUE = Symbol.for('cdk-secure-serverless.HardenedDeadLetterQueue');

/**
 * Makes a function's dead-letter queue encrypted with `key`, TLS-only and
 * terminal, and lets `role` send to it through SQS only. Idempotent.
 */
export function hardenFunctionDeadLetterQueue(queue: sqs.Queue, key: kms.IKey, addToRolePolicy: (statement: iam.PolicyStatement) => void): void {
  const cfn = queue.node.defaultChild as sqs.CfnQueue;
  cfn.kmsMasterKeyId = key.keyArn;
  cfn.redriveAllowPolicy = { redrivePermission: sqs.RedrivePermission.ALLOW_ALL };
  if (!(HARDENED_QUEUE in queue)) {
    Object.defineProperty(queue, HARDENED_QUEUE, { value: true });
    queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyInsecureTransport',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:*'],
      resources: [queue.queueArn],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    // Lambda sends to the queue with the execution role; SQS then uses the key for this queue only.
    addToRolePolicy(keyThroughStatement(key, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs', queue.queueArn));
  }
  acknowledgeFinding(queue, 'Serverless-SQSRedrivePolicy',
    'terminal dead-letter queue of the function: a redrive policy on it would need yet another queue; Control Tower CT.SQS.PR.1 accepts it as a dead-letter queue through its RedriveAllowPolicy');
}

/** The findings a function outside any VPC raises, acknowledged on it with `reason` and recorded as a waiver. */
export function waiveFunctionVpc(fn: IConstruct, reason: string): void {
  recordWaiver(fn, 'network', 'outsideVpc', reason);
  acknowledgeFindings(fn, [
    'HIPAA.Security-LambdaInsideVPC',
    'NIST.800.53.R5-LambdaInsideVPC',
    'PCI.DSS.321-LambdaInsideVPC',
    controlTowerFindingId('CT.LAMBDA.PR.3'),
  ], reason);
}
