process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { tempOutdir } from './fixture';
import { SecurityReportDocument, SecurityReportFunction } from '../../src/report/schema';
import { SecurityReport } from '../../src/report/security-report';
import { CODE, ENV, HANDLER } from '../core/fixtures';

const APP_REASON = 'the test app keeps no server access logs';

/** Plain aws-cdk-lib resources of every kind the report relates, in two accounts. */
function buildApp(outdir: string): App {
  const app = new App({ outdir });
  Validations.of(app).acknowledge({ id: 'AwsSolutions::AwsSolutions-S1', reason: APP_REASON });
  const stack = new Stack(app, 'Plain', { env: ENV });
  const fn = (id: string, props: Partial<lambda.FunctionProps> = {}) =>
    new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, code: CODE, handler: HANDLER, ...props });

  // A function in a VPC with the default security group rules, an S3 gateway endpoint and an open interface endpoint.
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, restrictDefaultSecurityGroup: false, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  vpc.addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS, open: true });
  const bucket = new s3.Bucket(stack, 'Bucket', { versioned: true, encryption: s3.BucketEncryption.KMS_MANAGED });
  const handler = fn('Handler', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    role: new iam.Role(stack, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { Lookup: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['*'] })] }) },
    }),
  });
  bucket.grantReadWrite(handler);

  // Invokers: a topic subscription, a schedule, a public function URL.
  const topic = new sns.Topic(stack, 'Topic');
  topic.addSubscription(new subscriptions.LambdaSubscription(handler));
  new events.Rule(stack, 'Every5Minutes', { schedule: events.Schedule.rate(Duration.minutes(5)), targets: [new targets.LambdaFunction(handler)] });
  handler.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

  // A REST API with a Lambda token authorizer.
  const authorizerFn = fn('Authorizer');
  const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false, endpointTypes: [apigateway.EndpointType.REGIONAL] });
  api.root.addMethod('GET', new apigateway.LambdaIntegration(handler), { authorizer: new apigateway.TokenAuthorizer(stack, 'Token', { handler: authorizerFn }) });

  // A rotating secret.
  const secret = new secretsmanager.Secret(stack, 'Secret');
  secret.addRotationSchedule('Rotation', { rotationLambda: fn('Rotator'), automaticallyAfter: Duration.days(30) });

  // A function allowed to read every table of its account, and two tables: one here, one in another stack of the account.
  const wildcard = fn('Wildcard');
  wildcard.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }));
  new dynamodb.Table(stack, 'Here', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  new dynamodb.Table(new Stack(app, 'Elsewhere', { env: ENV }), 'There', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  new dynamodb.Table(new Stack(app, 'OtherAccount', { env: { ...ENV, account: '222222222222' } }), 'Far', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });

  // A helper function written as raw CfnResources, its inline policy naming the bucket with Fn::Sub.
  const role = new CfnResource(stack, 'RawRole', {
    type: 'AWS::IAM::Role',
    properties: {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      Policies: [{
        PolicyName: 'Objects',
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Sub': `\${${stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn}/*` } }] },
      }],
    },
  });
  new CfnResource(stack, 'RawFunction', {
    type: 'AWS::Lambda::Function',
    properties: { Role: role.getAtt('Arn'), Runtime: 'nodejs22.x', Handler: HANDLER, Code: { ZipFile: 'exports.handler = async () => 1' } },
  });
  return app;
}

describe('SecurityReport on plain aws-cdk-lib resources', () => {
  // GIVEN / WHEN
  const outdir = tempOutdir();
  const app = buildApp(outdir);
  Validations.of(app).addPlugins(new SecurityReport(app));
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  app.synth();
  write.mockRestore();
  const report: SecurityReportDocument = JSON.parse(fs.readFileSync(path.join(outdir, 'security-report.json'), 'utf-8'));
  const markdown = fs.readFileSync(path.join(outdir, 'security-report.md'), 'utf-8');
  const stacks = report.stages.flatMap((stage) => stage.stacks);
  const functions = stacks.flatMap((stack) => stack.functions);
  const fn = (name: string): SecurityReportFunction => functions.find((candidate) => candidate.path === `Plain/${name}`)!;
  const store = (storePath: string) => stacks.flatMap((stack) => stack.dataStores).find((candidate) => candidate.path === storePath)!;

  test('reads every kind of policy: inline, AWS::IAM::Policy, AWS-managed', () => {
    expect(fn('Handler').policies).toEqual([
      { name: 'Plain/HandlerRole/inline:Lookup', kind: 'inline' },
      { name: 'Plain/HandlerRole/DefaultPolicy', kind: 'AWS::IAM::Policy' },
    ]);
    expect(fn('Handler').statements[0]).toEqual({ policy: 'Plain/HandlerRole/inline:Lookup', effect: 'Allow', actions: ['ssm:GetParameter'], resources: ['*'] });
    expect(fn('Authorizer').policies).toEqual([{ name: 'service-role/AWSLambdaBasicExecutionRole', kind: 'aws-managed' }]);
  });

  test('reports functions written as raw CfnResources, with references inside Fn::Sub', () => {
    expect(fn('RawFunction').statements).toEqual([
      { policy: 'Plain/RawRole/inline:Objects', effect: 'Allow', actions: ['s3:PutObject'], resources: [expect.stringMatching(/^<Bucket\w+\.Arn>\/\*$/)] },
    ]);
    expect(store('Plain/Bucket').writers).toContain('Plain/RawFunction');
  });

  test('the bucket, its key and versioning, and its readers and writers', () => {
    expect(store('Plain/Bucket')).toMatchObject({
      kind: 'bucket', key: 'AWS managed key (aws/s3)', versioning: true, removalPolicy: 'Retain', readers: ['Plain/Handler'], writers: ['Plain/Handler', 'Plain/RawFunction'],
    });
  });

  test('a statement on * reaches every table of its account, in any stack of the app', () => {
    const readers = (storePath: string) => store(storePath).readers;
    expect(readers('Plain/Here')).toEqual(['Plain/Wildcard']);
    expect(readers('Elsewhere/There')).toEqual(['Plain/Wildcard']);
    expect(readers('OtherAccount/Far')).toEqual([]);
  });

  test('invokers: SNS subscription, schedule, function URL, API route and authorizer, each with the permission that admits it', () => {
    expect(fn('Handler').invokers).toEqual([
      {
        kind: 'api-route',
        principal: 'apigateway.amazonaws.com',
        source: 'GET / on Plain/Api',
        permissions: [expect.stringMatching(/\/<ApiDeploymentStage\w+>\/GET\/$/), expect.stringMatching(/\/test-invoke-stage\/GET\/$/)],
      },
      { kind: 'sns-subscription', principal: 'sns.amazonaws.com', source: 'Plain/Topic', permissions: ['Plain/Topic'] },
      { kind: 'event-rule', principal: 'events.amazonaws.com', source: 'Plain/Every5Minutes (rate(5 minutes))', permissions: ['Plain/Every5Minutes'] },
      { kind: 'function-url', principal: '*', source: 'function URL (NONE)', permissions: ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'] },
    ]);
    expect(fn('Authorizer').invokers).toEqual([{
      kind: 'api-authorizer',
      principal: 'apigateway.amazonaws.com',
      source: 'Plain/Token',
      permissions: [expect.stringMatching(/:<Api\w+>\/authorizers\/<Token\w+>$/)],
    }]);
    const [api] = stacks.find((stack) => stack.path === 'Plain')!.apis;
    expect(api.routes).toEqual([expect.objectContaining({ method: 'GET', path: '/', authorization: 'CUSTOM', authorizer: 'Plain/Token (TOKEN)', handler: 'Plain/Handler' })]);
    expect(api.endpointType).toBe('REGIONAL');
  });

  test('the graph draws each invoker once, not again as the permission that admits it', () => {
    const graph = /```mermaid\n([\s\S]*?)```/.exec(markdown.slice(markdown.indexOf('## Stack `Plain`')))![1];
    expect(graph).toContain('(["Every5Minutes (rate(5 minutes))"])');
    expect(graph).toContain('(["function URL (NONE)"])');
    expect(graph).toContain('[("Topic (topic)")]');
    expect(graph).not.toContain('events.amazonaws.com');
    expect(graph).not.toContain('sns.amazonaws.com');
  });

  test('network: default security group rules allow everything; gateway and open interface endpoints are reached', () => {
    const network = fn('Handler').network;
    expect(network.securityGroups).toEqual([expect.objectContaining({ allowsAllOutbound: true })]);
    expect(network.reachableEndpoints.map((endpoint) => `${endpoint.service}:${endpoint.endpointType}`)).toEqual(['s3:Gateway', 'sqs:Interface']);
  });

  test('secret rotation, and acknowledgements recorded on the app itself', () => {
    expect(store('Plain/Secret').rotation).toBe('rate(30 days) by Plain/Rotator');
    expect(report.stages[0].acknowledgements).toEqual([{ rule: 'AwsSolutions::AwsSolutions-S1', path: '', reason: APP_REASON, by: 'user' }]);
    expect(markdown).toContain('## App: outside any stack');
  });
});
