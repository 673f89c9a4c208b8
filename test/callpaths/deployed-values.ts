import { App, Stack } from 'aws-cdk-lib';

/**
 * What CloudFormation would make of a synthesized app's values once deployed:
 * every `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`,
 * `Fn::ImportValue` and `Fn::GetStackOutput` turned into the string AWS would see, with each
 * resource's physical name taken from its name property or, when CloudFormation
 * generates one, from its logical id. The call-path model reads policies and
 * wiring through it, so the evaluator sees concrete ARNs, as AWS does.
 */

/** The partition of the commercial regions (China's regions are `aws-cn`). */
export const PARTITION = 'aws';
/** The account and region of an environment-agnostic stack, once deployed. */
export const DEFAULT_ENV = { account: '111111111111', region: 'eu-west-1' };
/** Another account, for the requests that must be refused. */
export const OTHER_ACCOUNT = '999999999999';

/** One resource of a deployed template. */
export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  /** The raw properties, intrinsics unresolved. */
  readonly props: any;
  readonly stack: DeployedStack;
}

/** One stack of the app, after deployment. */
export class DeployedStack {
  public readonly account: string;
  public readonly region: string;
  public readonly partition: string;
  public readonly resources = new Map<string, DeployedResource>();

  constructor(
    public readonly app: DeployedApp, public readonly name: string, public readonly template: any, env: { account?: string; region?: string },
  ) {
    this.account = env.account && !env.account.startsWith('unknown') ? env.account : DEFAULT_ENV.account;
    this.region = env.region && !env.region.startsWith('unknown') ? env.region : DEFAULT_ENV.region;
    this.partition = this.region.startsWith('cn-') ? 'aws-cn' : PARTITION;
    for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
      this.resources.set(logicalId, { logicalId, type: resource.Type, props: resource.Properties ?? {}, stack: this });
    }
  }

  /** Resources of one CloudFormation type. */
  public ofType(type: string): DeployedResource[] {
    return [...this.resources.values()].filter(r => r.type === type);
  }

  /** `arn:aws:<service>:<region>:<account>:<resource>`. */
  public arn(service: string, resource: string, region: string = this.region, account: string = this.account): string {
    return `arn:${this.partition}:${service}:${region}:${account}:${resource}`;
  }

  /** A value as the deployed stack sees it: a string, or an array or object of them. */
  public resolve(value: any): any {
    if (Array.isArray(value)) return value.map(v => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    if (typeof value.Ref === 'string') return this.ref(value.Ref);
    if (value['Fn::GetAtt'] !== undefined) {
      const att = value['Fn::GetAtt'];
      const [id, attribute] = Array.isArray(att) ? att : String(att).split(/\.(.*)/);
      return this.getAtt(String(id), String(attribute));
    }
    if (value['Fn::Join'] !== undefined) {
      const [separator, parts] = value['Fn::Join'];
      return (this.resolve(parts) as any[]).map(String).join(separator);
    }
    if (value['Fn::Sub'] !== undefined) {
      const sub = value['Fn::Sub'];
      const [template, variables] = Array.isArray(sub) ? sub : [sub, {}];
      return String(template).replace(/\$\{(!?)([^}]*)\}/g, (_m: string, bang: string, name: string) => {
        if (bang) return `\${${name}}`;
        if (name in variables) return String(this.resolve(variables[name]));
        const [id, attribute] = name.split(/\.(.*)/);
        return String(attribute ? this.getAtt(id, attribute) : this.ref(id));
      });
    }
    if (value['Fn::Select'] !== undefined) {
      const [index, list] = value['Fn::Select'];
      return (this.resolve(list) as any[])[Number(this.resolve(index))];
    }
    if (value['Fn::Split'] !== undefined) {
      const [separator, text] = value['Fn::Split'];
      return String(this.resolve(text)).split(separator);
    }
    if (value['Fn::GetAZs'] !== undefined) return ['a', 'b', 'c'].map(az => `${this.region}${az}`);
    if (value['Fn::ImportValue'] !== undefined) return this.app.imported(String(this.resolve(value['Fn::ImportValue'])));
    if (value['Fn::GetStackOutput'] !== undefined) {
      const { StackName, OutputName } = this.resolve(value['Fn::GetStackOutput']);
      return this.app.output(String(StackName), String(OutputName));
    }
    if (value['Fn::If'] !== undefined) return this.resolve(value['Fn::If'][1]);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
  }

  /** What `Ref` returns for a pseudo parameter, a parameter or a resource. */
  public ref(name: string): any {
    switch (name) {
      case 'AWS::Partition': return this.partition;
      case 'AWS::Region': return this.region;
      case 'AWS::AccountId': return this.account;
      case 'AWS::URLSuffix': return this.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
      case 'AWS::StackName': return this.name;
      case 'AWS::StackId': return this.arn('cloudformation', `stack/${this.name}/id`);
      case 'AWS::NoValue': return undefined;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) return parameter.Default ?? `parameter-${name}`;
    const resource = this.resources.get(name);
    if (!resource) return `unresolved-${name}`;
    return this.refOf(resource);
  }

  /** The physical name CloudFormation gives a resource: its name property, else one from its logical id. */
  public nameOf(resource: DeployedResource): string {
    const p = resource.props;
    const given = {
      'AWS::SQS::Queue': p.QueueName,
      'AWS::SNS::Topic': p.TopicName,
      'AWS::S3::Bucket': p.BucketName,
      'AWS::Lambda::Function': p.FunctionName,
      'AWS::IAM::Role': p.RoleName,
      'AWS::DynamoDB::Table': p.TableName,
      'AWS::SecretsManager::Secret': p.Name,
      'AWS::Logs::LogGroup': p.LogGroupName,
      'AWS::Events::Rule': p.Name,
      'AWS::StepFunctions::StateMachine': p.StateMachineName,
      'AWS::CloudWatch::Alarm': p.AlarmName,
      'AWS::Scheduler::Schedule': p.Name,
      'AWS::IAM::ManagedPolicy': p.ManagedPolicyName,
      'AWS::ApiGateway::Stage': p.StageName,
      'AWS::Scheduler::ScheduleGroup': p.Name,
    }[resource.type];
    const name = given !== undefined ? this.resolve(given) : undefined;
    if (typeof name === 'string') return name;
    const generated = `${this.name}-${resource.logicalId}`;
    return resource.type === 'AWS::S3::Bucket' ? generated.toLowerCase() : generated;
  }

  /** The ARN of a resource, for the types the model names. */
  public arnOf(resource: DeployedResource): string {
    const name = this.nameOf(resource);
    switch (resource.type) {
      case 'AWS::SQS::Queue': return this.arn('sqs', name);
      case 'AWS::SNS::Topic': return this.arn('sns', name);
      case 'AWS::S3::Bucket': return `arn:${this.partition}:s3:::${name}`;
      case 'AWS::Lambda::Function': return this.arn('lambda', `function:${name}`);
      case 'AWS::IAM::Role': return `arn:${this.partition}:iam::${this.account}:role/${name}`;
      case 'AWS::IAM::ManagedPolicy': return `arn:${this.partition}:iam::${this.account}:policy/${name}`;
      case 'AWS::KMS::Key': return this.arn('kms', `key/${this.keyIdOf(resource)}`);
      case 'AWS::DynamoDB::Table': return this.arn('dynamodb', `table/${name}`);
      case 'AWS::SecretsManager::Secret': return this.arn('secretsmanager', `secret:${name}-AbCdEf`);
      case 'AWS::Logs::LogGroup': return this.arn('logs', `log-group:${name}:*`);
      case 'AWS::Events::Rule': {
        const bus = this.resolve(resource.props.EventBusName);
        return this.arn('events', `rule/${typeof bus === 'string' && bus !== 'default' ? `${bus}/` : ''}${name}`);
      }
      case 'AWS::StepFunctions::StateMachine': return this.arn('states', `stateMachine:${name}`);
      case 'AWS::CloudWatch::Alarm': return this.arn('cloudwatch', `alarm:${name}`);
      case 'AWS::Scheduler::Schedule': return this.arn('scheduler', `schedule/${this.resolve(resource.props.GroupName) ?? 'default'}/${name}`);
      case 'AWS::Scheduler::ScheduleGroup': return this.arn('scheduler', `schedule-group/${name}`);
      case 'AWS::CloudFront::Distribution': return `arn:${this.partition}:cloudfront::${this.account}:distribution/${resource.logicalId}`;
      case 'AWS::Cognito::UserPool': return this.arn('cognito-idp', `userpool/${this.region}_${resource.logicalId}`);
      default: return this.arn(resource.type.split('::')[1].toLowerCase(), resource.logicalId);
    }
  }

  private keyIdOf(resource: DeployedResource): string {
    return `key-${this.name}-${resource.logicalId}`;
  }

  private refOf(resource: DeployedResource): any {
    switch (resource.type) {
      case 'AWS::SQS::Queue': return `https://sqs.${this.region}.amazonaws.com/${this.account}/${this.nameOf(resource)}`;
      case 'AWS::SNS::Topic':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::IAM::ManagedPolicy':
        return this.arnOf(resource);
      case 'AWS::KMS::Key': return this.keyIdOf(resource);
      case 'AWS::Lambda::Version':
      case 'AWS::Lambda::Alias': {
        const fn = this.resolve(resource.props.FunctionName);
        const arn = String(fn).startsWith('arn:') ? fn : this.arn('lambda', `function:${fn}`);
        return `${arn}:${resource.type === 'AWS::Lambda::Version' ? '1' : this.resolve(resource.props.Name)}`;
      }
      case 'AWS::EC2::VPCEndpoint': return `vpce-${resource.logicalId.toLowerCase()}`;
      case 'AWS::ApiGateway::RestApi':
      case 'AWS::ApiGatewayV2::Api':
        return `api${resource.logicalId.toLowerCase()}`.slice(0, 20);
      case 'AWS::ApiGateway::Authorizer':
      case 'AWS::ApiGatewayV2::Authorizer':
        return `auth-${resource.logicalId}`;
      default: return this.nameOf(resource);
    }
  }

  private getAtt(id: string, attribute: string): any {
    const resource = this.resources.get(id);
    if (!resource) return `${id}.${attribute}`;
    const name = this.nameOf(resource);
    switch (attribute) {
      case 'Arn': return this.arnOf(resource);
      case 'QueueName': case 'TopicName': case 'Name': case 'LogGroupName': case 'StateMachineName': return name;
      case 'QueueUrl': return this.refOf(resource);
      case 'TopicArn': return this.arnOf(resource);
      case 'KeyId': return this.keyIdOf(resource);
      case 'RoleId': return `AROA${resource.logicalId.toUpperCase()}`.slice(0, 21);
      case 'StreamArn': return `${this.arnOf(resource)}/stream/2026-01-01T00:00:00.000`;
      case 'DomainName': case 'RegionalDomainName':
        return resource.type === 'AWS::S3::Bucket' ? `${name}.s3.${this.region}.amazonaws.com` : `${resource.logicalId.toLowerCase()}.cloudfront.net`;
      case 'RootResourceId': return `root-${resource.logicalId}`;
      case 'ResourceId': return `res-${resource.logicalId}`;
      case 'Id': case 'GroupId': case 'VpcId': case 'AuthorizerId': return `${resource.type.split('::')[2].toLowerCase()}-${resource.logicalId}`;
      case 'DefaultSecurityGroup': return `sg-default-${resource.logicalId}`;
      case 'UserPoolId': return `${this.region}_${resource.logicalId}`;
      case 'ApiEndpoint': return `https://${this.refOf(resource)}.execute-api.${this.region}.amazonaws.com`;
      default: return `${id}.${attribute}`;
    }
  }
}

/** Every stack of a synthesized app, with the exports they share. */
export class DeployedApp {
  public readonly stacks: DeployedStack[];
  private index?: Map<string, DeployedResource[]>;

  constructor(app: App) {
    const assembly = app.synth();
    const byName = new Map(app.node.findAll().filter(Stack.isStack).map(s => [s.artifactId, s]));
    this.stacks = assembly.stacks.map(artifact => {
      const stack = byName.get(artifact.id);
      const env = { account: stack?.account, region: stack?.region };
      const resolvedEnv = { account: env.account && !/^\$\{/.test(env.account) ? env.account : undefined, region: env.region && !/^\$\{/.test(env.region) ? env.region : undefined };
      return new DeployedStack(this, artifact.stackName, artifact.template, resolvedEnv);
    });
  }

  /** The value of output `outputName` of stack `stackName` (a cross-stack reference without an export). */
  public output(stackName: string, outputName: string): any {
    const stack = this.stacks.find(s => s.name === stackName);
    const output = stack?.template.Outputs?.[outputName];
    return stack && output ? stack.resolve(output.Value) : `output-${stackName}-${outputName}`;
  }

  /** The value another stack exports under `name`. */
  public imported(name: string): any {
    for (const stack of this.stacks) {
      for (const output of Object.values<any>(stack.template.Outputs ?? {})) {
        if (output.Export && stack.resolve(output.Export.Name) === name) return stack.resolve(output.Value);
      }
    }
    return `import-${name}`;
  }


  /** Finds a resource by ARN, name, id or URL across the app's stacks, of one of `types` when given. */
  public find(value: unknown, types?: readonly string[]): DeployedResource | undefined {
    if (typeof value !== 'string') return undefined;
    if (!this.index) {
      this.index = new Map();
      for (const stack of this.stacks) {
        for (const resource of stack.resources.values()) {
          for (const id of new Set([stack.arnOf(resource), String(stack.ref(resource.logicalId)), stack.nameOf(resource)])) {
            this.index.set(id, [...this.index.get(id) ?? [], resource]);
          }
        }
      }
    }
    return (this.index.get(value) ?? []).find(r => !types || types.includes(r.type));
  }
}
