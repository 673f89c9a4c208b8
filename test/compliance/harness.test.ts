import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnResource, CfnWaitConditionHandle, NestedStack, PolicyValidationPluginReport, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { CONTROL_TOWER, Finding, ScopePack, expectNoFindings, findingsFor, findingsOf, formatFindings } from './harness';
import { controlTowerFindingId } from '../../src/core/finding-ids';
import { ComplianceProfile } from '../../src/core/profile';

const STANDARD = { profile: ComplianceProfile.STANDARD };
const NAG_ONLY = { profile: ComplianceProfile.STANDARD, guard: false };

function appWith(build: (stack: Stack) => void): App {
  const app = new App();
  build(new Stack(app, 'Stack'));
  return app;
}

function plainQueueApp(): App {
  return appWith(stack => new sqs.Queue(stack, 'Queue'));
}

function rulesAt(findings: readonly Finding[], path: string): string[] {
  return findings.filter(f => f.path === path).map(f => f.rule);
}

function acknowledge(scope: IConstruct, id: string): void {
  Validations.of(scope).acknowledge({ id, reason: 'harness test' });
}

/** Flags every SQS queue; its name has a space, as a plugin name may. */
class FakeQueuePack implements ScopePack {
  public readonly name = 'Fake Pack';
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const queues = scope.node.findAll().filter(c => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::SQS::Queue');
    return {
      success: queues.length === 0,
      violations: queues.length === 0 ? [] : [{
        ruleName: 'Fake-Q1',
        description: 'a queue',
        violatingResources: queues.map(q => ({ constructPath: q.node.path, locations: ['Properties'] })),
      }],
    };
  }
}

describe('findings', () => {
  test('a plain queue and bucket are reported by AwsSolutions, Serverless and Control Tower', () => {
    // GIVEN
    const app = appWith(stack => {
      new sqs.Queue(stack, 'Queue');
      new s3.Bucket(stack, 'Bucket');
    });

    // WHEN
    const findings = findingsOf(app, STANDARD);

    // THEN
    const queue = rulesAt(findings, 'Stack/Queue/Resource');
    expect(queue).toEqual(expect.arrayContaining([
      'AwsSolutions-SQS3', 'AwsSolutions-SQS4', 'Serverless-SQSRedrivePolicy',
      controlTowerFindingId('CT.SQS.PR.1'), controlTowerFindingId('CT.SQS.PR.2'),
    ]));
    expect(rulesAt(findings, 'Stack/Bucket/Resource')).toEqual(expect.arrayContaining([
      'AwsSolutions-S1', 'AwsSolutions-S10', controlTowerFindingId('CT.S3.PR.2'),
    ]));
    expect(findings.find(f => f.rule === controlTowerFindingId('CT.SQS.PR.1'))).toEqual({
      source: CONTROL_TOWER,
      rule: 'ControlTower-CT.SQS.PR.1',
      path: 'Stack/Queue/Resource',
      message: 'Require any Amazon SQS queue to have a dead-letter queue configured',
    });
  });

  test('expectNoFindings fails with the readable list', () => {
    expect(() => expectNoFindings(plainQueueApp(), STANDARD)).toThrow(
      /AwsSolutions \(\d+\)\n(.*\n)*\s+AwsSolutions-SQS3\s+Stack\/Queue\/Resource\s+The SQS queue/);
  });

  test('expectNoFindings passes once every reported finding is acknowledged where it was found', () => {
    // GIVEN
    const findings = findingsOf(plainQueueApp(), STANDARD);
    const app = plainQueueApp();

    // WHEN
    for (const f of findings) acknowledge(app.node.findChild('Stack').node.findChild('Queue'), f.rule);

    // THEN
    expect(findings.length).toBeGreaterThan(0);
    expectNoFindings(app, STANDARD);
  });

  test('findings in stacks of nested stages and nested stacks carry their construct paths', () => {
    // GIVEN
    const app = new App();
    const stage = new Stage(app, 'Stage');
    const stack = new Stack(stage, 'Stack');
    new sqs.Queue(stack, 'Queue');
    new sqs.Queue(new NestedStack(stack, 'Nested'), 'Queue');

    // WHEN
    const findings = findingsOf(app, STANDARD);

    // THEN
    for (const queue of ['Stage/Stack/Queue/Resource', 'Stage/Stack/Nested/Queue/Resource']) {
      expect(rulesAt(findings, queue)).toEqual(expect.arrayContaining([
        'AwsSolutions-SQS3', controlTowerFindingId('CT.SQS.PR.1'),
      ]));
    }
  });

  test('extra packs are run and their findings listed under their name', () => {
    const findings = findingsOf(plainQueueApp(), { ...NAG_ONLY, extraPacks: [new FakeQueuePack()] });

    expect(findings).toContainEqual({ source: 'Fake Pack', rule: 'Fake-Q1', path: 'Stack/Queue/Resource', message: 'a queue' });
  });
});

describe('acknowledgements', () => {
  test.each([
    ['plain', 'AwsSolutions-SQS3'],
    ['Pack::Rule', 'AwsSolutions::AwsSolutions-SQS3'],
  ])('the %s form on the resource hides the finding', (_form, id) => {
    // GIVEN
    const app = plainQueueApp();
    acknowledge(app.node.findChild('Stack').node.findChild('Queue'), id);

    // WHEN
    const rules = rulesAt(findingsOf(app, NAG_ONLY), 'Stack/Queue/Resource');

    // THEN
    expect(rules).not.toContain('AwsSolutions-SQS3');
    expect(rules).toContain('AwsSolutions-SQS4');
  });

  test('the Pack::Rule form on an ancestor hides the finding on its children', () => {
    const app = plainQueueApp();
    acknowledge(app.node.findChild('Stack'), 'Serverless::Serverless-SQSRedrivePolicy');

    const rules = rulesAt(findingsOf(app, NAG_ONLY), 'Stack/Queue/Resource');

    expect(rules).not.toContain('Serverless-SQSRedrivePolicy');
  });

  test('the Pack::Rule form on a sibling does not hide the finding on another queue', () => {
    // GIVEN
    const app = appWith(stack => {
      acknowledge(new sqs.Queue(stack, 'Acknowledged'), 'AwsSolutions::AwsSolutions-SQS3');
      new sqs.Queue(stack, 'Other');
    });

    // WHEN
    const findings = findingsOf(app, NAG_ONLY);

    // THEN
    expect(rulesAt(findings, 'Stack/Acknowledged/Resource')).not.toContain('AwsSolutions-SQS3');
    expect(rulesAt(findings, 'Stack/Other/Resource')).toContain('AwsSolutions-SQS3');
  });

  test('an extra pack is acknowledged under the namespace CDK derives from its name', () => {
    const app = plainQueueApp();
    acknowledge(app.node.findChild('Stack').node.findChild('Queue'), 'Fake-Pack::Fake-Q1');

    const findings = findingsOf(app, { ...NAG_ONLY, extraPacks: [new FakeQueuePack()] });

    expect(findings.filter(f => f.source === 'Fake Pack')).toEqual([]);
  });

  test('a Control Tower finding is hidden by each accepted form on the resource only', () => {
    // GIVEN
    const ids = [
      controlTowerFindingId('CT.SQS.PR.1'),
      `${CONTROL_TOWER}::${controlTowerFindingId('CT.SQS.PR.1')}`,
      'cdk-validator-cfnguard::sqs_dlq_check',
    ];
    const apps = ids.map(id => appWith(stack => {
      acknowledge(new sqs.Queue(stack, 'Acknowledged'), id);
      new sqs.Queue(stack, 'Other');
    }));

    // WHEN
    const findings = findingsFor(apps, STANDARD);

    // THEN
    for (const appFindings of findings) {
      expect(rulesAt(appFindings, 'Stack/Acknowledged/Resource')).not.toContain(controlTowerFindingId('CT.SQS.PR.1'));
      expect(rulesAt(appFindings, 'Stack/Other/Resource')).toContain(controlTowerFindingId('CT.SQS.PR.1'));
    }
  });
});

describe('profiles', () => {
  test('REGULATED adds HIPAA, NIST 800-53 R5 and PCI DSS findings that STANDARD does not report', () => {
    const sources = (profile: ComplianceProfile) =>
      new Set(findingsOf(appWith(stack => new s3.Bucket(stack, 'Bucket')), { profile, guard: false }).map(f => f.source));

    expect([...sources(ComplianceProfile.STANDARD)]).toEqual(['AwsSolutions']);
    expect([...sources(ComplianceProfile.REGULATED)].sort()).toEqual(
      ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']);
  });
});

describe('guard', () => {
  afterEach(() => jest.restoreAllMocks());

  test('runs once for several apps and gives each app its own findings', () => {
    // GIVEN
    const validate = jest.spyOn(CfnGuardValidator.prototype, 'validate');
    const apps = [plainQueueApp(), appWith(stack => new s3.Bucket(stack, 'Bucket')), appWith(stack => new CfnWaitConditionHandle(stack, 'Handle'))];

    // WHEN
    const [queueApp, bucketApp, emptyApp] = findingsFor(apps, STANDARD);

    // THEN
    expect(validate).toHaveBeenCalledTimes(1);
    expect(validate.mock.calls[0][0].templatePaths).toHaveLength(3);
    expect(queueApp.map(f => f.rule)).toContain(controlTowerFindingId('CT.SQS.PR.1'));
    expect(queueApp.map(f => f.path)).not.toContain('Stack/Bucket/Resource');
    expect(bucketApp.map(f => f.rule)).toContain(controlTowerFindingId('CT.S3.PR.2'));
    expect(bucketApp.map(f => f.path)).not.toContain('Stack/Queue/Resource');
    expect(emptyApp).toEqual([]);
  });

  test('can be skipped', () => {
    const validate = jest.spyOn(CfnGuardValidator.prototype, 'validate');

    const findings = findingsOf(plainQueueApp(), NAG_ONLY);

    expect(validate).not.toHaveBeenCalled();
    expect(findings.filter(f => f.source === CONTROL_TOWER)).toEqual([]);
  });
});

describe('formatFindings', () => {
  test('prints one line per finding grouped by source', () => {
    const text = formatFindings([
      { source: 'ControlTower', rule: 'ControlTower-CT.SQS.PR.1', path: 'S/Q/Resource', message: 'needs a DLQ' },
      { source: 'AwsSolutions', rule: 'AwsSolutions-SQS4', path: 'S/Q/Resource', message: 'no SSL' },
      { source: 'AwsSolutions', rule: 'AwsSolutions-SQS3', path: 'S/Q/Resource', message: 'no DLQ' },
    ]);

    expect(text).toEqual([
      '3 unacknowledged finding(s):',
      '  ControlTower (1)',
      '    ControlTower-CT.SQS.PR.1  S/Q/Resource  needs a DLQ',
      '  AwsSolutions (2)',
      '    AwsSolutions-SQS3  S/Q/Resource  no DLQ',
      '    AwsSolutions-SQS4  S/Q/Resource  no SSL',
    ].join('\n'));
  });
});
