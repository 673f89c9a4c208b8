import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

/**
 * The encryption context key each service puts on its KMS requests, naming the
 * resource the data belongs to.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html
 */
export const ENCRYPTION_CONTEXT = {
  sqs: 'kms:EncryptionContext:aws:sqs:arn',
  sns: 'kms:EncryptionContext:aws:sns:topicArn',
  s3: 'kms:EncryptionContext:aws:s3:arn',
} as const;

/** The encryption context key of a Lambda function's environment variables. */
export const LAMBDA_ENVIRONMENT_CONTEXT = 'kms:EncryptionContext:aws:lambda:FunctionArn';

/**
 * The regional endpoint name of `service` that `kms:ViaService` compares against:
 * `<service>.<region>.amazonaws.com` in every partition, China's included (never
 * the partition's URL suffix).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
export function viaService(scope: IConstruct, service: string): string {
  return `${service}.${Stack.of(scope).region}.amazonaws.com`;
}

/**
 * The values S3 puts in `kms:EncryptionContext:aws:s3:arn` for a bucket's
 * objects: the object's ARN without an S3 Bucket Key, the bucket's ARN with one.
 * An object keeps the context it was written with, so turning the Bucket Key on
 * or off later leaves both kinds in the bucket: a condition accepts both.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 */
export function s3EncryptionContext(bucketArn: string): Record<string, Record<string, string[]>> {
  return { ArnLike: { 'kms:EncryptionContext:aws:s3:arn': [bucketArn, `${bucketArn}/*`] } };
}

/**
 * Grants `actions` on `key` to `grantee`'s identity policy, usable only through
 * `service` and, when given, only for the resource named by the service's
 * encryption context. A grantee without an identity policy (an AWS service)
 * gets nothing here: the key policy admits services from what the app wires to
 * them (see SecureKey).
 */
export function grantKeyThrough(
  key: kms.IKey, grantee: iam.IGrantable, actions: string[], service: keyof typeof ENCRYPTION_CONTEXT, resourceArn?: string,
): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [key.keyArn], conditions: keyThroughConditions(key, service, resourceArn) });
}

/** The statement `grantKeyThrough` adds, for a policy written directly. */
export function keyThroughStatement(
  key: kms.IKey, actions: string[], service: keyof typeof ENCRYPTION_CONTEXT, resourceArn?: string,
): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources: [key.keyArn], conditions: keyThroughConditions(key, service, resourceArn) });
}

function keyThroughConditions(
  key: kms.IKey, service: keyof typeof ENCRYPTION_CONTEXT, resourceArn?: string,
): Record<string, Record<string, unknown>> {
  const conditions: Record<string, Record<string, unknown>> = { StringEquals: { 'kms:ViaService': viaService(key, service) } };
  if (resourceArn !== undefined) conditions.ArnEquals = { [ENCRYPTION_CONTEXT[service]]: resourceArn };
  return conditions;
}
