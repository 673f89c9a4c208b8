import { Duration, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { checkReason, invalidProp } from '../core/errors';

/**
 * How long a SecureBucket keeps the versions that a newer version replaced or a
 * delete marker hid.
 *
 * Versioning keeps every overwritten or deleted object recoverable; without an
 * expiry those versions are kept, and paid for, forever.
 */
export class NoncurrentVersions {
  /**
   * The default: noncurrent versions expire 90 days after they stop being current.
   */
  public static readonly NINETY_DAYS = new NoncurrentVersions(Duration.days(90));

  /**
   * Noncurrent versions expire this long after they stop being current.
   *
   * @param after from 1 to 36500 whole days
   * @param keepNewest how many of the newest noncurrent versions of each object are
   * kept regardless of age, from 1 to 100
   */
  public static expireAfter(after: Duration, keepNewest?: number): NoncurrentVersions {
    return new NoncurrentVersions(after, keepNewest);
  }

  /**
   * Noncurrent versions are kept forever, e.g. for a bucket of records that must
   * never lose a version. The bucket still has a lifecycle rule (incomplete
   * multipart uploads are aborted after 7 days).
   */
  public static keepAll(): NoncurrentVersions {
    return new NoncurrentVersions(undefined);
  }

  /** How long after they stop being current noncurrent versions expire; undefined when they are kept forever. */
  public readonly expiration?: Duration;
  /** How many of the newest noncurrent versions are kept regardless of age. */
  public readonly keepNewest?: number;

  private constructor(after: Duration | undefined, keepNewest?: number) {
    this.expiration = after;
    this.keepNewest = keepNewest;
  }

  /** @internal */
  public _validate(path: string): void {
    const after = this.expiration;
    if (after !== undefined) {
      const days = after instanceof Duration ? after.toDays({ integral: false }) : NaN;
      if (!Token.isUnresolved(days) && !(Number.isInteger(days) && days >= 1 && days <= 36500)) {
        invalidProp(path, 'noncurrentVersions', after, 'NoncurrentVersions.expireAfter(Duration.days(n)) with n a whole number of days from 1 to 36500');
      }
    }
    const keep = this.keepNewest;
    if (keep !== undefined && (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 1 || keep > 100)) {
      invalidProp(path, 'noncurrentVersions.keepNewest', keep, 'an integer from 1 to 100');
    }
  }
}

/**
 * Options of a replication to another bucket.
 */
export interface BucketReplicationOptions {
  /**
   * The key that encrypts the replicas in the destination bucket.
   *
   * @default - the destination bucket's `encryptionKey`; a destination without one is refused
   */
  readonly destinationKey?: kms.IKey;
}

/**
 * Whether a SecureBucket replicates its objects to a second bucket.
 *
 * HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1 ask for replication
 * (`S3BucketReplicationEnabled`), so the REGULATED profile needs this choice:
 * a destination, or a waiver that carries its reason into the security report.
 */
export class BucketReplication {
  /**
   * Replicates every new object version, delete markers included, to `destination`
   * (a versioned bucket, e.g. another SecureBucket, typically in another region),
   * re-encrypted with the destination's key.
   *
   * @param destination the bucket that receives the replicas
   * @param options the destination key
   */
  public static toBucket(destination: s3.IBucket, options: BucketReplicationOptions = {}): BucketReplication {
    if (!destination || typeof (destination as s3.IBucket).bucketArn !== 'string') {
      invalidProp('BucketReplication.toBucket', 'destination', destination, 'an s3.IBucket, e.g. a SecureBucket in another region');
    }
    const key = options?.destinationKey ?? destination.encryptionKey;
    if (!key || typeof key.keyArn !== 'string') {
      invalidProp('BucketReplication.toBucket', 'destinationKey', key,
        'a kms.IKey encrypting the replicas: pass options.destinationKey, or a destination bucket with an encryptionKey');
    }
    return new BucketReplication(destination, key, undefined);
  }

  /**
   * No replication, with the reason (kept in the security report), e.g. the data
   * can be rebuilt from its source, or AWS Backup already copies it.
   *
   * @param reason why the bucket is not replicated
   */
  public static waiver(reason: string): BucketReplication {
    return new BucketReplication(undefined, undefined, checkReason('BucketReplication.waiver', 'reason', reason));
  }

  /** The bucket receiving the replicas; undefined for a waiver. */
  public readonly destination?: s3.IBucket;
  /** The key encrypting the replicas; undefined for a waiver. */
  public readonly destinationKey?: kms.IKey;
  /** Why the bucket is not replicated; undefined unless this is a waiver. */
  public readonly waiverReason?: string;

  private constructor(destination: s3.IBucket | undefined, destinationKey: kms.IKey | undefined, waiverReason: string | undefined) {
    this.destination = destination;
    this.destinationKey = destinationKey;
    this.waiverReason = waiverReason;
  }
}
