process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { expectKeyUseConditioned } from './key-conditions';
import { complianceMatrix } from './runners';
import { HttpApiAuthorization } from '../../src/api/http-api-authorization';
import { SecureApi } from '../../src/api/secure-api';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { SecureTable } from '../../src/table/secure-table';

/**
 * A stack without `env` renders the account and region as intrinsics
 * (`Ref: AWS::AccountId`): key policies, source conditions and ARNs must pass
 * every pack and guard rule that way too.
 */
const CASES: Record<string, (stack: Stack) => void> = {
  'an environment-agnostic stack of every construct': stack => {
    const fn = new SecureFunction(stack, 'Fn', { code: lambda.Code.fromInline('exports.handler = async () => 1'), handler: 'index.handler' });
    const table = new SecureTable(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    table.grants.readWriteItems(fn);
    new SecureQueue(stack, 'Queue').addConsumer(fn);
    new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.waiver('issued by a partner, rotated by hand') }).grantRead(fn);
    new SecureApi(stack, 'Api').addRoute('GET', '/items/{id}', fn);
    const authorizer = new SecureFunction(stack, 'Authorizer', { code: lambda.Code.fromInline('exports.handler = async () => 1'), handler: 'index.handler' });
    new SecureHttpApi(stack, 'HttpApi').addRoute('GET', '/items/{id}', fn, { authorization: HttpApiAuthorization.lambdaToken(authorizer) });
  },
};

function buildApp(name: string, profile: ComplianceProfile): App {
  const app = new App();
  const stack = new Stack(app, 'Agnostic');
  new SecurityBaseline(stack, 'SecurityBaseline', { profile });
  CASES[name](stack);
  return app;
}

expectKeyUseConditioned(complianceMatrix(Object.keys(CASES), buildApp));
