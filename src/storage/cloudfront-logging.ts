import { AspectPriority, Aspects, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';

const REGISTERED = Symbol.for('cdk-secure-serverless.CloudFrontLogBuckets');

/** What to use instead of a SecureBucket as a CloudFront standard-logging bucket. */
export const CLOUDFRONT_LOGGING_ALLOWED = 'a bucket whose ACLs are enabled (CloudFront standard logging writes objects with ACLs, which a SecureBucket disables), '
  + 'or CloudFront standard logging v2 (an AWS::Logs::DeliverySource of the distribution with a delivery destination), which delivers without ACLs';

/**
 * Registers `bucket` so that a CloudFront distribution of its stack that logs to
 * it fails synth with our error: CloudFront standard logging needs ACLs on the
 * bucket, which a SecureBucket disables, so no log would ever arrive. One aspect
 * per stack, acting on the distributions it visits.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html
 */
export function refuseCloudFrontLogging(bucket: s3.Bucket): void {
  const stack = Stack.of(bucket);
  let buckets: s3.Bucket[] | undefined = (stack as any)[REGISTERED];
  if (!buckets) {
    const registered: s3.Bucket[] = [];
    buckets = registered;
    Object.defineProperty(stack, REGISTERED, { value: registered });
    Aspects.of(stack).add({ visit: (node: IConstruct) => checkDistribution(node, registered) }, { priority: AspectPriority.READONLY });
  }
  buckets.push(bucket);
}

function checkDistribution(node: IConstruct, buckets: readonly s3.Bucket[]): void {
  if (!(node instanceof cloudfront.CfnDistribution)) return;
  const stack = Stack.of(node);
  const config = stack.resolve(node.distributionConfig);
  const target = JSON.stringify(config?.logging?.bucket ?? config?.Logging?.Bucket);
  if (target === undefined) return;
  for (const bucket of buckets) {
    const names = [bucket.bucketRegionalDomainName, bucket.bucketDomainName].map(name => JSON.stringify(stack.resolve(name)));
    if (names.includes(target)) {
      invalidProp(node.node.scope ?? node, 'logBucket', `${bucket.node.path} (a SecureBucket)`, CLOUDFRONT_LOGGING_ALLOWED);
    }
  }
}
