import { App } from 'aws-cdk-lib';
import { asArray, statementsOf } from '../core/fixtures';

/** Where each kind of resource keeps its policy documents. */
const DOCUMENTS: { [type: string]: (properties: any) => unknown[] } = {
  'AWS::IAM::ManagedPolicy': p => [p.PolicyDocument],
  'AWS::IAM::Policy': p => [p.PolicyDocument],
  'AWS::IAM::Role': p => [p.AssumeRolePolicyDocument, ...asArray(p.Policies).map((policy: any) => policy.PolicyDocument)],
  'AWS::KMS::Key': p => [p.KeyPolicy],
  'AWS::SQS::QueuePolicy': p => [p.PolicyDocument],
  'AWS::SNS::TopicPolicy': p => [p.PolicyDocument],
  'AWS::S3::BucketPolicy': p => [p.PolicyDocument],
  'AWS::SecretsManager::ResourcePolicy': p => [p.ResourcePolicy],
  'AWS::ApiGateway::RestApi': p => [p.Policy],
  'AWS::EC2::VPCEndpoint': p => [p.PolicyDocument],
};

/**
 * Every action that two statements of one policy document grant (or deny) on
 * the same resources, to the same principals, under the same conditions: the
 * same permission written twice. One line per repetition, naming the app label,
 * the resource and the action.
 */
export function repeatedStatements(apps: ReadonlyMap<string, App>): string[] {
  const repeated: string[] = [];
  for (const [label, app] of apps) {
    for (const stack of app.synth().stacksRecursively) {
      for (const [logicalId, resource] of Object.entries<any>(stack.template.Resources ?? {})) {
        const documentsOf = DOCUMENTS[resource.Type];
        if (!documentsOf || !resource.Properties) continue;
        for (const document of documentsOf(resource.Properties)) {
          const seen = new Map<string, number>();
          statementsOf(document).forEach((statement, index) => {
            const { Action: actions, Sid: _sid, ...scope } = statement;
            const key = JSON.stringify(scope);
            for (const action of asArray(actions)) {
              const at = `${key}\0${JSON.stringify(action)}`;
              const first = seen.get(at);
              if (first !== undefined && first !== index) {
                repeated.push(`${label} ${stack.templateFile} ${logicalId}: ${JSON.stringify(action)} in statements ${first} and ${index} of ${key}`);
              }
              seen.set(at, first ?? index);
            }
          });
        }
      }
    }
  }
  return repeated;
}
