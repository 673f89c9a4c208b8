import { Duration, Mixins, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { ComplianceProfile } from '../../src/core/profile';
import { FunctionHardening, FunctionOutsideVpc } from '../../src/mixins/function-hardening';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { CODE, HANDLER } from '../core/fixtures';

/** A plain function as tutorials write it. */
export function plainFunction(stack: Stack, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(stack, id, { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST, ...props });
}

const IAM = { authorizationType: apigateway.AuthorizationType.IAM };

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
    Mixins.of(stack).apply(new FunctionHardening({ profile }));
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
    Mixins.of(stack).apply(new ServerlessHardening({ profile }));
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
    Mixins.of(stack).apply(new FunctionHardening({ profile }));
  },
  'FunctionHardening: SingletonFunction': (stack, profile) => {
    new lambda.SingletonFunction(stack, 'Singleton', {
      uuid: 'f7d4f730-4ee1-11e8-9c2d-fa7ae01bbebc', code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST,
    });
    Mixins.of(stack).apply(new FunctionHardening({ profile }));
  },
  'FunctionHardening: aws-cdk-lib helper functions (logRetention, AwsCustomResource)': (stack, profile) => {
    plainFunction(stack, 'Fn', { logRetention: logs.RetentionDays.ONE_YEAR });
    new cr.AwsCustomResource(stack, 'Lookup', {
      onUpdate: { service: 'SSM', action: 'getParameter', parameters: { Name: 'x' }, physicalResourceId: cr.PhysicalResourceId.of('x') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: ['arn:aws:ssm:eu-west-1:111111111111:parameter/x'] }),
      installLatestAwsSdk: false,
    });
    Mixins.of(stack).apply(new ServerlessHardening({ profile }));
  },
  'FunctionHardening: outside a VPC with FunctionOutsideVpc': (stack, profile) => {
    plainFunction(stack, 'Fn').with(new FunctionOutsideVpc('calls the payment provider on the internet'));
    Mixins.of(stack).apply(new FunctionHardening({ profile }));
  },
  'RestApiHardening: RestApi with IAM methods': (stack, profile) => {
    restApiWithIamMethods(stack);
    Mixins.of(stack).apply(new ServerlessHardening({ profile }));
  },
  'RestApiHardening: LambdaRestApi with IAM by default': (stack, profile) => {
    new apigateway.LambdaRestApi(stack, 'Api', { handler: plainFunction(stack, 'Handler'), defaultMethodOptions: IAM });
    Mixins.of(stack).apply(new ServerlessHardening({ profile }));
  },
  'RuleHardening: events.Rule with two function targets': (stack, profile) => {
    const fns = [plainFunction(stack, 'A'), plainFunction(stack, 'B')];
    new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)), targets: fns.map((fn) => new targets.LambdaFunction(fn)) });
    Mixins.of(stack).apply(new ServerlessHardening({ profile }));
  },
  'RuleHardening: events.CfnRule': (stack, profile) => {
    const fn = plainFunction(stack, 'Fn');
    const rule = new events.CfnRule(stack, 'Rule', { scheduleExpression: 'rate(1 hour)', targets: [{ id: 'Fn', arn: fn.functionArn }] });
    fn.addPermission('Rule', { principal: new iam.ServicePrincipal('events.amazonaws.com'), sourceArn: rule.attrArn });
    Mixins.of(stack).apply(new ServerlessHardening({ profile }));
  },
  'StateMachineHardening: StateMachine with a LambdaInvoke task': (stack, profile) => {
    invokingMachine(stack);
    Mixins.of(stack).apply(new ServerlessHardening({ profile }));
  },
  'StateMachineHardening: StateMachine with a Pass state': (stack, profile) => {
    new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    Mixins.of(stack).apply(new ServerlessHardening({ profile }));
  },
};
