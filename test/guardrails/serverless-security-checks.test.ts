import * as fs from 'fs';
import * as path from 'path';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { ENV, reported, testFunction, testStack } from './support';
import { ServerlessSecurityChecks } from '../../src/guardrails';

describe('ServerlessSecurityChecks', () => {
  test('is the ServerlessSecurity pack, with ids free of spaces and ::', () => {
    const pack = new ServerlessSecurityChecks();

    expect(pack.name).toEqual('ServerlessSecurity');
    expect(pack.readPackName).toEqual('ServerlessSecurity');
    expect(pack.ruleIds).toHaveLength(17);
    for (const id of pack.ruleIds ?? []) expect(id).toMatch(/^ServerlessSecurity-[A-Za-z0-9]+$/);
  });

  test('RULES.md documents exactly the rules of the pack', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../src/guardrails/RULES.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `(ServerlessSecurity-[A-Za-z0-9]+)`/gm)].map((match) => match[1]);

    expect(documented).toEqual(new ServerlessSecurityChecks().ruleIds);
  });

  test('an acknowledgement silences exactly one finding', () => {
    // GIVEN
    const { app, stack } = testStack();
    const handler = testFunction(stack, 'Fn');
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));

    // WHEN
    Validations.of(handler).acknowledge({ id: 'ServerlessSecurity-LambdaPolicyWildcard[Resource::*]', reason: 'listing buckets has no resource scope' });

    // THEN
    expect(reported(app, 'LambdaPolicyWildcard')).toEqual([
      'ServerlessSecurity-LambdaPolicyWildcard[Action::s3:*] @ Test/Fn/ServiceRole/DefaultPolicy/Resource',
    ]);
  });

  test('checks the helper functions CDK emits as a plain CfnResource', () => {
    const { app, stack } = testStack();
    new s3.Bucket(stack, 'Bucket', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });

    expect(reported(app, 'LambdaLogGroup')).toEqual([
      'ServerlessSecurity-LambdaLogGroup[LogGroup::missing] @ Test/Custom::S3AutoDeleteObjectsCustomResourceProvider/Handler',
    ]);
  });

  test('relates resources within their own template: equal logical ids in two stacks are different resources', () => {
    const app = new App();
    for (const id of ['First', 'Second']) {
      const stack = new Stack(app, id, { env: ENV });
      testFunction(stack, 'Fn', { role: new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }) });
    }

    expect(reported(app, 'LambdaSharedRole')).toEqual([]);
  });

  test('as a validation plugin, fails synth with the findings', () => {
    // GIVEN
    const { app, stack } = testStack();
    Validations.of(app).addPlugins(new ServerlessSecurityChecks(app));
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    testFunction(stack, 'First', { role });
    testFunction(stack, 'Second', { role });

    // THEN
    expect(() => app.synth()).toThrow(/ServerlessSecurity-LambdaSharedRole/);
  });

  test('as a validation plugin, lets synth pass once each finding is acknowledged', () => {
    // GIVEN a function whose only finding is its missing log group
    const { app, stack } = testStack({ [cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP]: false });
    Validations.of(app).addPlugins(new ServerlessSecurityChecks(app));
    const handler = testFunction(stack, 'Fn');

    // WHEN
    Validations.of(handler).acknowledge({
      id: 'ServerlessSecurity::ServerlessSecurity-LambdaLogGroup[LogGroup::missing]',
      reason: 'a test function that is never deployed',
    });

    // THEN
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const ours = report.pluginReports.find((plugin: { pluginName: string }) => plugin.pluginName === 'ServerlessSecurity');
    expect(ours.violations).toEqual([]);
    expect(ours.suppressedViolations).toEqual([expect.objectContaining({
      ruleName: 'ServerlessSecurity-LambdaLogGroup[LogGroup::missing]',
      reason: 'a test function that is never deployed',
    })]);
  });
});
