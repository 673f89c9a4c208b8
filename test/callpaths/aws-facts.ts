/**
 * How AWS calls across the integrations the library wires: for each, who calls
 * (a role or a service principal), which action on which resource, and which
 * condition keys the calling service sends, with the AWS page that says so.
 * The call-path model (model.ts) builds its requests from these rows only.
 *
 * A row the documentation does not settle is `unverified`, with the reason:
 * the model still evaluates its request, but the keys it does not know to be
 * sent are left out of the request, so a policy that conditions on them is
 * refused, which keeps them out of the library's conditions.
 */

/** Whether an AWS page states the row. */
export type FactStatus = 'documented' | 'unverified';

export interface AwsFact {
  /** What the library wires. */
  readonly integration: string;
  /** Who makes the request. */
  readonly caller: string;
  /** The actions of the request. */
  readonly actions: readonly string[];
  /** The condition keys the calling service puts in the request context. */
  readonly sends: readonly string[];
  /** The AWS page that states the row. */
  readonly source: string;
  readonly status: FactStatus;
  /** Why an unverified row is not settled, or what the page says that the row relies on. */
  readonly note?: string;
}

const SNS_KEYS = 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services';
const SQS_KEYS = 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services';
const KMS_VIA_SERVICE = 'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service';
const GLOBAL_KEYS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html';

export const FACTS = {
  alarmToTopic: {
    integration: 'CloudWatch alarm action to an SNS topic',
    caller: 'cloudwatch.amazonaws.com',
    actions: ['sns:Publish'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html',
    status: 'documented',
    note: 'a topic policy replaces the default one: it must allow cloudwatch.amazonaws.com, scoped by aws:SourceArn (the alarm) and aws:SourceAccount '
      + '(https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#ensure-topics-not-publicly-accessible)',
  },
  serviceToEncryptedTopic: {
    integration: 'an AWS service (CloudWatch, S3) publishing to an SNS topic encrypted with a customer managed key',
    caller: 'the publishing service principal',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    sends: ['kms:EncryptionContext:aws:sns:topicArn'],
    source: 'https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html',
    status: 'documented',
    note: 'SNS names the topic in the encryption context (aws:sns:topicArn). The SNS guide\'s key policy for event sources ('
      + `${SNS_KEYS}) shows no condition; whether aws:SourceAccount, aws:SourceArn or kms:ViaService reach KMS on this hop is not stated, so they are not sent here`,
  },
  eventBridgeToEncryptedTopic: {
    integration: 'EventBridge rule to an SNS topic encrypted with a customer managed key',
    caller: 'events.amazonaws.com',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    sends: ['kms:EncryptionContext:aws:sns:topicArn'],
    source: SNS_KEYS,
    status: 'unverified',
    note: 'the issue cites the SNS guide: aws:SourceAccount, aws:SourceArn and aws:SourceOrgID are not supported in the KMS key policy for EventBridge '
      + 'to encrypted topics. That paragraph could not be read offline: the archived SNS guide (github.com/awsdocs/amazon-sns-developer-guide, '
      + 'doc_source/sns-key-management.md) elides the section\'s service table, and the stored page gives only its opening; an AWS-authored project '
      + '(aws/modern-data-architecture-accelerator, grantCloudWatchAlarmsTopicAccess) repeats it, citing the same section. So the source keys are not '
      + 'sent here, and no condition of the library depends on them either way: the key statement conditions on the encryption context only, which '
      + 'SNS sends whoever publishes (serviceToEncryptedTopic)',
  },
  serviceToEncryptedQueue: {
    integration: 'an AWS service (S3, SNS, EventBridge) sending to an SQS queue encrypted with a customer managed key',
    caller: 'the sending service principal',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    sends: ['kms:EncryptionContext:aws:sqs:arn'],
    source: SQS_KEYS,
    status: 'documented',
    note: 'SQS names the queue in the encryption context (aws:sqs:arn); the guide\'s key policy for event sources conditions on nothing the source service '
      + 'would have to forward, so aws:SourceAccount, aws:SourceArn and kms:ViaService are not sent here',
  },
  ruleToTopic: {
    integration: 'EventBridge rule to an SNS topic',
    caller: 'events.amazonaws.com',
    actions: ['sns:Publish'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions',
    status: 'documented',
  },
  ruleToQueue: {
    integration: 'EventBridge rule to an SQS queue (target or dead-letter queue)',
    caller: 'events.amazonaws.com',
    actions: ['sqs:SendMessage'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions',
    status: 'documented',
    note: 'dead-letter queues: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html (aws:SourceArn is the rule)',
  },
  ruleToFunction: {
    integration: 'EventBridge rule to a Lambda function',
    caller: 'events.amazonaws.com',
    actions: ['lambda:InvokeFunction'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions',
    status: 'documented',
  },
  ruleAssumesRole: {
    integration: 'EventBridge rule to a target it reaches with a role (Step Functions, another bus)',
    caller: 'events.amazonaws.com',
    actions: ['sts:AssumeRole'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html',
    status: 'documented',
    note: 'read: the page recommends aws:SourceArn and aws:SourceAccount in resource policies to limit what EventBridge gives another service, and '
      + '"for EventBridge event bus rule targets, the value of aws:SourceArn must be the rule ARN"; the guide\'s condition-key table '
      + '(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html) defines aws:SourceArn as the rule sending the event and '
      + 'aws:SourceAccount as the account the rule is in. The page\'s trust-policy example itself could not be read offline',
  },
  scheduleAssumesRole: {
    integration: 'EventBridge Scheduler schedule to its target, through its execution role',
    caller: 'scheduler.amazonaws.com',
    actions: ['sts:AssumeRole'],
    sends: ['aws:SourceAccount', 'aws:SourceArn'],
    source: 'https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role',
    status: 'documented',
    note: 'the guide\'s trust policy conditions on aws:SourceAccount and on aws:SourceArn, the ARN of the schedule\'s group; its confused-deputy page '
      + '(https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html) says the same for the execution role\'s '
      + 'trust policy, and not to scope aws:SourceArn to a single schedule',
  },
  roleCallsTarget: {
    integration: 'a service acting with a role the app gives it (Scheduler, Step Functions, EventBridge): the role calls the target',
    caller: 'the role',
    actions: ['lambda:InvokeFunction', 'sqs:SendMessage', 'sns:Publish', 'states:StartExecution', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    sends: ['aws:SecureTransport'],
    source: 'https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role',
    status: 'documented',
    note: 'Step Functions tasks: https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html',
  },
  stateMachineAssumesRole: {
    integration: 'a Step Functions state machine assuming its role',
    caller: 'states.amazonaws.com',
    actions: ['sts:AssumeRole'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html#prevent-cross-service-confused-deputy',
    status: 'documented',
    note: 'read in github.com/awsdocs/aws-step-functions-developer-guide, doc_source/procedure-create-iam-role.md ("Prevent cross-service confused '
      + 'deputy issue"): the trust policy of states.amazonaws.com for sts:AssumeRole conditions on aws:SourceArn (arn:aws:states:<region>:<account>:'
      + 'stateMachine:*) and aws:SourceAccount',
  },
  bucketToQueue: {
    integration: 'S3 event notification to an SQS queue',
    caller: 's3.amazonaws.com',
    actions: ['sqs:SendMessage'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html',
    status: 'documented',
    note: 'S3 tests the destination when the notification configuration is written (PutBucketNotificationConfiguration): the same request must be allowed at create time',
  },
  bucketToTopic: {
    integration: 'S3 event notification to an SNS topic',
    caller: 's3.amazonaws.com',
    actions: ['sns:Publish'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html',
    status: 'documented',
  },
  bucketToFunction: {
    integration: 'S3 event notification to a Lambda function',
    caller: 's3.amazonaws.com',
    actions: ['lambda:InvokeFunction'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html',
    status: 'documented',
  },
  topicToQueue: {
    integration: 'SNS subscription delivering to an SQS queue (or its dead-letter queue)',
    caller: 'sns.amazonaws.com',
    actions: ['sqs:SendMessage'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html',
    status: 'documented',
  },
  topicToFunction: {
    integration: 'SNS subscription invoking a Lambda function',
    caller: 'sns.amazonaws.com',
    actions: ['lambda:InvokeFunction'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html',
    status: 'documented',
    note: `aws:SourceAccount: ${GLOBAL_KEYS}#condition-keys-sourceaccount`,
  },
  eventSourceMapping: {
    integration: 'Lambda event source mapping polling an SQS queue',
    caller: 'the function\'s execution role',
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    sends: ['aws:SecureTransport'],
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-permissions',
    status: 'documented',
    note: 'the pollers run in the Lambda service, not in the function\'s VPC: no endpoint policy applies',
  },
  encryptedQueueThroughSqs: {
    integration: 'a role reading or writing an SQS queue encrypted with a customer managed key',
    caller: 'the role',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    sends: ['kms:ViaService', 'kms:EncryptionContext:aws:sqs:arn', 'kms:CallerAccount'],
    source: KMS_VIA_SERVICE,
    status: 'documented',
    note: `encryption context: ${SQS_KEYS}`,
  },
  environmentDecryption: {
    integration: 'Lambda decrypting a function\'s environment variables encrypted with a customer managed key',
    caller: 'the function\'s execution role',
    actions: ['kms:Decrypt'],
    sends: ['kms:EncryptionContext:aws:lambda:FunctionArn', 'kms:CallerAccount'],
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html',
    status: 'documented',
    note: 'the encryption context names the function (aws:lambda:FunctionArn); kms:ViaService on this call is not stated, so it is not sent',
  },
  deadLetterDelivery: {
    integration: 'Lambda sending a failed asynchronous event to the function\'s dead-letter queue or on-failure destination',
    caller: 'the function\'s execution role',
    actions: ['sqs:SendMessage', 'sns:Publish'],
    sends: ['aws:SecureTransport'],
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html',
    status: 'documented',
    note: 'Lambda sends with the execution role from the service, not from the function\'s VPC: no endpoint policy applies',
  },
  logGroupEncryption: {
    integration: 'CloudWatch Logs writing a log group encrypted with a customer managed key',
    caller: 'logs.<region>.amazonaws.com',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'],
    sends: ['kms:EncryptionContext:aws:logs:arn'],
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
    status: 'documented',
  },
  apiToFunction: {
    integration: 'API Gateway (REST or HTTP API) invoking a route\'s function',
    caller: 'apigateway.amazonaws.com',
    actions: ['lambda:InvokeFunction'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html',
    status: 'documented',
    note: `aws:SourceAccount: sent when a service calls another on behalf of the resource's owner (${GLOBAL_KEYS}#condition-keys-sourceaccount)`,
  },
  authorizerInvoke: {
    integration: 'API Gateway invoking a Lambda authorizer',
    caller: 'apigateway.amazonaws.com',
    actions: ['lambda:InvokeFunction'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html',
    status: 'documented',
    note: `aws:SourceAccount: ${GLOBAL_KEYS}#condition-keys-sourceaccount`,
  },
  privateApiInvoke: {
    integration: 'a caller in the VPC invoking a PRIVATE REST API through its execute-api endpoint',
    caller: 'a role of this account',
    actions: ['execute-api:Invoke'],
    sends: ['aws:SourceVpce', 'aws:PrincipalAccount'],
    source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-api-create.html',
    status: 'documented',
  },
  rotationInvoke: {
    integration: 'Secrets Manager invoking a secret\'s rotation function',
    caller: 'secretsmanager.amazonaws.com',
    actions: ['lambda:InvokeFunction'],
    sends: ['aws:SourceArn', 'aws:SourceAccount'],
    source: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html',
    status: 'documented',
  },
  functionToStore: {
    integration: 'a function calling a granted data store (DynamoDB, SQS, SNS, S3, Secrets Manager) through its VPC endpoint',
    caller: 'the function\'s execution role',
    actions: ['the granted actions'],
    sends: ['aws:SecureTransport', 'aws:PrincipalAccount', 'aws:ResourceAccount', 'aws:SourceVpce', 'aws:SourceVpc'],
    source: `${GLOBAL_KEYS}#condition-keys-resourceaccount`,
    status: 'documented',
    note: 'the endpoint policy is evaluated with the identity and resource policies: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html',
  },
  resourceLessAction: {
    integration: 'a function calling an action that names no resource (secretsmanager:GetRandomPassword) through its VPC endpoint',
    caller: 'the function\'s execution role',
    actions: ['secretsmanager:GetRandomPassword'],
    sends: ['aws:SecureTransport', 'aws:PrincipalAccount', 'aws:SourceVpce', 'aws:SourceVpc'],
    source: `${GLOBAL_KEYS}#condition-keys-resourceaccount`,
    status: 'unverified',
    note: 'the IAM guide says aws:ResourceAccount is present for most actions and does not say which; an action with no resource is not modeled with it, '
      + 'so endpoint policies must let it through without that key',
  },
  storeKeyThroughService: {
    integration: 'a role using a store\'s customer managed key through the store (DynamoDB, S3, Secrets Manager, SNS)',
    caller: 'the role',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    sends: ['kms:ViaService', 'kms:CallerAccount', 'kms:EncryptionContext:*'],
    source: KMS_VIA_SERVICE,
    status: 'documented',
    note: 'kms:ViaService is <service>.<region>.amazonaws.com in every partition. Encryption contexts: DynamoDB aws:dynamodb:tableName '
      + '(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html), S3 aws:s3:arn: the object ARN, or the bucket ARN '
      + 'with an S3 Bucket Key, per object as written (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context), '
      + 'Secrets Manager SecretARN (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-encryption-context)',
  },
  cloudFrontOac: {
    integration: 'CloudFront reading an S3 origin through an origin access control',
    caller: 'cloudfront.amazonaws.com',
    actions: ['s3:GetObject'],
    sends: ['aws:SourceArn'],
    source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html',
    status: 'documented',
  },
} satisfies Record<string, AwsFact>;

export type FactId = keyof typeof FACTS;

/** The unverified rows, with their reasons, for the counts. */
export function unverifiedFacts(): Array<[FactId, AwsFact]> {
  return (Object.entries(FACTS) as Array<[FactId, AwsFact]>).filter(([, fact]) => fact.status === 'unverified');
}
