import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { rules } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { acknowledgeAwsCdkLibFinding, LIBRARY_ACKNOWLEDGEMENT_METADATA, LibraryAcknowledgement } from '../core/acknowledgements';
import { controlTowerFindingId } from '../core/finding-ids';

/**
 * Where aws-cdk-lib keeps the code of its own deploy-time handlers (the bucket
 * deployment, AwsCustomResource, the custom-resource Provider framework, log
 * retention...), whichever copy of aws-cdk-lib the app loaded.
 */
const AWS_CDK_LIB_HANDLER_CODE = /[\\/]aws-cdk-lib[\\/](custom-resource-handlers|custom-resources)[\\/]/;

/**
 * Whether `fn` is one of aws-cdk-lib's deploy-time helpers written as a
 * `lambda.Function` (a `BucketDeployment`'s or an `AwsCustomResource`'s singleton,
 * a `Provider` framework's functions): its code ships inside aws-cdk-lib.
 * CloudFormation invokes it while deploying; it is not the app's code.
 */
export function isAwsCdkLibHelper(fn: lambda.Function): boolean {
  const staging = fn.node.tryFindChild('Code')?.node.tryFindChild('Stage') as { sourcePath?: unknown } | undefined;
  return typeof staging?.sourcePath === 'string' && AWS_CDK_LIB_HANDLER_CODE.test(staging.sourcePath);
}

/** Why a deploy-time helper of aws-cdk-lib stays outside the VPC. */
export const HELPER_OUTSIDE_VPC_REASON =
  'deploy-time helper of aws-cdk-lib invoked by CloudFormation, which it answers through a pre-signed URL of an AWS-owned S3 bucket '
  + 'that the private network\'s endpoints, pinned to this account, do not reach';

/** The findings a function outside any VPC raises in each pack. */
const OUTSIDE_VPC_FINDINGS = [
  'HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC', controlTowerFindingId('CT.LAMBDA.PR.3'),
];

/**
 * Acknowledges, as aws-cdk-lib's, the findings of a deploy-time helper that
 * aws-cdk-lib writes as a `lambda.Function`, each with why hardening it as an
 * app function would be wrong: it stays outside the VPC, has no dead-letter
 * queue and no reserved concurrency, and keeps the runtime aws-cdk-lib gives it.
 */
export function acknowledgeHelperFunction(cfn: lambda.CfnFunction, newestRuntime: string | undefined): void {
  for (const id of OUTSIDE_VPC_FINDINGS) acknowledgeAwsCdkLibFinding(cfn, id, HELPER_OUTSIDE_VPC_REASON);
  for (const id of ['Serverless-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ']) {
    acknowledgeAwsCdkLibFinding(cfn, id, 'deploy-time helper of aws-cdk-lib: CloudFormation waits for its answer, so a failed invocation fails '
      + 'the custom resource and the deployment, where it is seen; a dead-letter queue would hold events nobody replays');
  }
  for (const id of ['HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaConcurrency']) {
    acknowledgeAwsCdkLibFinding(cfn, id, 'deploy-time helper of aws-cdk-lib, invoked by CloudFormation a few times per deployment: '
      + 'a reserved concurrency would take executions from the account\'s pool for nothing');
  }
  const runtime = typeof cfn.runtime === 'string' ? cfn.runtime : undefined;
  if (runtime !== undefined && newestRuntime !== undefined && runtime !== newestRuntime) {
    for (const id of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
      acknowledgeAwsCdkLibFinding(cfn, id, `deploy-time helper of aws-cdk-lib, whose runtime (${runtime}) aws-cdk-lib sets for its own code: `
        + 'upgrading aws-cdk-lib upgrades it');
    }
  }
}

/**
 * Acknowledges, as aws-cdk-lib's, the wildcard findings (`AwsSolutions-IAM5`)
 * of the statements aws-cdk-lib's own code wrote into a helper's role policy
 * (the bucket deployment's reads and writes, the Provider framework's invoke of
 * its handler), by the exact ids cdk-nag gives them, now: statements added later
 * are judged on their own. Ids the library acknowledges itself are left to it.
 */
export function acknowledgeHelperGrants(policy: iam.Policy): void {
  const ownIds = new Set(policy.node.findAll().flatMap((c) => c.node.metadata)
    .filter((m) => m.type === LIBRARY_ACKNOWLEDGEMENT_METADATA).map((m) => (m.data as LibraryAcknowledgement).id));
  for (const resource of policy.node.findAll()) {
    if (!(resource instanceof iam.CfnPolicy || resource instanceof iam.CfnManagedPolicy)) continue;
    const findings = rules.iam.IAMNoWildcardPermissions(resource as CfnResource);
    if (!Array.isArray(findings)) continue;
    for (const finding of findings) {
      const id = `AwsSolutions-IAM5[${finding}]`;
      if (ownIds.has(id)) continue;
      acknowledgeAwsCdkLibFinding(policy, id, `statement aws-cdk-lib wrote for its deploy-time helper ${helperPathOf(policy)}, which needs it to do its work`);
    }
  }
}

/** The helper a role policy belongs to, for the reason's text. */
function helperPathOf(policy: IConstruct): string {
  return policy.node.scope?.node.scope?.node.path ?? policy.node.path;
}
