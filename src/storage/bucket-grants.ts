import * as iam from 'aws-cdk-lib/aws-iam';
import type { SecureBucket } from './secure-bucket';

/**
 * Options of a grant on the objects of a SecureBucket.
 */
export interface ObjectGrantOptions {
  /**
   * Limit the grant to the objects whose key starts with this prefix, e.g.
   * `uploads/`. Listing is limited to the same prefix.
   *
   * @default - every object of the bucket
   */
  readonly prefix?: string;
}

/**
 * Least-privilege grants on the objects of a SecureBucket, returned by
 * `bucket.objectGrants`.
 *
 * Every grant names exact object-level actions (never `s3:GetObject*` or
 * `s3:List*`) on the objects under a prefix, and the key actions the operation
 * needs by name, usable only through S3 for this bucket (`kms:ViaService` and the
 * bucket's encryption context). A SecureFunction grantee also gets the S3
 * gateway endpoint in its network.
 */
export class SecureBucketGrants {
  private readonly bucket: SecureBucket;

  /**
   * @param bucket the bucket the grants are on
   */
  constructor(bucket: SecureBucket) {
    this.bucket = bucket;
  }

  /**
   * Grants reading objects (`s3:GetObject`) and listing their keys
   * (`s3:ListBucket`, limited to the prefix), with `kms:Decrypt`.
   *
   * @param grantee who may read
   * @param options the key prefix
   */
  public readObjects(grantee: iam.IGrantable, options: ObjectGrantOptions = {}): iam.Grant {
    return this.bucket._grantObjects('readObjects', grantee, ['s3:GetObject'], true, ['kms:Decrypt'], options?.prefix);
  }

  /**
   * Grants writing objects (`s3:PutObject`, `s3:AbortMultipartUpload`), with
   * `kms:GenerateDataKey` and `kms:Decrypt` (multipart uploads read back their
   * data key). Writing does not include reading, listing or deleting.
   *
   * @param grantee who may write
   * @param options the key prefix
   */
  public writeObjects(grantee: iam.IGrantable, options: ObjectGrantOptions = {}): iam.Grant {
    return this.bucket._grantObjects('writeObjects', grantee, ['s3:PutObject', 's3:AbortMultipartUpload'], false, ['kms:GenerateDataKey', 'kms:Decrypt'], options?.prefix);
  }

  /**
   * Grants deleting objects (`s3:DeleteObject`). The bucket is versioned: a delete
   * adds a delete marker and the previous version stays recoverable until it
   * expires; deleting versions is not granted.
   *
   * @param grantee who may delete
   * @param options the key prefix
   */
  public deleteObjects(grantee: iam.IGrantable, options: ObjectGrantOptions = {}): iam.Grant {
    return this.bucket._grantObjects('deleteObjects', grantee, ['s3:DeleteObject'], false, [], options?.prefix);
  }
}
