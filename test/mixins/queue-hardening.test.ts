import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QUEUE_CASES as CASES, queueMixin } from './data-store-cases';
import { changesOf, hardenedApp, hardenTwice, stackOf, statefulIds } from './data-support';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { QueueHardening } from '../../src/mixins/queue-hardening';


describe('QueueHardening', () => {
  describe('what it changes', () => {
    const build = (stack: Stack): void => {
      CASES['Queue with a dead-letter queue of its own'](stack);
      CASES.CfnQueue(stack);
      new sqs.Queue(stack, 'Lonely');
    };
    let plain: Template;
    let hardened: Template;
    let twice: Template;
    let app: App;

    beforeAll(() => {
      ({ plain, hardened, twice, app } = hardenTwice(build, queueMixin, ComplianceProfile.STANDARD));
    });

    test('logical ids and names of the queues are unchanged; the new ones are dead-letter queues', () => {
      const ids = statefulIds(plain, ['AWS::SQS::Queue']);
      expect(statefulIds(hardened, ['AWS::SQS::Queue'])).toEqual([...ids, 'CfnQueueDeadLetterQueue873D919B', 'LonelyDeadLetterQueueC9B4BAEB'].sort());
      for (const id of ids) expect(hardened.toJSON().Resources[id].Properties?.QueueName).toEqual(plain.toJSON().Resources[id].Properties?.QueueName);
    });

    test('applied twice, the template is the same', () => {
      expect(twice.toJSON()).toEqual(hardened.toJSON());
    });

    test('each change is recorded on the queue, once', () => {
      expect(changesOf(app, 'QueueHardening')).toEqual([
        'S/DeadLetter/Resource: encrypted with the baseline customer-managed key',
        'S/DeadLetter/Resource: queue policy denies requests without TLS and principals of other accounts',
        'S/DeadLetter/Resource: redrive allowed into it, as the dead-letter queue it is',
        'S/Queue/Resource: encrypted with the baseline customer-managed key',
        'S/Queue/Resource: queue policy denies requests without TLS and principals of other accounts',
        'S/Queue/Resource: message retention written out as 4 days, as SecureQueue keeps messages',
        'S/CfnQueue: encrypted with the baseline customer-managed key',
        'S/CfnQueue: queue policy denies requests without TLS and principals of other accounts',
        'S/CfnQueue: message retention written out as 4 days, as SecureQueue keeps messages',
        'S/CfnQueue: dead-letter queue S/CfnQueueDeadLetterQueue added (encrypted, TLS-only), after 3 receives',
        'S/Lonely/Resource: encrypted with the baseline customer-managed key',
        'S/Lonely/Resource: queue policy denies requests without TLS and principals of other accounts',
        'S/Lonely/Resource: message retention written out as 4 days, as SecureQueue keeps messages',
        'S/Lonely/Resource: dead-letter queue S/Lonely/DeadLetterQueue added (encrypted, TLS-only), after 3 receives',
      ]);
    });

    test('a queue that is a dead-letter queue gets no dead-letter queue of its own', () => {
      const stack = stackOf(app);
      const id = stack.resolve((stack.node.findChild('DeadLetter').node.defaultChild as sqs.CfnQueue).logicalId);
      expect(hardened.toJSON().Resources[id].Properties.RedrivePolicy).toBeUndefined();
      expect(hardened.toJSON().Resources[id].Properties.RedriveAllowPolicy).toEqual({ redrivePermission: 'allowAll' });
    });
  });

  test('SecureQueue and a plain queue after the mixin agree on key, retention, redrive and policy', () => {
    const app = hardenedApp(stack => {
      new SecureQueue(stack, 'Secure');
      new sqs.Queue(stack, 'Plain');
    }, queueMixin, ComplianceProfile.STANDARD);
    const stack = stackOf(app);
    const template = Template.fromStack(stack).toJSON().Resources;
    const id = (path: string): string => stack.resolve((stack.node.findChild(path).node.defaultChild as sqs.CfnQueue).logicalId);
    const settings = (path: string): object => {
      const props = template[id(path)].Properties;
      const policy = Object.values<any>(template).find(r => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties.Queues).includes(id(path)));
      const statements = policy.Properties.PolicyDocument.Statement.map((s: any) => JSON.parse(JSON.stringify(s).split(id(path)).join('<queue>')));
      return {
        key: props.KmsMasterKeyId,
        retention: props.MessageRetentionPeriod,
        maxReceiveCount: props.RedrivePolicy.maxReceiveCount,
        statements,
      };
    };
    expect(settings('Plain')).toEqual(settings('Secure'));
  });

  test('a send grant made before the mixin gets the key use, through SQS, for this queue', () => {
    const app = hardenedApp(CASES['Queue consumed through an SqsEventSource and granted to a sender, before the mixin'], queueMixin, ComplianceProfile.STANDARD);
    const stack = stackOf(app);
    const queueId = stack.resolve((stack.node.findChild('Queue').node.defaultChild as sqs.CfnQueue).logicalId);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^SenderServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Condition: {
            ArnEquals: { 'kms:EncryptionContext:aws:sqs:arn': { 'Fn::GetAtt': [queueId, 'Arn'] } },
            StringEquals: { 'kms:ViaService': Match.anyValue() },
          },
        })]),
      },
    });
  });

  test('the library\'s own queues, the dead-letter queues it adds and imported queues are not supported', () => {
    const app = hardenedApp(stack => new sqs.Queue(stack, 'Plain'), queueMixin, ComplianceProfile.STANDARD);
    const stack = stackOf(app);
    const mixin = new QueueHardening();
    expect(mixin.supports(new SecureQueue(stack, 'Secure'))).toBe(false);
    expect(mixin.supports(stack.node.findChild('Plain').node.findChild('DeadLetterQueue'))).toBe(false);
    expect(mixin.supports(sqs.Queue.fromQueueArn(stack, 'Imported', 'arn:aws:sqs:eu-west-1:111111111111:q'))).toBe(false);
    expect(mixin.supports(stack.node.findChild('Plain'))).toBe(true);
  });
});
