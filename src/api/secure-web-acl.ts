import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { SecurityBaseline } from '../baseline/security-baseline';
import { checkIntegerRange } from '../core/errors';
import { LogRetention } from '../core/log-retention';
import { checkPropKinds, kinds } from '../core/prop-types';

const SHARED_WEB_ACL = Symbol.for('cdk-secure-serverless.SecureWebAcl.shared');
/** AWS WAF only delivers logs to CloudWatch log groups whose names start with this. */
const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';
const MANAGED_RULE_GROUPS = [
  { name: 'AWSManagedRulesAmazonIpReputationList', metric: 'IpReputation' },
  { name: 'AWSManagedRulesCommonRuleSet', metric: 'CommonRuleSet' },
  { name: 'AWSManagedRulesKnownBadInputsRuleSet', metric: 'KnownBadInputs' },
];

/**
 * Properties of a SecureWebAcl.
 */
export interface SecureWebAclProps {
  /**
   * Requests one client IP address may send in any 5-minute window before the web ACL
   * blocks it, from 10 to 2,000,000,000. The count is per web ACL: a shared web ACL
   * counts a client's requests to all its APIs together.
   *
   * @default 2000
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html
   */
  readonly rateLimit?: number;

  /**
   * How long the WAF log group keeps events.
   *
   * @default - the baseline's retention, at least one year
   */
  readonly logRetention?: LogRetention;

  /**
   * The baseline providing the log key and retention.
   *
   * @default SecurityBaseline.of(this)
   */
  readonly baseline?: SecurityBaseline;
}

/**
 * A regional AWS WAF web ACL for REST API stages, one of which may protect
 * several APIs (each API pays only for its association).
 *
 * - AWS managed rule groups: Amazon IP reputation list, core rule set (common
 *   exploits, oversized bodies of more than 8 KB included) and known bad inputs;
 * - a rate-based rule that blocks a client IP address sending more than
 *   `rateLimit` requests in 5 minutes;
 * - CloudWatch metrics and sampled requests for every rule;
 * - logging to an `aws-waf-logs-` log group encrypted with the baseline key and
 *   retained, with the `Authorization` and `Cookie` headers redacted.
 */
export class SecureWebAcl extends Construct {
  /**
   * The web ACL SecureApis of the stack share by default, created under the stack's
   * baseline on first use.
   */
  public static of(scope: IConstruct): SecureWebAcl {
    const baseline = SecurityBaseline.of(scope);
    const found = (baseline as any)[SHARED_WEB_ACL] as SecureWebAcl | undefined;
    if (found) return found;
    const created = new SecureWebAcl(baseline, 'WebAcl', { baseline });
    (baseline as any)[SHARED_WEB_ACL] = created;
    return created;
  }

  /** The ARN of the web ACL. */
  public readonly webAclArn: string;
  /** The log group receiving the web ACL's logs. */
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: SecureWebAclProps = {}) {
    super(scope, id);
    checkPropKinds(this.node.path, props, {
      logRetention: kinds.instance(LogRetention, 'a LogRetention, e.g. LogRetention.days(RetentionDays.TWO_YEARS)'),
      baseline: kinds.instance(SecurityBaseline, 'a SecurityBaseline'),
    });
    checkIntegerRange(this, 'rateLimit', props.rateLimit, 10, 2_000_000_000, 'requests per 5 minutes');
    const baseline = props.baseline ?? SecurityBaseline.of(this);
    const metricPrefix = Names.uniqueResourceName(this, { maxLength: 200, separator: '-' });

    const webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      scope: 'REGIONAL',
      description: `Protects the REST API stages associated with ${this.node.path}`,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(metricPrefix),
      rules: [
        managedRule(0, MANAGED_RULE_GROUPS[0], metricPrefix),
        {
          name: 'RateLimitPerIp',
          priority: 1,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.rateLimit ?? 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility(`${metricPrefix}-RateLimitPerIp`),
        },
        managedRule(2, MANAGED_RULE_GROUPS[1], metricPrefix),
        managedRule(3, MANAGED_RULE_GROUPS[2], metricPrefix),
      ],
    });
    this.webAclArn = webAcl.attrArn;

    const logGroupName = `${WAF_LOG_GROUP_PREFIX}${Names.uniqueResourceName(this, { maxLength: 240, separator: '-' })}`;
    const logGroup = baseline.createLogGroup(this, 'LogGroup', `AWS WAF logs of ${this.node.path}`, props.logRetention);
    (logGroup.node.defaultChild as logs.CfnLogGroup).logGroupName = logGroupName;
    this.logGroup = logGroup;

    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: webAcl.attrArn,
      // AWS WAF takes the log group ARN without the `:*` suffix of `logGroupArn`.
      logDestinationConfigs: [Stack.of(this).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    logging.node.addDependency(logGroup);
  }

  /**
   * Associates the web ACL with a REST API stage (or another regional resource).
   *
   * @internal
   */
  public _associate(scope: Construct, id: string, resourceArn: string): wafv2.CfnWebACLAssociation {
    return new wafv2.CfnWebACLAssociation(scope, id, { resourceArn, webAclArn: this.webAclArn });
  }
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

function managedRule(priority: number, group: { name: string; metric: string }, metricPrefix: string): wafv2.CfnWebACL.RuleProperty {
  return {
    name: group.name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group.name } },
    visibilityConfig: visibility(`${metricPrefix}-${group.metric}`),
  };
}
