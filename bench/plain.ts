import { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The same functional unit with plain aws-cdk-lib L2 constructs, as most apps
 * write it: one API route, one function, one table, read access granted.
 */
export function plainUnits(stack: Stack, units: number, code: lambda.Code): void {
  const api = new apigateway.RestApi(stack, 'Api');
  for (let i = 0; i < units; i++) {
    const table = new dynamodb.Table(stack, `Table${i}`, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const fn = new lambda.Function(stack, `Handler${i}`, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code,
      environment: { TABLE_NAME: table.tableName },
    });
    table.grantReadData(fn);
    api.root.addResource(`items${i}`).addMethod('GET', new apigateway.LambdaIntegration(fn));
  }
}
