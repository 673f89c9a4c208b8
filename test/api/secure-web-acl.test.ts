process.env.CDK_VALIDATION = 'false';

import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ENV, handler, newApiStack } from './support';
import { SecureApi } from '../../src/api/secure-api';
import { SecureWebAcl } from '../../src/api/secure-web-acl';
import { SecureServerlessError } from '../../src/core/errors';
import { LogRetention } from '../../src/core/log-retention';
import { logicalIdOf, onlyResource, partitionArn, thrownBy } from '../core/fixtures';

describe('the web ACL of a SecureApi', () => {
  // GIVEN
  const { stack } = newApiStack();
  // WHEN
  const api = new SecureApi(stack, 'Api');
  api.addRoute('GET', '/', handler(stack, 'Fn'));
  const second = new SecureApi(stack, 'Second');
  second.addRoute('GET', '/', handler(stack, 'SecondFn'));
  const template = Template.fromStack(stack);
  const webAclId = logicalIdOf(api.webAcl.node.defaultChild as any);

  test('THEN it is regional, allows by default and runs the managed rule groups and a rate limit per IP', () => {
    const { resource } = onlyResource(template, 'AWS::WAFv2::WebACL');
    expect(resource.Properties.Scope).toBe('REGIONAL');
    expect(resource.Properties.DefaultAction).toEqual({ Allow: {} });
    expect(resource.Properties.Rules.map((r: any) => [r.Priority, r.Name, r.Statement])).toEqual([
      [0, 'AWSManagedRulesAmazonIpReputationList', { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' } }],
      [1, 'RateLimitPerIp', { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } }],
      [2, 'AWSManagedRulesCommonRuleSet', { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } }],
      [3, 'AWSManagedRulesKnownBadInputsRuleSet', { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } }],
    ]);
    expect(resource.Properties.Rules[1].Action).toEqual({ Block: {} });
    for (const rule of resource.Properties.Rules) {
      expect(rule.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
    }
  });

  test('THEN it logs to an encrypted, retained aws-waf-logs- log group, without credentials', () => {
    const group = template.toJSON().Resources[logicalIdOf(api.webAcl.logGroup)];
    expect(group.Properties.LogGroupName).toMatch(/^aws-waf-logs-S-SecurityBaseline-WebAcl-[0-9A-F]{8}$/);
    expect(group.Properties.KmsKeyId).toBeDefined();
    expect(group.Properties.RetentionInDays).toBe(365);
    expect(group.DeletionPolicy).toBe('Retain');
    const { resource: logging } = onlyResource(template, 'AWS::WAFv2::LoggingConfiguration');
    expect(logging.Properties.ResourceArn).toEqual({ 'Fn::GetAtt': [webAclId, 'Arn'] });
    expect(logging.Properties.LogDestinationConfigs).toEqual([partitionArn(`:logs:eu-west-1:111111111111:log-group:${group.Properties.LogGroupName}`)]);
    expect(logging.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }]);
    expect(logging.DependsOn).toEqual([logicalIdOf(api.webAcl.logGroup)]);
  });

  test('THEN a second API of the stack shares it and adds only an association', () => {
    expect(second.webAcl).toBe(api.webAcl);
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 2);
  });
});

describe('a SecureWebAcl shared by the APIs of two stacks', () => {
  // GIVEN
  const { app, stack: shared } = newApiStack();
  const webAcl = new SecureWebAcl(shared, 'Firewall', { rateLimit: 500, logRetention: LogRetention.days(logs.RetentionDays.TWO_YEARS) });
  const other = new Stack(app, 'Other', { env: ENV });
  // WHEN
  const api = new SecureApi(other, 'Api', { webAcl });
  api.addRoute('GET', '/', handler(other, 'Fn'));

  test('THEN the API stack only associates it', () => {
    const template = Template.fromStack(other);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    const { resource } = onlyResource(template, 'AWS::WAFv2::WebACLAssociation');
    // A strong reference is an export; a weak one (@aws-cdk/core:defaultCrossStackReferences "weak", in new projects) reads the output.
    const reference = JSON.stringify(resource.Properties.WebACLArn);
    expect(reference).toMatch(/"Fn::(ImportValue|GetStackOutput)"/);
    expect(reference).toContain('Firewall');
  });

  test('THEN its own settings apply', () => {
    const template = Template.fromStack(shared);
    const { resource } = onlyResource(template, 'AWS::WAFv2::WebACL');
    expect(resource.Properties.Rules[1].Statement.RateBasedStatement.Limit).toBe(500);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-S-Firewall-[0-9A-F]{8}$'), RetentionInDays: 731 });
  });
});

test('GIVEN a rate limit under 10 WHEN a SecureWebAcl is created THEN our error says what is allowed', () => {
  const { stack } = newApiStack();

  const error = thrownBy(() => new SecureWebAcl(stack, 'Firewall', { rateLimit: 5 }));

  expect(error).toBeInstanceOf(SecureServerlessError);
  expect(error.message).toBe('S/Firewall: invalid rateLimit: received 5; allowed: an integer from 10 to 2000000000 requests per 5 minutes');
});
