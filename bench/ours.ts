import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureApi, SecureFunction, SecureTable } from 'cdk-secure-serverless';

/**
 * The functional unit with our constructs: one API route, one function, one
 * table, read access granted. Everything else is the library's defaults.
 */
export function oursUnits(stack: Stack, units: number, code: lambda.Code): void {
  const api = new SecureApi(stack, 'Api');
  for (let i = 0; i < units; i++) {
    const table = new SecureTable(stack, `Table${i}`, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const fn = new SecureFunction(stack, `Handler${i}`, { handler: 'index.handler', code, environment: { TABLE_NAME: table.tableName } });
    table.grants.readItems(fn);
    api.addRoute('GET', `/items${i}`, fn);
  }
}
