process.env.CDK_VALIDATION = 'false';

import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { expectKeyUseConditioned } from './key-conditions';
import { complianceMatrix } from './runners';
import { SecurityBaseline, SecurityBaselineProps } from '../../src/baseline/security-baseline';
import { LogRetention } from '../../src/core/log-retention';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureKey } from '../../src/encryption/secure-key';
import { FunctionNetwork } from '../../src/function/function-network';
import { SecureFunction, SecureFunctionProps } from '../../src/function/secure-function';
import { SecureNodejsFunction } from '../../src/function/secure-nodejs-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { InternetEgress } from '../../src/network/internet-egress';
import { PrivateNetwork } from '../../src/network/private-network';

/**
 * Every foundation construct, by default and with each documented option, in
 * both profiles, under our pack, the cdk-nag packs of the profile and the
 * Control Tower guard rules. Each case is its own app; the guard rules run
 * once per profile over all of them.
 */

const ENV = { account: '111111111111', region: 'eu-west-1' };
const CODE = lambda.Code.fromInline('exports.handler = async () => 1');

/**
 * The findings of a plain `secretsmanager.Secret` encrypted with the baseline key:
 * no rotation schedule (PCI DSS 3.2.1 has no rotation rule; Control Tower none for
 * secrets). Rotation is the secret's concern (SecureSecret is not part of this
 * foundation), so they are acknowledged on the secret, one id at a time, and the
 * case tests the function's side of `secrets`.
 */
const SECRET_ROTATION_FINDINGS = [
  'AwsSolutions-SMG4',
  'HIPAA.Security-SecretsManagerRotationEnabled',
  'NIST.800.53.R5-SecretsManagerRotationEnabled',
];

function fn(stack: Stack, id: string, props: Partial<SecureFunctionProps> = {}): SecureFunction {
  return new SecureFunction(stack, id, { code: CODE, handler: 'index.handler', ...props });
}

interface Case {
  /** Props of the stack's baseline, created before the case's constructs. */
  readonly baseline?: SecurityBaselineProps;
  readonly build: (stack: Stack) => void;
}

const CASES: Record<string, Case['build'] | Case> = {
  'SecureFunction default': stack => {
    fn(stack, 'Function');
  },
  'SecureNodejsFunction bundled from TypeScript': stack => {
    new SecureNodejsFunction(stack, 'Function', { entry: path.join(__dirname, '..', 'function', 'fixtures', 'greeter', 'index.ts'), handler: 'greet' });
  },
  'SecureFunction with secrets': stack => {
    const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: SecurityBaseline.of(stack).key });
    for (const id of SECRET_ROTATION_FINDINGS) {
      Validations.of(secret).acknowledge({ id, reason: 'rotation of a plain Secret is outside this test: the case checks the function side of `secrets`' });
    }
    fn(stack, 'Function', { secrets: { DB: secret } });
  },
  'SecureFunction with a queue grant': stack => {
    const queue = new SecureQueue(stack, 'Queue');
    queue.grantSendMessages(fn(stack, 'Function'));
  },
  'SecureFunction outsideVpc': stack => {
    fn(stack, 'Function', { network: FunctionNetwork.outsideVpc('calls a SaaS API with no VPC endpoint') });
  },
  'SecureFunction with LogRetention.belowMinimum': stack => {
    fn(stack, 'Function', { logRetention: LogRetention.belowMinimum(logs.RetentionDays.ONE_MONTH, 'debug logs of a preview environment') });
  },
  'SecurityBaseline with LogRetention.belowMinimum': {
    baseline: { logRetention: LogRetention.belowMinimum(logs.RetentionDays.THREE_MONTHS, 'sandbox account; logs are exported nightly') },
    build: stack => {
      fn(stack, 'Function');
    },
  },
  'SecureFunction with an AWS_IAM function URL and a service invoke permission': stack => {
    const f = fn(stack, 'Function');
    f.addFunctionUrl();
    f.addPermission('Events', { principal: new iam.ServicePrincipal('events.amazonaws.com'), sourceArn: 'arn:aws:events:eu-west-1:111111111111:rule/nightly' });
  },
  'SecureQueue alone': stack => {
    new SecureQueue(stack, 'Queue');
  },
  'SecureQueue with addConsumer': stack => {
    new SecureQueue(stack, 'Queue').addConsumer(fn(stack, 'Consumer'));
  },
  'SecureTopic with a queue subscription': stack => {
    const queue = new SecureQueue(stack, 'Queue');
    new SecureTopic(stack, 'Topic').addSubscription(new subscriptions.SqsSubscription(queue));
  },
  'SecureTopic with grantPublish to a SecureFunction': stack => {
    new SecureTopic(stack, 'Topic').grantPublish(fn(stack, 'Publisher'));
  },
  'SecureKey alone': stack => {
    new SecureKey(stack, 'Key');
  },
  'PrivateNetwork alone': stack => {
    new PrivateNetwork(stack, 'Network');
  },
  'PrivateNetwork with NAT egress': stack => {
    new PrivateNetwork(stack, 'Network', { internetEgress: InternetEgress.natGateways('functions call a payment API that has no VPC endpoint') });
  },
  'two SecureFunctions sharing the baseline': stack => {
    const queue = new SecureQueue(stack, 'Queue');
    queue.grantSendMessages(fn(stack, 'First'));
    queue.grantSendMessages(fn(stack, 'Second'));
  },
};
const CASE_NAMES = Object.keys(CASES);

function buildApp(name: string, profile: ComplianceProfile): App {
  const definition = CASES[name];
  const { baseline, build } = typeof definition === 'function' ? { baseline: undefined, build: definition } : definition;
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  if (baseline || profile === ComplianceProfile.REGULATED) new SecurityBaseline(stack, 'SecurityBaseline', { ...baseline, profile });
  build(stack);
  return app;
}

expectKeyUseConditioned(complianceMatrix(CASE_NAMES, buildApp));

