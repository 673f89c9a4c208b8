import { Duration, Mixins, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, WebSocketIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { controlTowerFindingId } from '../../src/core/finding-ids';
import { ComplianceProfile } from '../../src/core/profile';
import { BucketHardening } from '../../src/mixins/bucket-hardening';
import { FunctionHardening, FunctionOutsideVpc } from '../../src/mixins/function-hardening';
import { FunctionHardeningProps } from '../../src/mixins/hardening-props';
import { HttpApiHardening } from '../../src/mixins/http-api-hardening';
import { ScheduleHardening } from '../../src/mixins/schedule-hardening';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { BucketReplication } from '../../src/storage/bucket-options';
import { CODE, HANDLER } from '../core/fixtures';

/** A plain function as tutorials write it. */
export function plainFunction(stack: Stack, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(stack, id, { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST, ...props });
}

const IAM = { authorizationType: apigateway.AuthorizationType.IAM };

/**
 * The props of a case's mixin: the profile, and in REGULATED (where HIPAA and
 * NIST require it) the reserved concurrency of the app's functions.
 */
export function hardening(profile: ComplianceProfile): FunctionHardeningProps {
  return { profile, ...profile === ComplianceProfile.REGULATED ? { reservedConcurrency: 5 } : {} };
}

/** A REST API with two IAM-authorized methods, each on a plain function. */
export function restApiWithIamMethods(stack: Stack): void {
  const api = new apigateway.RestApi(stack, 'Api', { defaultMethodOptions: IAM });
  api.root.addResource('orders').addMethod('GET', new apigateway.LambdaIntegration(plainFunction(stack, 'Handler')));
  api.root.addMethod('POST', new apigateway.LambdaIntegration(plainFunction(stack, 'Writer')));
}

/** A state machine invoking a plain function, as the Step Functions tutorial writes it. */
export function invokingMachine(stack: Stack): sfn.StateMachine {
  return new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: plainFunction(stack, 'Fn') })),
  });
}

/**
 * The compliance cases of the core mixins: plain resources as users write them
 * (L2 and L1, default and typical props), then the mixin of their kind or
 * ServerlessHardening on the stack.
 */
export const MIXIN_CASES: Record<string, (stack: Stack, profile: ComplianceProfile) => void> = {
  'FunctionHardening: default lambda.Function': (stack, profile) => {
    plainFunction(stack, 'Fn');
    Mixins.of(stack).apply(new FunctionHardening(hardening(profile)));
  },
  'FunctionHardening: environment, limits, own log group, DLQ, a parameter read': (stack, profile) => {
    const parameter = new ssm.StringParameter(stack, 'Param', { stringValue: 'v' });
    const fn = plainFunction(stack, 'Fn', {
      environment: { PARAM: parameter.parameterName },
      memorySize: 256,
      timeout: Duration.seconds(20),
      logGroup: new logs.LogGroup(stack, 'FnLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      deadLetterQueueEnabled: true,
      tracing: lambda.Tracing.PASS_THROUGH,
    });
    parameter.grantRead(fn);
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'FunctionHardening: lambda.CfnFunction with a CfnRole': (stack, profile) => {
    const role = new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    });
    new lambda.CfnFunction(stack, 'Fn', {
      code: { zipFile: 'exports.handler = async () => 1' },
      handler: HANDLER,
      runtime: lambda.Runtime.NODEJS_LATEST.name,
      role: role.attrArn,
    });
    Mixins.of(stack).apply(new FunctionHardening(hardening(profile)));
  },
  'FunctionHardening: SingletonFunction': (stack, profile) => {
    new lambda.SingletonFunction(stack, 'Singleton', {
      uuid: 'f7d4f730-4ee1-11e8-9c2d-fa7ae01bbebc', code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST,
    });
    Mixins.of(stack).apply(new FunctionHardening(hardening(profile)));
  },
  'FunctionHardening: aws-cdk-lib helper functions (logRetention, AwsCustomResource)': (stack, profile) => {
    plainFunction(stack, 'Fn', { logRetention: logs.RetentionDays.ONE_YEAR });
    new cr.AwsCustomResource(stack, 'Lookup', {
      onUpdate: { service: 'SSM', action: 'getParameter', parameters: { Name: 'x' }, physicalResourceId: cr.PhysicalResourceId.of('x') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: ['arn:aws:ssm:eu-west-1:111111111111:parameter/x'] }),
      installLatestAwsSdk: false,
    });
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'FunctionHardening: outside a VPC with FunctionOutsideVpc': (stack, profile) => {
    plainFunction(stack, 'Fn').with(new FunctionOutsideVpc('calls the payment provider on the internet'));
    Mixins.of(stack).apply(new FunctionHardening(hardening(profile)));
  },
  'RestApiHardening: RestApi with IAM methods': (stack, profile) => {
    restApiWithIamMethods(stack);
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'RestApiHardening: LambdaRestApi with IAM by default': (stack, profile) => {
    new apigateway.LambdaRestApi(stack, 'Api', { handler: plainFunction(stack, 'Handler'), defaultMethodOptions: IAM });
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'RuleHardening: events.Rule with two function targets': (stack, profile) => {
    const fns = [plainFunction(stack, 'A'), plainFunction(stack, 'B')];
    new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)), targets: fns.map((fn) => new targets.LambdaFunction(fn)) });
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'RuleHardening: events.CfnRule': (stack, profile) => {
    const fn = plainFunction(stack, 'Fn');
    const rule = new events.CfnRule(stack, 'Rule', { scheduleExpression: 'rate(1 hour)', targets: [{ id: 'Fn', arn: fn.functionArn }] });
    fn.addPermission('Rule', { principal: new iam.ServicePrincipal('events.amazonaws.com'), sourceArn: rule.attrArn });
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'StateMachineHardening: StateMachine with a LambdaInvoke task': (stack, profile) => {
    invokingMachine(stack);
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'StateMachineHardening: StateMachine with a Pass state': (stack, profile) => {
    new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'StateMachineHardening: a named CfnStateMachine with its own CfnRole': (stack, profile) => {
    const role = new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    });
    new sfn.CfnStateMachine(stack, 'Machine', {
      stateMachineName: 'orders-escalation',
      roleArn: role.attrArn,
      definitionString: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
    });
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'HttpApiHardening: HttpApi with IAM-authorized routes on plain functions (HttpLambdaIntegration)': (stack, profile) => {
    const api = new apigatewayv2.HttpApi(stack, 'Api', { defaultAuthorizer: new HttpIamAuthorizer() });
    api.addRoutes({ path: '/orders', methods: [apigatewayv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Get', plainFunction(stack, 'Get')) });
    api.addRoutes({ path: '/orders', methods: [apigatewayv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Post', plainFunction(stack, 'Post')) });
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'HttpApiHardening: HttpApi with its own stage, applied to the API alone': (stack, profile) => {
    const api = new apigatewayv2.HttpApi(stack, 'Api', { createDefaultStage: false, defaultAuthorizer: new HttpIamAuthorizer() });
    api.addRoutes({ path: '/', methods: [apigatewayv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Get', plainFunction(stack, 'Get')) });
    new apigatewayv2.HttpStage(stack, 'Prod', { httpApi: api, stageName: 'prod', autoDeploy: true, throttle: { rateLimit: 50, burstLimit: 80 } });
    Mixins.of(stack).apply(new HttpApiHardening({ profile }));
    Mixins.of(stack).apply(new FunctionHardening(hardening(profile)));
  },
  'HttpApiHardening: WebSocketApi authorized on $connect': (stack, profile) => {
    const api = new apigatewayv2.WebSocketApi(stack, 'Chat', {
      connectRouteOptions: { integration: new WebSocketLambdaIntegration('Connect', plainFunction(stack, 'Connect')), authorizer: new WebSocketIamAuthorizer() },
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration('Message', plainFunction(stack, 'Message')) },
    });
    new apigatewayv2.WebSocketStage(stack, 'Live', { webSocketApi: api, stageName: 'live', autoDeploy: true });
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'ScheduleHardening: Schedule invoking a plain function': (stack, profile) => {
    new scheduler.Schedule(stack, 'Nightly', {
      schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '0' }),
      target: new schedulerTargets.LambdaInvoke(plainFunction(stack, 'Fn')),
    });
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'ScheduleHardening: CfnSchedule with a CfnRole, no retry policy': (stack, profile) => {
    const fn = plainFunction(stack, 'Fn');
    const invoke = new iam.CfnManagedPolicy(stack, 'Invoke', {
      policyDocument: { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fn.functionArn }] },
    });
    const role = new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }],
      },
      managedPolicyArns: [invoke.ref],
    });
    new scheduler.CfnSchedule(stack, 'Nightly', {
      scheduleExpression: 'cron(0 3 * * ? *)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: fn.functionArn, roleArn: role.attrArn },
    });
    Mixins.of(stack).apply(new ScheduleHardening({ profile }));
    Mixins.of(stack).apply(new FunctionHardening(hardening(profile)));
  },
  'FunctionHardening: permissions of a LambdaRestApi in an environment-agnostic stack': (stack, profile) => {
    const agnostic = new Stack(stack.node.scope as Construct, 'Agnostic');
    new apigateway.LambdaRestApi(agnostic, 'Api', { handler: plainFunction(agnostic, 'Handler'), defaultMethodOptions: IAM });
    plainFunction(stack, 'Fn');
    Mixins.of(stack.node.scope as Construct).apply(new ServerlessHardening(hardening(profile)));
  },
  'FunctionHardening: a BucketDeployment\'s helper stays a helper': (stack, profile) => {
    const site = new s3.Bucket(stack, 'Site');
    new s3deploy.BucketDeployment(stack, 'Deploy', { sources: [s3deploy.Source.data('index.html', '<h1>orders</h1>')], destinationBucket: site });
    acceptBucketDecisions(site, profile);
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
  'FunctionHardening: aws-cdk-lib\'s Provider framework, auto-delete objects and a VPC closing its default security group': (stack, profile) => {
    const onEvent = plainFunction(stack, 'OnEvent');
    new cr.Provider(stack, 'Provider', { onEventHandler: onEvent });
    const scratch = new s3.Bucket(stack, 'Scratch', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    acceptBucketDecisions(scratch, profile);
    new ec2.Vpc(stack, 'Vpc', {
      restrictDefaultSecurityGroup: true,
      maxAzs: 1,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    }).addFlowLog('Flows');
    Mixins.of(stack).apply(new ServerlessHardening(hardening(profile)));
  },
};

/** A bucket's documented decisions: Object Lock (irreversible) and, in REGULATED, its replication. */
function acceptBucketDecisions(bucket: s3.Bucket, profile: ComplianceProfile): void {
  Validations.of(bucket).acknowledge({ id: controlTowerFindingId('CT.S3.PR.9'), reason: 'files the pipeline deploys again on demand: no write-once retention' });
  if (profile === ComplianceProfile.REGULATED) {
    bucket.with(new BucketHardening({ profile, replication: BucketReplication.waiver('a copy of files the pipeline deploys again on demand') }));
  }
}
