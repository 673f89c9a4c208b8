import { Lazy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * A Lambda proxy integration whose invoke permission names the route on the
 * deployed stage only (`SourceArn`) and this account (`SourceAccount`), for any
 * `IFunction`. aws-cdk-lib's `LambdaIntegration` leaves out `SourceAccount` for a
 * plain function and grants the test-invoke stage unless told otherwise.
 */
export class LambdaRouteIntegration extends apigateway.AwsIntegration {
  constructor(
    private readonly handler: lambda.IFunction,
    private readonly allowTestInvoke: boolean,
    options: apigateway.IntegrationOptions,
  ) {
    super({ proxy: true, service: 'lambda', path: `2015-03-31/functions/${handler.functionArn}/invocations`, options });
  }

  public bind(method: apigateway.Method): apigateway.IntegrationConfig {
    const config = super.bind(method);
    const principal = new iam.ServicePrincipal('apigateway.amazonaws.com');
    const sourceAccount = Stack.of(method).account;
    this.handler.addPermission('InvokePermission', {
      principal,
      scope: method,
      sourceArn: Lazy.string({ produce: () => method.methodArn }),
      sourceAccount,
    });
    if (this.allowTestInvoke) {
      this.handler.addPermission('TestInvokePermission', { principal, scope: method, sourceArn: method.testMethodArn, sourceAccount });
    }
    return config;
  }
}
