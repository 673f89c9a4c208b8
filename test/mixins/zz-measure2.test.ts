import { Mixins } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { plainOrdersApp } from './plain-app';
import { hardeningRecords } from '../../src/mixins/changes';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';

test('print', () => {
  const plain = plainOrdersApp();
  Mixins.of(plain.app).apply(new ServerlessHardening());
  const t = Template.fromStack(plain.stack);
  process.stdout.write(JSON.stringify(t.findResources('AWS::Lambda::EventSourceMapping'), undefined, 1) + '\n');
  for (const c of plain.stack.node.findAll()) if (c instanceof lambda.CfnEventSourceMapping) process.stdout.write(c.node.path + JSON.stringify(hardeningRecords(c)) + '\n');
}, 600000);
