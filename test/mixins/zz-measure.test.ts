import { App, Mixins, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3d from 'aws-cdk-lib/aws-s3-deployment';
import { plainHttpApiApp } from './http-api-app';
import { ComplianceProfile } from '../../src/core/profile';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { findingsFor, formatFindings } from '../compliance/harness';
import { CODE, ENV, HANDLER, prefixListContext } from '../core/fixtures';

test('measure', () => {
  const which = process.env.WHICH ?? 'all';
  const out: string[] = [];
  if (which === 'all' || which === 'http') {
    for (const [network, profile] of [['none', ComplianceProfile.STANDARD], ['brought-vpc', ComplianceProfile.STANDARD], ['none', ComplianceProfile.REGULATED]] as const) {
      const hard = plainHttpApiApp(network);
      Mixins.of(hard.app).apply(new ServerlessHardening({ profile, reservedConcurrency: profile === ComplianceProfile.REGULATED ? 10 : undefined }));
      const [a] = findingsFor([hard.app], { profile });
      out.push(`=== http ${network} ${profile} after ${a.length}\n${formatFindings(a)}`);
    }
  }
  if (which === 'all' || which === 'deploy') {
    for (const profile of [ComplianceProfile.STANDARD, ComplianceProfile.REGULATED]) {
      const app = new App({ context: prefixListContext() });
      const stack = new Stack(app, 'Site', { env: ENV });
      const bucket = new s3.Bucket(stack, 'Site');
      new s3d.BucketDeployment(stack, 'Deploy', { sources: [s3d.Source.data('index.html', 'hi')], destinationBucket: bucket });
      Mixins.of(app).apply(new ServerlessHardening({ profile }));
      const [a] = findingsFor([app], { profile });
      out.push(`=== deploy ${profile} after ${a.length}\n${formatFindings(a)}`);
    }
  }
  if (which === 'all' || which === 'lra') {
    const app = new App({ context: prefixListContext() });
    const stack = new Stack(app, 'Api');
    const fn = new lambda.Function(stack, 'Fn', { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST });
    new apigateway.LambdaRestApi(stack, 'Api', { handler: fn, defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM } });
    Mixins.of(app).apply(new ServerlessHardening({}));
    const [a] = findingsFor([app], { profile: ComplianceProfile.STANDARD, guard: false });
    out.push(`=== lra agnostic after ${a.length}\n${formatFindings(a)}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}, 600000);
