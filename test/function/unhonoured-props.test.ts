import * as path from 'path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureNodejsFunction } from '../../src/function/secure-nodejs-function';
import { UNHONOURED_FUNCTION_PROPS, UNHONOURED_NODEJS_PROPS } from '../../src/function/unhonoured-props';
import { CODE, HANDLER, newStack, thrownBy } from '../core/fixtures';

/**
 * Props of aws-cdk-lib's FunctionProps and NodejsFunctionProps that our
 * functions do not take are our error, naming the supported way, when plain
 * JavaScript (here a cast) passes them; never silently ignored.
 */

const ENTRY = path.join(__dirname, 'fixtures', 'greeter', 'index.ts');

describe('SecureFunction', () => {
  test.each(Object.keys(UNHONOURED_FUNCTION_PROPS))('%s is our error naming the prop and the supported way', prop => {
    const { stack } = newStack();

    const error = thrownBy(() => new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, [prop]: true } as any));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`S/Fn: invalid ${prop}: received true; allowed: ${UNHONOURED_FUNCTION_PROPS[prop]}`);
  });

  test('vpc names PrivateNetwork and FunctionNetwork', () => {
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');

    const error = thrownBy(() => new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, vpc } as any));

    expect(error.message).toBe('S/Fn: invalid vpc: received S/Vpc; allowed: no value: a SecureFunction runs in its network with a security group of its own ' +
      'whose egress reaches only the endpoints it was granted; to run in your VPC use network: FunctionNetwork.privateNetwork(new PrivateNetwork(scope, \'Network\', { vpc }))');
  });

  test('every prop of the list is refused, with its own supported way', () => {
    expect(Object.keys(UNHONOURED_FUNCTION_PROPS)).toEqual(expect.arrayContaining([
      'vpc', 'vpcSubnets', 'securityGroups', 'allowAllOutbound', 'role', 'deadLetterQueue', 'deadLetterQueueEnabled', 'deadLetterTopic', 'tracing',
      'logGroup', 'environmentEncryption', 'onFailure', 'onSuccess', 'maxEventAge', 'insightsVersion', 'loggingFormat', 'allowPublicSubnet',
      'initialPolicy', 'runtimeManagementMode',
    ]));
    expect(UNHONOURED_FUNCTION_PROPS.role).toMatch(/fn\.addToRolePolicy\(statement\)$/);
    expect(UNHONOURED_FUNCTION_PROPS.onSuccess).toMatch(/fn\.configureAsyncInvoke/);
  });
});

describe('SecureNodejsFunction', () => {
  test.each([...Object.keys(UNHONOURED_NODEJS_PROPS), 'vpc', 'role'])('%s is our error before anything is bundled', prop => {
    const { stack } = newStack();

    const error = thrownBy(() => new SecureNodejsFunction(stack, 'Fn', { entry: ENTRY, [prop]: true } as any));

    expect(error).toBeInstanceOf(SecureServerlessError);
    const allowed = UNHONOURED_NODEJS_PROPS[prop] ?? UNHONOURED_FUNCTION_PROPS[prop];
    expect(error.message).toBe(`S/Fn: invalid ${prop}: received true; allowed: ${allowed}`);
  });
});
