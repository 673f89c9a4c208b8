import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { CODE, ENV, HANDLER, prefixListContext } from '../core/fixtures';

/** Where the functions of the plain HTTP API app run. */
export type HttpAppNetwork = 'none' | 'brought-vpc';

/**
 * An orders service behind an HTTP API (API Gateway v2), written in plain
 * aws-cdk-lib as teams write one: IAM-authorized routes on two functions, a
 * DynamoDB stream projecting orders into a view table, a custom event bus whose
 * rule starts a Step Functions escalation, and a nightly Scheduler schedule.
 */
export interface PlainHttpApiApp {
  readonly app: App;
  readonly stack: Stack;
  /** The HTTP API. */
  readonly api: apigatewayv2.HttpApi;
  /** The stream consumer writing the view table and publishing to the bus. */
  readonly projector: lambda.Function;
  /** The function the escalation runs: it pages the on-call team through their webhook on the internet. */
  readonly pager: lambda.Function;
  /** Every function of the app, by construct id. */
  readonly functions: Record<string, lambda.Function>;
}

/** The on-call team's webhook: an internet URL, which no VPC endpoint reaches. */
export const PAGER_WEBHOOK = 'https://hooks.example.com/services/oncall';

/**
 * The plain app. With `brought-vpc`, the functions run in the company's VPC (an
 * imported VPC with isolated subnets), as the platform team requires.
 */
export function plainHttpApiApp(network: HttpAppNetwork = 'none'): PlainHttpApiApp {
  const app = new App({ context: prefixListContext() });
  const stack = new Stack(app, 'Shop', { env: ENV });
  const vpc = network === 'brought-vpc' ? ec2.Vpc.fromVpcAttributes(stack, 'CompanyVpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    isolatedSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
    isolatedSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002'],
  }) : undefined;
  const fn = (id: string, props: Partial<lambda.FunctionProps> = {}) => new lambda.Function(stack, id, {
    code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST, timeout: Duration.seconds(10), vpc, ...props,
  });

  const orders = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  });
  const views = new dynamodb.Table(stack, 'OrderViews', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const bus = new events.EventBus(stack, 'OrderBus');

  const createOrder = fn('CreateOrder', { environment: { TABLE_NAME: orders.tableName } });
  orders.grantWriteData(createOrder);
  const getOrder = fn('GetOrder', { environment: { TABLE_NAME: views.tableName } });
  views.grantReadData(getOrder);
  const api = new apigatewayv2.HttpApi(stack, 'Api', { defaultAuthorizer: new HttpIamAuthorizer() });
  api.addRoutes({ path: '/orders', methods: [apigatewayv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Create', createOrder) });
  api.addRoutes({ path: '/orders/{id}', methods: [apigatewayv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Get', getOrder) });

  const projector = fn('Projector', { environment: { VIEWS_TABLE: views.tableName, BUS_NAME: bus.eventBusName } });
  projector.addEventSource(new DynamoEventSource(orders, { startingPosition: lambda.StartingPosition.LATEST }));
  views.grantWriteData(projector);
  bus.grantPutEventsTo(projector);

  const pager = fn('Pager', { environment: { WEBHOOK_URL: PAGER_WEBHOOK } });
  const escalation = new sfn.StateMachine(stack, 'Escalation', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Wait(stack, 'GracePeriod', { time: sfn.WaitTime.duration(Duration.minutes(15)) })
      .next(new tasks.LambdaInvoke(stack, 'Page', { lambdaFunction: pager }))),
  });
  new events.Rule(stack, 'OrderDelayed', {
    eventBus: bus,
    eventPattern: { source: ['shop.orders'], detailType: ['OrderDelayed'] },
    targets: [new targets.SfnStateMachine(escalation)],
  });

  const reconcile = fn('Reconcile', { environment: { TABLE_NAME: orders.tableName } });
  orders.grantReadData(reconcile);
  new scheduler.Schedule(stack, 'Nightly', {
    schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '0' }),
    target: new schedulerTargets.LambdaInvoke(reconcile),
  });
  const functions = { CreateOrder: createOrder, GetOrder: getOrder, Projector: projector, Pager: pager, Reconcile: reconcile };
  return { app, stack, api, projector, pager, functions };
}
