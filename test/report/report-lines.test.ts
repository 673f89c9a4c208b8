process.env.CDK_VALIDATION = 'false';

import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { tempOutdir } from './fixture';
import { HttpApiAuthorization } from '../../src/api/http-api-authorization';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureUserPool } from '../../src/identity/secure-user-pool';
import { SecurityReportDocument, SecurityReportStack } from '../../src/report/schema';
import { SecurityReport } from '../../src/report/security-report';
import { SecureTable } from '../../src/table/secure-table';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import { CODE, ENV, HANDLER } from '../core/fixtures';

/**
 * One line of the report per defect a reviewer found: each test names the line
 * as it was and asserts it as it is.
 */
describe('every line of the security report', () => {
  // GIVEN a stack with a REST API logging to a log group, an HTTP API with a JWT route, a user pool
  // with a client, an Express state machine started synchronously, and a database on port 5433;
  // and an environment-agnostic stack whose function reads a table
  const outdir = tempOutdir();
  const app = new App({ outdir });
  const stack = new Stack(app, 'Lines', { env: ENV });
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
  const rest = new apigateway.RestApi(stack, 'Rest', {
    cloudWatchRole: false,
    deployOptions: { accessLogDestination: new apigateway.LogGroupLogDestination(new logs.LogGroup(stack, 'ApiAccessLogs')) },
  });
  rest.root.addResource('orders').addMethod('GET', new apigateway.LambdaIntegration(fn), { authorizationType: apigateway.AuthorizationType.IAM });
  const users = new SecureUserPool(stack, 'Users');
  const web = users.addClient('Web', { authFlows: { userSrp: true }, preventUserExistenceErrors: true });
  new SecureHttpApi(stack, 'Http').addRoute('GET', '/me', fn, { authorization: HttpApiAuthorization.cognito(users, [web]) });
  new SecureStateMachine(stack, 'Quote', {
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Price')),
  }).grantStartSyncExecution(fn);
  const db = new rds.DatabaseInstance(stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.POSTGRES,
    port: 5433,
    vpc: SecurityBaseline.of(stack).network.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  db.connections.allowDefaultPortFrom(fn);
  const agnostic = new Stack(app, 'Agnostic');
  const table = new SecureTable(agnostic, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  table.grants.readItems(new SecureFunction(agnostic, 'Reader', { code: CODE, handler: HANDLER }));

  // WHEN
  Validations.of(app).addPlugins(new SecurityReport(app));
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  app.synth();
  write.mockRestore();
  const report: SecurityReportDocument = JSON.parse(fs.readFileSync(path.join(outdir, SecurityReport.JSON_FILE), 'utf-8'));
  const markdown = fs.readFileSync(path.join(outdir, SecurityReport.MARKDOWN_FILE), 'utf-8');
  const reported = (stackPath: string): SecurityReportStack => report.stages[0].stacks.find((candidate) => candidate.path === stackPath)!;
  const lines = reported('Lines');
  const functionRow = (fnPath: string, property: string): string => {
    const section = markdown.slice(markdown.indexOf(`#### \`${fnPath}\``));
    return section.split('\n').find((line) => line.startsWith(`| ${property} |`))!;
  };

  test('a stack heading counts deploy-time helpers apart from functions, as the summary does (was "2 functions")', () => {
    expect(lines.functions.map((f) => Boolean(f.deployTimeHelper))).toEqual(expect.arrayContaining([true, false]));
    expect(markdown).toContain('Template `Lines.template.json`, 111111111111 / eu-west-1: 1 function and 1 deploy-time helper, 2 APIs,');
    expect(report.summary).toMatchObject({ functions: 2, deployTimeHelpers: 2 });
  });

  test('REST and HTTP API access logs both name the log group by construct path (was arn:…:log-group:<ApiAccessLogs…>)', () => {
    const stageOf = (apiPath: string) => lines.apis.find((api) => api.path === apiPath)!.stages[0];
    expect(stageOf('Lines/Rest').accessLogs).toBe('Lines/ApiAccessLogs');
    expect(stageOf('Lines/Http').accessLogs).toBe('Lines/Http/AccessLogs');
    expect(markdown).toContain('access logs to `Lines/ApiAccessLogs`');
    expect(markdown).not.toMatch(/access logs to `arn:/);
  });

  test('user pools are listed with their MFA, sign-up and client settings (were missing)', () => {
    expect(lines.userPools).toEqual([{
      path: 'Lines/Users',
      logicalId: expect.stringMatching(/^Users/),
      mfa: 'ON',
      mfaMethods: ['SOFTWARE_TOKEN_MFA'],
      signUp: 'administrators only',
      passwordMinLength: 12,
      threatProtection: 'ENFORCED',
      deletionProtection: true,
      removalPolicy: 'Retain',
      clients: [{
        path: 'Lines/Users/Web',
        logicalId: expect.stringMatching(/^UsersWeb/),
        generateSecret: false,
        authFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        oauthFlows: expect.any(Array),
        oauthScopes: expect.any(Array),
        callbackUrls: expect.any(Array),
        preventUserExistenceErrors: 'ENABLED',
      }],
    }]);
    expect(report.summary.userPools).toBe(1);
    expect(markdown).toContain('### User pools');
    expect(markdown).toContain('`Lines/Users`, MFA required (SOFTWARE_TOKEN_MFA), sign-up administrators only, passwords of 12 characters or more, '
      + 'threat protection ENFORCED, deletion protection on, removal Retain.');
    expect(markdown).toMatch(/^\| `Lines\/Users\/Web` \| no \| `ALLOW_USER_SRP_AUTH`, `ALLOW_REFRESH_TOKEN_AUTH` \| .* \| ENABLED \|$/m);
  });

  test('a JWT route names the user pool and the clients its authorizer accepts (was only the authorizer)', () => {
    const route = lines.apis.find((api) => api.path === 'Lines/Http')!.routes[0];
    expect(route).toMatchObject({ authorization: 'JWT', authorizer: expect.stringMatching(/ \(JWT\)$/), userPools: ['Lines/Users'], clients: ['Lines/Users/Web'] });
    expect(markdown).toMatch(/^\| GET \| `\/me` \| JWT `Lines\/Http\/\S+` \(pool `Lines\/Users`, client `Lines\/Users\/Web`\) \|/m);
  });

  test('HTTPS to 0.0.0.0/0 in an environment-agnostic stack says it is the path to the gateway endpoint (was unexplained)', () => {
    const [group] = reported('Agnostic').functions.find((f) => f.path === 'Agnostic/Reader')!.network.securityGroups;
    expect(group.egress).toContainEqual(expect.objectContaining({
      protocol: 'tcp',
      ports: '443',
      destination: '0.0.0.0/0',
      note: 'the path to the dynamodb gateway endpoint: the subnets have no route to the internet, and an environment-agnostic stack cannot name the prefix list',
    }));
    expect(functionRow('Agnostic/Reader', 'Network')).toContain(
      'tcp 443 to `0.0.0.0/0` (the path to the dynamodb gateway endpoint: the subnets have no route to the internet, and an environment-agnostic stack cannot name the prefix list)');
  });

  test('each route\'s invoker is listed once, with the permission API Gateway needs (was listed twice)', () => {
    const invokers = lines.functions.find((f) => f.path === 'Lines/Fn')!.invokers;
    expect(invokers.map((invoker) => [invoker.kind, invoker.source, invoker.permissions?.length])).toEqual([
      ['api-route', 'GET /orders on Lines/Rest', 2],
      ['api-route', 'GET /me on Lines/Http', 1],
    ]);
    expect(functionRow('Lines/Fn', 'Invoked by').split('<br>')).toEqual([
      expect.stringMatching(/api-route: `GET \/orders on Lines\/Rest` as `apigateway\.amazonaws\.com` from account 111111111111, permissions `arn:.*\/GET\/orders`, `arn:.*test-invoke-stage\/GET\/orders`$/),
      expect.stringMatching(/^api-route: `GET \/me on Lines\/Http` as `apigateway\.amazonaws\.com` from account 111111111111, permission `arn:.*\/GET\/me` \|$/),
    ]);
  });

  test('StartSyncExecution goes through the sync-states endpoint the library opened (was shown through states)', () => {
    const network = lines.functions.find((f) => f.path === 'Lines/Fn')!.network;
    expect(network.services.filter((service) => service.actions.includes('states:StartSyncExecution'))).toEqual([{
      service: 'sync-states', actions: ['states:StartSyncExecution'], via: 'interface endpoint', endpoint: 'Lines/SecurityBaseline/Network/SyncStatesEndpoint',
    }]);
    // No states endpoint is opened for it either.
    expect(network.reachableEndpoints.map((endpoint) => endpoint.service)).not.toContain('states');
  });

  test('an egress rule whose port is a reference shows the port it resolves to (was "tcp all")', () => {
    const egress = lines.functions.find((f) => f.path === 'Lines/Fn')!.network.securityGroups.flatMap((group) => group.egress);
    expect(egress).toContainEqual(expect.objectContaining({ protocol: 'tcp', ports: '5433', destination: 'Lines/Db/SecurityGroup' }));
    expect(functionRow('Lines/Fn', 'Network')).toContain('tcp 5433 to `Lines/Db/SecurityGroup`');
  });
});
