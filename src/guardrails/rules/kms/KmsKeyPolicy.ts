import { Token } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { CfnValue } from '../../cfn-values';
import {
  hasBoolCondition, isAllow, isDeny, literalActions, principalsOf, statementCoversAction, statementsOf,
} from '../../policy-document';
import { IndexedResource } from '../../resource-index';

const CREATE_GRANT = 'kms:CreateGrant';
const GRANT_IS_FOR_AWS_RESOURCE = 'kms:GrantIsForAWSResource';

/**
 * A KMS key policy gives full control only to the account root and lets
 * grants be created only for AWS services.
 *
 * Findings, one per principal: `AllActions::<principal>` for an Allow of
 * `kms:*` or `*` (or a `NotAction`) to anyone but this account's root
 * (`arn:<AWS::Partition>:iam::<AWS::AccountId>:root`, as CDK writes it, the
 * stack's literal account, or `<AWS::AccountId>`); `CreateGrant::<principal>`
 * for an Allow that covers `kms:CreateGrant` without a `Bool`
 * `kms:GrantIsForAWSResource: true` condition, unless the policy also has a
 * Deny of `kms:CreateGrant` with `Bool` or `BoolIfExists` `kms:GrantIsForAWSResource: false`
 * (which aws-cdk-lib never writes, and Control Tower's CT.KMS.PR.3 requires).
 */
export function KmsKeyPolicy(key: IndexedResource): NagRuleResult {
  const statements = statementsOf(key.properties.KeyPolicy);
  const grantsOnlyForAwsResources = statements.some((statement) => isDeny(statement)
    && statementCoversAction(statement, CREATE_GRANT)
    // BoolIfExists also denies when the key is absent: the form CT.KMS.PR.3 asks for.
    && hasBoolCondition(statement, GRANT_IS_FOR_AWS_RESOURCE, false, ['Bool', 'BoolIfExists']));
  const account = key.template.stack.account;
  const findings = new Set<string>();
  for (const statement of statements.filter(isAllow)) {
    const principals = principalsOf(statement);
    if (allowsAllActions(statement)) {
      for (const principal of principals) {
        if (!isAccountRoot(principal, account)) findings.add(`AllActions::${principal}`);
      }
    }
    if (!grantsOnlyForAwsResources && statementCoversAction(statement, CREATE_GRANT)
      && !hasBoolCondition(statement, GRANT_IS_FOR_AWS_RESOURCE, true)) {
      for (const principal of principals) findings.add(`CreateGrant::${principal}`);
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

function allowsAllActions(statement: CfnValue): boolean {
  return statement.NotAction !== undefined
    || literalActions(statement.Action).some((action) => action === '*' || action.toLowerCase() === 'kms:*');
}

function isAccountRoot(principal: string, account: string): boolean {
  const own = ['<AWS::AccountId>', ...(Token.isUnresolved(account) ? [] : [account])];
  const root = /^arn:(?:<AWS::Partition>|aws[a-z-]*):iam::(<AWS::AccountId>|[^:]+):root$/.exec(principal);
  return own.includes(root ? root[1] : principal);
}
