import { ArnFormat, CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';

/**
 * The same functional unit hardened by hand in plain aws-cdk-lib, as a careful
 * engineer writes it to pass the packs of the profile and the Control Tower
 * rules with zero findings: one shared key, an isolated VPC with a DynamoDB
 * gateway endpoint and flow logs, one security group for the functions, a role
 * with a customer-managed policy, an encrypted log group and an encrypted
 * dead-letter queue per function, a web ACL with logging, access and execution
 * logs, throttling, IAM authorization, tables with point-in-time recovery, an
 * alarm per function on its errors, throttles and dead letters to an encrypted
 * topic, and, when `regulated`, a backup plan for every table and an encrypted
 * API cache: the protections our constructs give, so that both are the same app.
 * What is shared is created once per stack, as such an engineer would.
 */
export function hardenedUnits(stack: Stack, units: number, code: lambda.Code, regulated: boolean): void {
  const { account, region } = stack;
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN, alias: `${stack.stackName}/key` });
  key.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${account}:log-group:*` } },
  }));
  // CloudWatch publishes alarms to the encrypted topic with the key: SNS names the topic in the encryption context
  // (the SNS guide's key policy for CloudWatch shows no other condition key on that hop).
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': `arn:aws:sns:${region}:${account}:*` } },
  }));
  const alarmTopic = new sns.Topic(stack, 'AlarmTopic', { masterKey: key, enforceSSL: true });
  // The topic policy replaces SNS's default one: CloudWatch may publish this account's alarms.
  alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [alarmTopic.topicArn],
    conditions: { ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${region}:${account}:alarm:*` }, StringEquals: { 'aws:SourceAccount': account } },
  }));
  const logGroup = (id: string, logGroupName?: string) => new logs.LogGroup(stack, id, {
    logGroupName, encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN,
  });
  const managedPolicy = (id: string, role: iam.Role, statements: iam.PolicyStatement[]) =>
    new iam.ManagedPolicy(stack, id, { roles: [role], statements });

  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    restrictDefaultSecurityGroup: regulated,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  if (regulated) closeDefaultSecurityGroup(stack, vpc, logGroup('DefaultSgCloserLogs'));
  const dynamoEndpoint = vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
  dynamoEndpoint.addToPolicy(new iam.PolicyStatement({
    principals: [new iam.AnyPrincipal()],
    actions: ['dynamodb:*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:PrincipalAccount': account, 'aws:ResourceAccount': account } },
  }));
  const flowLogRole = new iam.Role(stack, 'FlowLogRole', { assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com') });
  const flowLogs = logGroup('FlowLogs');
  managedPolicy('FlowLogPolicy', flowLogRole, [
    new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [flowLogs.logGroupArn] }),
    new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [flowLogRole.roleArn] }),
  ]);
  new ec2.FlowLog(stack, 'FlowLog', {
    resourceType: ec2.FlowLogResourceType.fromVpc(vpc),
    destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs, flowLogRole.withoutPolicyUpdates()),
  });
  const functions = new ec2.SecurityGroup(stack, 'Functions', { vpc, allowAllOutbound: false, description: 'HTTPS to the DynamoDB gateway endpoint' });
  functions.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the DynamoDB gateway endpoint (isolated subnets route nowhere else)');

  const apiLogsRole = new iam.Role(stack, 'ApiGatewayLogsRole', { assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com') });
  const apiLogsPolicy = managedPolicy('ApiGatewayLogsPolicy', apiLogsRole, [new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
    resources: [`arn:aws:logs:${region}:${account}:log-group:*`],
  })]);
  const apiAccount = new apigateway.CfnAccount(stack, 'ApiGatewayAccount', { cloudWatchRoleArn: apiLogsRole.roleArn });
  apiAccount.node.addDependency(apiLogsPolicy);
  Validations.of(apiLogsPolicy).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:${account}:log-group:*]`,
    reason: 'the account-wide API Gateway role writes the logs of every API, whose log groups are not known in advance',
  });

  const webAcl = new wafv2.CfnWebACL(stack, 'WebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('Api'),
    rules: [
      ...['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'].map((name, priority) => ({
        name,
        priority,
        overrideAction: { none: {} },
        visibilityConfig: visibility(name),
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      })),
      { name: 'RateLimit', priority: 3, action: { block: {} }, visibilityConfig: visibility('RateLimit'), statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } } },
    ],
  });
  const wafLogs = logGroup('WafLogs', `aws-waf-logs-${stack.stackName}`);
  new wafv2.CfnLoggingConfiguration(stack, 'WafLogging', {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `aws-waf-logs-${stack.stackName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
  }).node.addDependency(wafLogs);

  const clientCertificate = regulated ? new apigateway.CfnClientCertificate(stack, 'ClientCertificate') : undefined;
  const api = new apigateway.RestApi(stack, 'Api', {
    cloudWatchRole: false,
    endpointTypes: [apigateway.EndpointType.REGIONAL],
    deployOptions: {
      tracingEnabled: true,
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      metricsEnabled: true,
      throttlingRateLimit: 100,
      throttlingBurstLimit: 200,
      accessLogDestination: new apigateway.LogGroupLogDestination(logGroup('AccessLogs')),
      accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      cachingEnabled: regulated || undefined,
      cacheDataEncrypted: regulated || undefined,
      cacheClusterEnabled: regulated || undefined,
      cacheClusterSize: regulated ? '0.5' : undefined,
      clientCertificateId: clientCertificate?.ref,
    },
  });
  // API Gateway would create this log group itself, unencrypted and never expiring.
  api.deploymentStage.node.addDependency(logGroup('ExecutionLogs', `API-Gateway-Execution-Logs_${api.restApiId}/prod`), apiAccount);
  new wafv2.CfnWebACLAssociation(stack, 'WebAclAssociation', { resourceArn: api.deploymentStage.stageArn, webAclArn: webAcl.attrArn });
  const validator = api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });

  const tables: dynamodb.Table[] = [];
  for (let i = 0; i < units; i++) {
    const table = new dynamodb.Table(stack, `Table${i}`, {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    tables.push(table);
    const role = new iam.Role(stack, `Handler${i}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const dlq = new sqs.Queue(stack, `Handler${i}Dlq`, {
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
    Validations.of(dlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'terminal dead-letter queue of a function' });
    const fnLogs = logGroup(`Handler${i}Logs`);
    const fn = new lambda.Function(stack, `Handler${i}`, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code,
      role: role.withoutPolicyUpdates(),
      environment: { TABLE_NAME: table.tableName },
      environmentEncryption: key,
      memorySize: 512,
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: 10,
      tracing: lambda.Tracing.ACTIVE,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [functions],
      deadLetterQueue: dlq,
      logGroup: fnLogs,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    const period = Duration.minutes(5);
    new cloudwatch.Alarm(stack, `Handler${i}Alarm`, {
      metric: new cloudwatch.MathExpression({
        expression: 'errors + throttles + deadLetters',
        usingMetrics: {
          errors: fn.metricErrors({ period, statistic: 'Sum' }),
          throttles: fn.metricThrottles({ period, statistic: 'Sum' }),
          deadLetters: dlq.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        },
        period,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new cw_actions.SnsAction(alarmTopic));
    const policy = managedPolicy(`Handler${i}Policy`, role, [
      new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'], resources: [table.tableArn] }),
      // The key only as each use needs it: the function's own environment, the table through DynamoDB, and the
      // dead-letter queue through SQS (sending to an encrypted queue takes kms:GenerateDataKey as well).
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: { ArnLike: { 'kms:EncryptionContext:aws:lambda:FunctionArn': fn.functionArn } } }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } } }),
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` }, ArnEquals: { 'kms:EncryptionContext:aws:sqs:arn': dlq.queueArn } },
      }),
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [dlq.queueArn] }),
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [fnLogs.logGroupArn] }),
      new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    ]);
    for (const id of ['AwsSolutions-IAM5[Resource::*]', 'ServerlessSecurity-LambdaPolicyWildcard[Resource::*]']) {
      Validations.of(policy).acknowledge({ id, reason: 'network interfaces and X-Ray segments have no resource-level permissions' });
    }
    const method = api.root.addResource(`items${i}`).addMethod('GET', new apigateway.AwsIntegration({
      proxy: true,
      service: 'lambda',
      path: `2015-03-31/functions/${fn.functionArn}/invocations`,
      options: { cacheKeyParameters: regulated ? ['method.request.header.Authorization'] : undefined },
    }), {
      authorizationType: apigateway.AuthorizationType.IAM,
      requestValidator: validator,
      requestParameters: regulated ? { 'method.request.header.Authorization': true } : undefined,
    });
    Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: 'callers sign requests with IAM (SigV4)' });
    fn.addPermission(`Handler${i}Invoke`, {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'), sourceArn: method.methodArn, sourceAccount: account,
    });
  }

  if (regulated) {
    const vault = new backup.BackupVault(stack, 'BackupVault', { encryptionKey: key, removalPolicy: RemovalPolicy.RETAIN });
    const plan = new backup.BackupPlan(stack, 'BackupPlan', {
      backupVault: vault,
      backupPlanRules: [new backup.BackupPlanRule({ ruleName: 'Daily', scheduleExpression: events.Schedule.cron({ minute: '0', hour: '5' }), deleteAfter: Duration.days(35) })],
    });
    const backupRole = new iam.Role(stack, 'BackupRole', { assumedBy: new iam.ServicePrincipal('backup.amazonaws.com') });
    const backupPolicy = managedPolicy('BackupPolicy', backupRole, [
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeTable', 'dynamodb:CreateBackup', 'dynamodb:StartAwsBackupJob', 'dynamodb:ListTagsOfResource'],
        resources: tables.map(t => t.tableArn),
      }),
      new iam.PolicyStatement({ actions: ['dynamodb:DescribeBackup', 'dynamodb:DeleteBackup'], resources: tables.map(t => `${t.tableArn}/backup/*`) }),
      new iam.PolicyStatement({ actions: ['backup:DescribeBackupVault', 'backup:CopyIntoBackupVault'], resources: [vault.backupVaultArn] }),
      new iam.PolicyStatement({ actions: ['kms:DescribeKey', 'kms:CreateGrant'], resources: [key.keyArn], conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } }),
    ]);
    for (const table of tables) {
      const id = stack.resolve((table.node.defaultChild as dynamodb.CfnTable).logicalId);
      Validations.of(backupPolicy).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${id}.Arn>/backup/*]`, reason: 'DynamoDB names each backup when it is taken' });
    }
    new backup.CfnBackupSelection(stack, 'BackupSelection', {
      backupPlanId: plan.backupPlanId,
      backupSelection: { selectionName: 'Tables', iamRoleArn: backupRole.roleArn, resources: tables.map(t => t.tableArn) },
    }).node.addDependency(backupPolicy);
  }
}

/**
 * aws-cdk-lib revokes the default security group's rules with a helper Lambda
 * emitted as a raw CfnResource, with an AWS-managed and an inline policy and
 * unmanaged logs: give it a customer-managed policy and an encrypted log group.
 */
function closeDefaultSecurityGroup(stack: Stack, vpc: ec2.Vpc, helperLogs: logs.LogGroup): void {
  const provider = stack.node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  const policy = new iam.ManagedPolicy(stack, 'DefaultSgCloserPolicy', {
    statements: [
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [helperLogs.logGroupArn] }),
      new iam.PolicyStatement({
        actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: vpc.vpcDefaultSecurityGroup, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
      }),
    ],
  });
  const role = provider.node.findChild('Role') as CfnResource;
  role.addPropertyDeletionOverride('Policies');
  role.addPropertyOverride('ManagedPolicyArns', [policy.managedPolicyArn]);
  const handler = provider.node.findChild('Handler') as CfnResource;
  handler.addPropertyOverride('LoggingConfig', { LogGroup: helperLogs.logGroupName, LogFormat: 'JSON' });
  handler.addPropertyOverride('ReservedConcurrentExecutions', 1);
  Validations.of(handler).acknowledge({ id: 'ControlTower-CT.LAMBDA.PR.3', reason: 'deploy-time helper calling the EC2 API once per deployment' });
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { metricName, cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true };
}
