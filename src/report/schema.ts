/*
 * The shape of `security-report.json`, one interface per JSON object.
 *
 * Conventions of every object below:
 * - resources of the same template are named by construct path, with a
 *   trailing `/Resource` left out (`Orders/Reader`, not `Orders/Reader/Resource`);
 * - values that are tokens are rendered as text, each reference written
 *   `<LogicalId>` or `<LogicalId.Attribute>` and each pseudo parameter
 *   `<AWS::Region>`, so `arn:<AWS::Partition>:sqs:eu-west-1:111111111111:<OrdersA9B65338.QueueName>`;
 * - a field that does not apply is left out, never `null`.
 */

/**
 * Who recorded an acknowledgement.
 */
export enum AcknowledgementSource {
  /** The library acknowledged the finding itself, with its reason, where AWS allows no other setting. */
  LIBRARY = 'library',
  /**
   * aws-cdk-lib, for its own built-in template validation (`CloudFormation-Validate::...`),
   * e.g. `W3010` for the literal AZs of `stack.availabilityZones`: recognised by the
   * rule id together with the exact reason aws-cdk-lib writes.
   */
  AWS_CDK_LIB = 'aws-cdk-lib',
  /** Anything else: the app's code, with `Validations.of(construct).acknowledge(...)`. */
  USER = 'user',
}

/**
 * `security-report.json`: the whole app, grouped by stage and stack.
 */
export interface SecurityReportDocument {
  /**
   * The version of this schema, `2`; a field is only ever added within a version.
   * The README's changelog says what each version changed.
   */
  readonly schemaVersion: number;
  /** What wrote the report: `cdk-secure-serverless`. */
  readonly generatedBy: string;
  /** Headline counts and the findings per pack. */
  readonly summary: SecurityReportSummary;
  /** One entry per stage with stacks or acknowledgements, the app itself first (path `""`), then nested stages by path. */
  readonly stages: SecurityReportStage[];
}

/**
 * `summary`: counts over the whole report.
 */
export interface SecurityReportSummary {
  /** Stacks reported, nested stacks included. */
  readonly stacks: number;
  /** The app's Lambda functions, the library's and plain aws-cdk-lib ones alike; deploy-time helpers are counted apart. */
  readonly functions: number;
  /** The app's functions that run outside any VPC. */
  readonly functionsOutsideVpc: number;
  /** Functions a custom resource invokes at deployment (aws-cdk-lib helpers such as the default-security-group closer). */
  readonly deployTimeHelpers: number;
  /** REST APIs and HTTP APIs. */
  readonly apis: number;
  /** Methods of REST APIs and routes of HTTP APIs. */
  readonly routes: number;
  /** Routes with authorization type `NONE` (CORS preflight `OPTIONS` routes included). */
  readonly routesWithoutAuthorization: number;
  /** Tables, queues, topics, secrets and buckets. */
  readonly dataStores: number;
  /** KMS keys. */
  readonly keys: number;
  /** Cognito user pools. */
  readonly userPools: number;
  /** Acknowledged findings, each rule id on each construct counted once. */
  readonly acknowledgements: number;
  /** Acknowledgements recorded by the library. */
  readonly libraryAcknowledgements: number;
  /** Acknowledgements aws-cdk-lib recorded for its own template validation (`by: aws-cdk-lib`). */
  readonly awsCdkLibAcknowledgements: number;
  /** Acknowledgements the app recorded (`by: user`). */
  readonly userAcknowledgements: number;
  /** Typed waivers: weakened defaults with their reasons. */
  readonly waivers: number;
  /** Plain resources a hardening mixin changed (`ServerlessHardening` and the kind mixins). */
  readonly hardenedResources: number;
  /**
   * Findings per pack (validation plugin).
   *
   * A validation plugin cannot read the results of the others, so a pack's open
   * findings are known only when the report observed it: `Guardrails.enforce`
   * passes every plugin it registers, or pass them in `SecurityReportProps.plugins`.
   * Acknowledgements are always counted, from the construct tree.
   */
  readonly findings: SecurityReportPackFindings[];
}

/**
 * One entry of `summary.findings`.
 */
export interface SecurityReportPackFindings {
  /** The pack (validation plugin) name, e.g. `AwsSolutions`, or the prefix of acknowledged rule ids for a pack the report did not observe. */
  readonly pack: string;
  /**
   * Whether the pack is registered on the app, so that it ran in this synth.
   * The library records its HIPAA, NIST, PCI and Control Tower acknowledgements
   * in every profile, so that turning a pack on finds nothing to fix; while the
   * pack is not registered they wait, listed but not checked.
   */
  readonly ran: boolean;
  /** Whether the report saw this pack's result of this synth. */
  readonly observed: boolean;
  /**
   * Unacknowledged findings of this synth, one per rule and resource, after
   * the acknowledgements CDK core applies.
   *
   * @default - absent when the pack was not observed
   */
  readonly open?: number;
  /** Acknowledgements in the app whose rule id belongs to this pack. */
  readonly acknowledged: number;
  /**
   * Whether this pack's open findings fail the synth, as CDK decides it (a pack's
   * warnings fail it too; aws-cdk-lib's own template validation never does).
   *
   * @default - absent when the pack was not observed
   */
  readonly failsSynth?: boolean;
}

/**
 * One entry of `stages`.
 */
export interface SecurityReportStage {
  /** Construct path of the stage; `""` for the app. */
  readonly stage: string;
  /** Its stacks, by construct path. */
  readonly stacks: SecurityReportStack[];
  /** Acknowledgements recorded on the stage itself or on constructs outside any stack. */
  readonly acknowledgements: SecurityReportAcknowledgement[];
  /** Waivers recorded outside any stack. */
  readonly waivers: SecurityReportWaiver[];
  /** Open findings of observed packs on the stage itself, or on no resource of a stack. */
  readonly openFindings: SecurityReportFinding[];
}

/**
 * One entry of `stages[].stacks`: what one template holds.
 */
export interface SecurityReportStack {
  /** Construct path of the stack. */
  readonly path: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** The template file, relative to the cloud assembly directory. */
  readonly templateFile: string;
  /**
   * The account the stack deploys to.
   *
   * @default - absent when the stack is environment-agnostic
   */
  readonly account?: string;
  /**
   * The region the stack deploys to.
   *
   * @default - absent when the stack is environment-agnostic
   */
  readonly region?: string;
  /** Every `AWS::Lambda::Function` of the template. */
  readonly functions: SecurityReportFunction[];
  /** Every `AWS::ApiGateway::RestApi` of the template. */
  readonly apis: SecurityReportApi[];
  /** Tables, queues, topics, secrets and buckets of the template. */
  readonly dataStores: SecurityReportDataStore[];
  /** Every `AWS::KMS::Key` of the template. */
  readonly keys: SecurityReportKey[];
  /** Every `AWS::StepFunctions::StateMachine` of the template. */
  readonly stateMachines: SecurityReportStateMachine[];
  /** Every `AWS::Cognito::UserPool` of the template, with its app clients. */
  readonly userPools: SecurityReportUserPool[];
  /**
   * The unacknowledged findings of the packs the report observed, on resources
   * of this stack: what fails the synth (or, for aws-cdk-lib's own template
   * validation, what it warns about).
   */
  readonly openFindings: SecurityReportFinding[];
  /** Acknowledged findings on constructs of this stack. */
  readonly acknowledgements: SecurityReportAcknowledgement[];
  /** Typed waivers on constructs of this stack. */
  readonly waivers: SecurityReportWaiver[];
  /** Plain resources of this stack that a hardening mixin changed, with what it changed. */
  readonly hardened: SecurityReportHardening[];
}

/**
 * One entry of `functions`: what a Lambda function can do, who can call it and where it runs.
 */
export interface SecurityReportFunction {
  /** Construct path. */
  readonly path: string;
  /** Logical id in the template. */
  readonly logicalId: string;
  /**
   * The runtime, e.g. `nodejs22.x`.
   *
   * @default - absent for container images
   */
  readonly runtime?: string;
  /** The execution role: its construct path, or the rendered ARN of a role defined elsewhere. */
  readonly role: string;
  /** Every policy attached to the role. */
  readonly policies: SecurityReportPolicy[];
  /** The statements of every policy of the role that is defined in the template, in policy order. */
  readonly statements: SecurityReportStatement[];
  /** Who and what can invoke the function. */
  readonly invokers: SecurityReportInvoker[];
  /** Where the function runs and what it can reach. */
  readonly network: SecurityReportNetwork;
  /** Encryption of the environment variables. */
  readonly encryption: SecurityReportEncryption;
  /** Where the function's logs go. */
  readonly logging: SecurityReportLogging;
  /**
   * Reserved concurrent executions.
   *
   * @default - absent when unreserved: the function shares the account's pool
   */
  readonly concurrency?: number;
  /** Where failed asynchronous invocations go. */
  readonly deadLetter: SecurityReportDeadLetter;
  /** CloudWatch alarms on the function's metrics or on its dead-letter queue. */
  readonly alarms: SecurityReportAlarm[];
  /**
   * Whether a custom resource invokes the function at deployment (its `ServiceToken`):
   * a helper that aws-cdk-lib or a construct adds, not the app's own code.
   *
   * @default - absent for the app's own functions
   */
  readonly deployTimeHelper?: boolean;
}

/**
 * One entry of `functions[].policies`.
 */
export interface SecurityReportPolicy {
  /**
   * The policy: a construct path, `<role path>/inline:<PolicyName>` for an inline
   * policy of the role, the AWS-managed policy name (`service-role/AWSLambdaBasicExecutionRole`)
   * or the rendered ARN of a customer-managed policy defined elsewhere.
   */
  readonly name: string;
  /**
   * Its kind: `inline`, `AWS::IAM::Policy`, `AWS::IAM::RolePolicy`,
   * `AWS::IAM::ManagedPolicy`, `aws-managed` or `external`. The statements of
   * `aws-managed` and `external` policies are not in the template and not listed.
   */
  readonly kind: string;
}

/**
 * One entry of `functions[].statements`: an IAM statement as written, tokens rendered.
 */
export interface SecurityReportStatement {
  /** The `name` of the policy it belongs to. */
  readonly policy: string;
  /** `Allow` or `Deny`. */
  readonly effect: string;
  /** `Action`; empty when the statement uses `NotAction`. */
  readonly actions: string[];
  /**
   * `NotAction`.
   *
   * @default - absent when the statement uses `Action`
   */
  readonly notActions?: string[];
  /** `Resource`; empty when the statement uses `NotResource`. */
  readonly resources: string[];
  /**
   * `NotResource`.
   *
   * @default - absent when the statement uses `Resource`
   */
  readonly notResources?: string[];
  /**
   * `Condition`, operators to keys to values, values rendered as text.
   *
   * @default - absent when the statement has no condition
   */
  readonly conditions?: { [operator: string]: any };
}

/**
 * One entry of `functions[].invokers`.
 */
export interface SecurityReportInvoker {
  /**
   * How the function is invoked: `api-route` (a REST API method integration),
   * `api-authorizer` (a Lambda authorizer), `event-source-mapping` (Lambda polls
   * a queue or stream), `sns-subscription`, `bucket-notification` (an S3 event
   * notification), `event-rule` (EventBridge rule or Scheduler schedule),
   * `state-machine-task` (a task state of a Step Functions state machine),
   * `custom-resource` (CloudFormation, through the custom resource's
   * `ServiceToken`), `function-url`, or `permission` (an `AWS::Lambda::Permission`
   * resource policy statement; API Gateway, SNS and EventBridge also add one).
   */
  readonly kind: string;
  /** The principal allowed to invoke: a service principal, an account, an ARN or `*`. */
  readonly principal: string;
  /**
   * What triggers the invocation: `GET /orders/{id} on <API path>` for routes,
   * the construct path of a queue, topic, rule or authorizer, the bucket and its
   * events for notifications (`Shop/Uploads (s3:ObjectCreated:*)`), `<state machine path> (state <name>)`
   * for tasks, a custom resource's path and type
   * (`Shop/Vpc/RestrictDefaultSecurityGroupCustomResource (Custom::VpcRestrictDefaultSG)`), `function URL (AWS_IAM)`,
   * or the rendered `SourceArn` of a permission (`*` when it has none).
   */
  readonly source: string;
  /**
   * `SourceAccount` of a permission.
   *
   * @default - absent when not set
   */
  readonly sourceAccount?: string;
  /**
   * The `SourceArn` of each `AWS::Lambda::Permission` that lets this route,
   * subscription, rule, bucket or authorizer invoke the function (API Gateway,
   * SNS, EventBridge and S3 need one), rendered: listed here rather than as
   * invokers of their own; for a function URL, whose permission names no
   * source, its action (`lambda:InvokeFunctionUrl`). A permission that matches
   * no such invoker is an invoker of kind `permission`.
   *
   * @default - absent when no permission is folded in
   */
  readonly permissions?: string[];
}

/**
 * `functions[].network`.
 */
export interface SecurityReportNetwork {
  /** Whether the function runs in a VPC. */
  readonly inVpc: boolean;
  /**
   * The VPC (construct path, or rendered id of a VPC defined elsewhere).
   *
   * @default - absent outside a VPC
   */
  readonly vpc?: string;
  /** Its subnets. */
  readonly subnets: string[];
  /** Its security groups with their egress rules. */
  readonly securityGroups: SecurityReportSecurityGroup[];
  /**
   * The VPC endpoints it can reach: interface endpoints whose security group
   * admits one of the function's groups (or a CIDR) on 443 and that the
   * function's egress allows, and gateway endpoints of its VPC when its
   * egress allows HTTPS to their prefix lists or anywhere.
   */
  readonly reachableEndpoints: SecurityReportEndpoint[];
  /**
   * The AWS services the function's statements let its code call, and how the
   * function reaches each; one without a path is a `ServerlessSecurity-LambdaNetworkPath`
   * finding. Empty outside a VPC, where the function reaches every service directly.
   */
  readonly services: SecurityReportService[];
}

/**
 * One entry of `network.services`.
 */
export interface SecurityReportService {
  /** The endpoint service (`sqs`, `dynamodb`, `ecr.api`), or the IAM prefix of a service no VPC endpoint serves (`iam`, `*`). */
  readonly service: string;
  /** The actions of the function's statements that call it. */
  readonly actions: string[];
  /**
   * How the function reaches it: `interface endpoint`, `gateway endpoint`,
   * `outside the template` (a security group, subnet or endpoint the template
   * does not define, trusted as a path) or `internet`.
   *
   * @default - absent when nothing routes the call
   */
  readonly via?: string;
  /**
   * Construct path of the endpoint it goes through.
   *
   * @default - absent unless `via` is an endpoint of the template
   */
  readonly endpoint?: string;
}

/**
 * One entry of `network.securityGroups`.
 */
export interface SecurityReportSecurityGroup {
  /** Construct path, or rendered id of a group defined elsewhere (its rules are then unknown). */
  readonly path: string;
  /**
   * Whether the group allows all outbound traffic: a `-1` rule to `0.0.0.0/0`,
   * or no egress rule at all in the template (EC2's default rule, which
   * CloudFormation removes once the group has any egress rule).
   */
  readonly allowsAllOutbound: boolean;
  /** Egress rules, inline and `AWS::EC2::SecurityGroupEgress`, without CDK's "disallow all traffic" placeholder. */
  readonly egress: SecurityReportEgressRule[];
}

/**
 * One entry of `securityGroups[].egress`.
 */
export interface SecurityReportEgressRule {
  /** `tcp`, `udp`, `icmp` or `all`. */
  readonly protocol: string;
  /**
   * `443`, a range `1024-65535`, or `all`. A port the template gives as a
   * reference is read from the resource it names (the `Port` of a database for
   * its `Endpoint.Port`), else rendered (`<Db.Endpoint.Port>`).
   */
  readonly ports: string;
  /** A CIDR, a prefix list id, or the construct path of the destination security group (with the endpoint it guards). */
  readonly destination: string;
  /**
   * The rule's description.
   *
   * @default - absent when the rule has none
   */
  readonly description?: string;
  /**
   * What the rule is for, when the template tells more than its destination:
   * HTTPS to `0.0.0.0/0` from subnets without a route to the internet reaches
   * only the gateway endpoints (S3, DynamoDB) of the VPC, the path an
   * environment-agnostic stack takes because it cannot name their prefix lists.
   *
   * @default - absent when the destination says it all
   */
  readonly note?: string;
}

/**
 * One entry of `network.reachableEndpoints`.
 */
export interface SecurityReportEndpoint {
  /** The service, e.g. `sqs`, `secretsmanager`, `dynamodb`. */
  readonly service: string;
  /** `Interface` or `Gateway`. */
  readonly endpointType: string;
  /** Construct path of the endpoint. */
  readonly path: string;
}

/**
 * `functions[].encryption`.
 */
export interface SecurityReportEncryption {
  /**
   * The key encrypting environment variables (`KmsKeyArn`).
   *
   * @default - absent when Lambda's AWS-managed key is used
   */
  readonly environmentKey?: string;
}

/**
 * `functions[].logging`.
 */
export interface SecurityReportLogging {
  /** The log group: its construct path, or its name when the template does not define it (`/aws/lambda/<name>`). */
  readonly logGroup: string;
  /** Whether the template defines the log group; when not, Lambda creates it, unencrypted and never expiring. */
  readonly inTemplate: boolean;
  /**
   * Retention in days.
   *
   * @default - absent when the events never expire
   */
  readonly retentionDays?: number;
  /**
   * The key encrypting the log group.
   *
   * @default - absent when CloudWatch Logs' own encryption is used
   */
  readonly key?: string;
}

/**
 * `functions[].deadLetter`.
 */
export interface SecurityReportDeadLetter {
  /**
   * The dead-letter queue or topic (`DeadLetterConfig.TargetArn`).
   *
   * @default - absent when there is none
   */
  readonly target?: string;
  /**
   * The on-failure destination of asynchronous invocations (`AWS::Lambda::EventInvokeConfig`).
   *
   * @default - absent when there is none
   */
  readonly onFailure?: string;
  /**
   * Retries of a failed asynchronous invocation.
   *
   * @default - absent when not configured (Lambda retries twice)
   */
  readonly retryAttempts?: number;
}

/**
 * One entry of `functions[].alarms`.
 */
export interface SecurityReportAlarm {
  /** Construct path of the alarm. */
  readonly path: string;
  /** The metrics it watches, each `<Namespace>/<MetricName>`, e.g. `AWS/Lambda/Errors` (several for a metric-math alarm). */
  readonly metrics: string[];
  /** What the alarm notifies, rendered. */
  readonly actions: string[];
}

/**
 * One entry of `apis`: a REST API or an HTTP API.
 */
export interface SecurityReportApi {
  /** Construct path. */
  readonly path: string;
  /** Logical id in the template. */
  readonly logicalId: string;
  /** `REST` (`AWS::ApiGateway::RestApi`) or `HTTP` (`AWS::ApiGatewayV2::Api`). */
  readonly protocol: string;
  /** `REGIONAL`, `EDGE` or `PRIVATE` (`EDGE` when not set, as API Gateway does); `REGIONAL` for an HTTP API. */
  readonly endpointType: string;
  /** Its stages. */
  readonly stages: SecurityReportApiStage[];
  /** Its methods, by path then method. */
  readonly routes: SecurityReportRoute[];
}

/**
 * One entry of `apis[].stages`.
 */
export interface SecurityReportApiStage {
  /** The stage name. */
  readonly name: string;
  /**
   * The WAFv2 web ACL associated with the stage.
   *
   * @default - absent when no web ACL protects the stage
   */
  readonly webAcl?: string;
  /**
   * Throttling of every method of the stage (`MethodSettings` for `/*` `*`; an HTTP
   * API's `DefaultRouteSettings`).
   *
   * @default - absent when the stage sets none (the account limits apply)
   */
  readonly throttling?: SecurityReportThrottling;
  /** Whether X-Ray tracing is on. */
  readonly tracing: boolean;
  /**
   * The access log destination.
   *
   * @default - absent when access logging is off
   */
  readonly accessLogs?: string;
}

/**
 * Throttling limits.
 */
export interface SecurityReportThrottling {
  /**
   * Steady-state requests per second.
   *
   * @default - absent when not set
   */
  readonly rateLimit?: number;
  /**
   * Burst requests.
   *
   * @default - absent when not set
   */
  readonly burstLimit?: number;
}

/**
 * One entry of `apis[].routes`: an `AWS::ApiGateway::Method` or an `AWS::ApiGatewayV2::Route`.
 */
export interface SecurityReportRoute {
  /** HTTP method, e.g. `GET`, or `ANY`. */
  readonly method: string;
  /** Resource path, e.g. `/orders/{id}`. */
  readonly path: string;
  /** `AWS_IAM`, `COGNITO_USER_POOLS`, `JWT`, `CUSTOM` (a Lambda authorizer) or `NONE`. */
  readonly authorization: string;
  /**
   * The authorizer: its construct path and type (`TOKEN`, `REQUEST`, `COGNITO_USER_POOLS`, `JWT`),
   * e.g. `Shop/Api/Authorizer (COGNITO_USER_POOLS)`.
   *
   * @default - absent when the route uses none
   */
  readonly authorizer?: string;
  /**
   * The user pools whose tokens the authorizer accepts: construct paths, or for
   * a pool outside the template its rendered ARN or JWT issuer (any issuer of a
   * JWT authorizer that is not a Cognito pool is listed the same way).
   *
   * @default - absent for a route without a Cognito or JWT authorizer
   */
  readonly userPools?: string[];
  /**
   * The app clients whose tokens a JWT authorizer accepts (its audience):
   * construct paths of `AWS::Cognito::UserPoolClient`s, or rendered ids.
   * A Cognito authorizer of a REST API accepts the tokens of every client of its pools.
   *
   * @default - absent unless the authorizer is a JWT authorizer
   */
  readonly clients?: string[];
  /** Whether an API key is required. */
  readonly apiKeyRequired: boolean;
  /** The integration type: `AWS_PROXY`, `AWS`, `HTTP`, `HTTP_PROXY` or `MOCK`. */
  readonly integration: string;
  /**
   * The Lambda function that handles the route.
   *
   * @default - absent when the integration is not a function of this template
   */
  readonly handler?: string;
  /**
   * The effective throttling of the route in the API's first stage: its own
   * method setting, else the stage-wide one.
   *
   * @default - absent when neither is set
   */
  readonly throttling?: SecurityReportThrottling;
}

/**
 * One entry of `dataStores`: a table, queue, topic, secret or bucket.
 */
export interface SecurityReportDataStore {
  /** `table` (`AWS::DynamoDB::Table` or `GlobalTable`), `queue`, `topic`, `secret` or `bucket`. */
  readonly kind: string;
  /** Construct path. */
  readonly path: string;
  /** Logical id in the template. */
  readonly logicalId: string;
  /**
   * The key encrypting the data: a construct path, a rendered key ARN or alias,
   * or a description of the service's own encryption (`AWS owned key`,
   * `AWS managed key`, `SSE-SQS`, `SSE-S3`, `none`).
   */
  readonly key: string;
  /** The CloudFormation `DeletionPolicy`: `Delete` (the default), `Retain`, `RetainExceptOnCreate` or `Snapshot`. */
  readonly removalPolicy: string;
  /**
   * Tables: whether point-in-time recovery is on.
   *
   * @default - absent for other kinds
   */
  readonly pointInTimeRecovery?: boolean;
  /**
   * Tables: whether deletion protection is on.
   *
   * @default - absent for other kinds
   */
  readonly deletionProtection?: boolean;
  /**
   * Queues: how long messages are kept, in seconds.
   *
   * @default - absent for other kinds
   */
  readonly retentionSeconds?: number;
  /**
   * Queues: the dead-letter queue of the redrive policy.
   *
   * @default - absent when there is none
   */
  readonly deadLetterQueue?: string;
  /**
   * Secrets: the rotation schedule and function, e.g. `rate(30 days) by Shop/Rotator`
   * (`every 30 days` when the template gives a number of days).
   *
   * @default - absent when the secret does not rotate
   */
  readonly rotation?: string;
  /**
   * Buckets: whether versioning is on.
   *
   * @default - absent for other kinds
   */
  readonly versioning?: boolean;
  /**
   * Functions (construct paths) whose statements allow reading the data: items,
   * messages (receive), secret values, objects, or subscribing to a topic.
   * Metadata actions (`Describe*`) count as neither read nor write.
   */
  readonly readers: string[];
  /** Functions whose statements allow changing or deleting the data (`PutItem`, `SendMessage`, `Publish`, `PutSecretValue`, `PutObject`...). */
  readonly writers: string[];
}

/**
 * One entry of `keys`: a KMS key.
 */
export interface SecurityReportKey {
  /** Construct path. */
  readonly path: string;
  /** Logical id in the template. */
  readonly logicalId: string;
  /** Whether automatic rotation is on. */
  readonly rotation: boolean;
  /** The CloudFormation `DeletionPolicy`. */
  readonly removalPolicy: string;
  /** Its aliases. */
  readonly aliases: string[];
  /** The `Allow` statements of its key policy. */
  readonly allows: SecurityReportKeyGrant[];
  /** What it encrypts: data stores, log groups and function environments (construct paths). */
  readonly usedBy: string[];
}

/**
 * One entry of `keys[].allows`.
 */
export interface SecurityReportKeyGrant {
  /** The principals, rendered (`arn:<AWS::Partition>:iam::111111111111:root`, `logs.eu-west-1.<AWS::URLSuffix>`, `*`). */
  readonly principals: string[];
  /** The actions. */
  readonly actions: string[];
  /**
   * The condition.
   *
   * @default - absent when unconditional
   */
  readonly conditions?: { [operator: string]: any };
}

/**
 * One entry of `acknowledgements`: a finding acknowledged with a reason.
 */
export interface SecurityReportAcknowledgement {
  /** The rule id as acknowledged, e.g. `AwsSolutions-IAM5[Resource::*]` or `AwsSolutions::AwsSolutions-SQS3`. */
  readonly rule: string;
  /** Construct path the acknowledgement is recorded on (it also covers the construct's children). */
  readonly path: string;
  /** Why the finding is acceptable. */
  readonly reason: string;
  /** Who recorded it: `library`, `aws-cdk-lib` or `user`. */
  readonly by: AcknowledgementSource;
}

/**
 * One entry of `hardened`: a plain resource a hardening mixin changed in place.
 */
export interface SecurityReportHardening {
  /** Construct path of the resource. */
  readonly path: string;
  /** The mixin's class name, e.g. `FunctionHardening`. */
  readonly mixin: string;
  /** What it changed, in words, in the order it changed them. */
  readonly changes: string[];
}

/**
 * One entry of `waivers`: a default weakened by a typed value that carries a reason.
 */
export interface SecurityReportWaiver {
  /** The setting, e.g. `network` or `logRetention`. */
  readonly setting: string;
  /** What it was weakened to, e.g. `outsideVpc`. */
  readonly value: string;
  /** Why. */
  readonly reason: string;
  /** Construct path. */
  readonly path: string;
}

/**
 * One entry of `stateMachines`: a Step Functions state machine, what it runs and who starts it.
 */
export interface SecurityReportStateMachine {
  /** Construct path. */
  readonly path: string;
  /** Logical id in the template. */
  readonly logicalId: string;
  /** `STANDARD` or `EXPRESS`. */
  readonly type: string;
  /** Construct path (or rendered ARN) of its execution role. */
  readonly role: string;
  /** Log level: `ALL`, `ERROR`, `FATAL` or `OFF`. */
  readonly logLevel: string;
  /** Whether log events carry the input and output of each state. */
  readonly includeExecutionData: boolean;
  /**
   * The log group receiving its log events.
   *
   * @default - absent when it does not log
   */
  readonly logGroup?: string;
  /** Whether X-Ray tracing is on. */
  readonly tracing: boolean;
  /**
   * The customer-managed key encrypting its definition and execution history.
   *
   * @default - absent when an AWS-owned key encrypts them
   */
  readonly key?: string;
  /** Its task states, nested ones included, in definition order. */
  readonly tasks: SecurityReportTask[];
  /** The EventBridge rules and Scheduler schedules that start it (kind `event-rule`). */
  readonly invokers: SecurityReportInvoker[];
}

/**
 * One entry of `stateMachines[].tasks`.
 */
export interface SecurityReportTask {
  /** The state name. */
  readonly state: string;
  /** The service integration (`lambda:invoke`, `sqs:sendMessage`, ...) or the resource ARN the task calls. */
  readonly resource: string;
  /**
   * Construct path of the Lambda function the task invokes (through a version or alias too).
   *
   * @default - absent when the task invokes no function of the template
   */
  readonly function?: string;
}

/**
 * One entry of `userPools`: a Cognito user pool, how users join and sign in, and its app clients.
 */
export interface SecurityReportUserPool {
  /** Construct path. */
  readonly path: string;
  /** Logical id in the template. */
  readonly logicalId: string;
  /** Multi-factor authentication: `ON` (required), `OPTIONAL` or `OFF` (`MfaConfiguration`). */
  readonly mfa: string;
  /** The second factors offered (`EnabledMfas`): `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`. */
  readonly mfaMethods: string[];
  /** Who creates users: `administrators only` (`AllowAdminCreateUserOnly`) or `self-service` (anyone may sign up). */
  readonly signUp: string;
  /**
   * The shortest password accepted.
   *
   * @default - absent when the template sets no password policy (Cognito requires 8 characters)
   */
  readonly passwordMinLength?: number;
  /**
   * Threat protection (`UserPoolAddOns.AdvancedSecurityMode`): `ENFORCED`, `AUDIT` or `OFF`.
   *
   * @default - absent when not set (off)
   */
  readonly threatProtection?: string;
  /** Whether deletion protection is on. */
  readonly deletionProtection: boolean;
  /** The CloudFormation `DeletionPolicy`. */
  readonly removalPolicy: string;
  /** Its app clients (`AWS::Cognito::UserPoolClient` of the template). */
  readonly clients: SecurityReportUserPoolClient[];
}

/**
 * One entry of `userPools[].clients`: an app client and how it signs users in.
 */
export interface SecurityReportUserPoolClient {
  /** Construct path. */
  readonly path: string;
  /** Logical id in the template. */
  readonly logicalId: string;
  /** Whether the client has a secret (a confidential, server-side client). */
  readonly generateSecret: boolean;
  /** The authentication flows it allows (`ExplicitAuthFlows`), e.g. `ALLOW_USER_SRP_AUTH`. */
  readonly authFlows: string[];
  /** The OAuth flows it allows (`AllowedOAuthFlows`): `code`, `implicit`, `client_credentials`. */
  readonly oauthFlows: string[];
  /** The OAuth scopes it may request. */
  readonly oauthScopes: string[];
  /** Where the hosted sign-in may redirect to (`CallbackURLs`). */
  readonly callbackUrls: string[];
  /**
   * `ENABLED` when sign-in errors do not reveal whether a user exists, `LEGACY` when they do.
   *
   * @default - absent when not set (Cognito's default applies)
   */
  readonly preventUserExistenceErrors?: string;
}

/**
 * One entry of `openFindings`: an unacknowledged finding of a pack the report observed.
 */
export interface SecurityReportFinding {
  /** The finding id as the pack reports it, e.g. `AwsSolutions-IAM5[Resource::*]`; acknowledged with this id. */
  readonly rule: string;
  /** The pack (validation plugin) that reported it. */
  readonly pack: string;
  /** `error`, `warning`, `info` or `fatal`, as the pack reports it. */
  readonly severity: string;
  /** What is wrong, as the pack describes it. */
  readonly description: string;
  /**
   * Construct path of the resource (without a trailing `/Resource`).
   *
   * @default - absent when the pack names no resource
   */
  readonly path?: string;
  /**
   * Logical id of the resource in its template.
   *
   * @default - absent when the pack names no resource
   */
  readonly logicalId?: string;
}
