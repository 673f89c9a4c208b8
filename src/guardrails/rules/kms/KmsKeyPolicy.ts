import { Token } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, CfnValue, isObject, renderText, renderValue } from '../../cfn-values';
import {
  hasBoolCondition, isAllow, isDeny, literalActions, principalsOf, statementCoversAction, statementsOf,
} from '../../policy-document';
import { IndexedResource } from '../../resource-index';

const CREATE_GRANT = 'kms:CreateGrant';
const GRANT_IS_FOR_AWS_RESOURCE = 'kms:GrantIsForAWSResource';

/**
 * A KMS key policy gives full control only to the account root, lets grants be
 * created only for AWS services, and lets an AWS service use the key only for
 * a resource it names.
 *
 * Findings, one per principal: `AllActions::<principal>` for an Allow of
 * `kms:*` or `*` (or a `NotAction`) to anyone but this account's root
 * (`arn:<AWS::Partition>:iam::<AWS::AccountId>:root`, as CDK writes it, the
 * stack's literal account, or `<AWS::AccountId>`); `CreateGrant::<principal>`
 * for an Allow that covers `kms:CreateGrant` without a `Bool`
 * `kms:GrantIsForAWSResource: true` condition, unless the policy also has a
 * Deny of `kms:CreateGrant` with `Bool` or `BoolIfExists` `kms:GrantIsForAWSResource: false`
 * (which aws-cdk-lib never writes, and Control Tower's CT.KMS.PR.3 requires);
 * `ServiceUntied::<service>` for an Allow to a service principal whose
 * conditions tie it to no resource: no `kms:EncryptionContext:*` key, no
 * `kms:ViaService`, and no `aws:SourceArn` naming a resource (one that ends in
 * a wildcard, such as CloudFront's `distribution/*`, names none). Such a
 * statement lets the service use the key for anything of the account, such as
 * a distribution reading every bucket the key encrypts.
 */
export function KmsKeyPolicy(key: IndexedResource): NagRuleResult {
  const statements = statementsOf(key.properties.KeyPolicy);
  const context = keyPolicyContext(statements, key.template.stack.account);
  const findings = new Set(statements.flatMap((statement) => keyStatementFindings(statement, context)));
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

/** What the findings of one statement depend on besides the statement. */
export interface KeyPolicyContext {
  readonly grantsOnlyForAwsResources: boolean;
  readonly account: string;
}

/** The facts of a whole key policy that each statement is judged with. */
export function keyPolicyContext(statements: readonly CfnValue[], account: string): KeyPolicyContext {
  const grantsOnlyForAwsResources = statements.some((statement) => isDeny(statement)
    && statementCoversAction(statement, CREATE_GRANT)
    // BoolIfExists also denies when the key is absent: the form CT.KMS.PR.3 asks for.
    && hasBoolCondition(statement, GRANT_IS_FOR_AWS_RESOURCE, false, ['Bool', 'BoolIfExists']));
  return { grantsOnlyForAwsResources, account };
}

/** The findings (without the rule id) one key policy statement raises. */
export function keyStatementFindings(statement: CfnValue, context: KeyPolicyContext): string[] {
  if (!isAllow(statement)) return [];
  const findings: string[] = [];
  const principals = principalsOf(statement);
  if (allowsAllActions(statement)) {
    for (const principal of principals) {
      if (!isAccountRoot(principal, context.account)) findings.push(`AllActions::${principal}`);
    }
  }
  if (!context.grantsOnlyForAwsResources && statementCoversAction(statement, CREATE_GRANT)
    && !hasBoolCondition(statement, GRANT_IS_FOR_AWS_RESOURCE, true)) {
    for (const principal of principals) findings.push(`CreateGrant::${principal}`);
  }
  if (!tiedToResource(statement)) {
    for (const service of servicePrincipalsOf(statement)) findings.push(`ServiceUntied::${service}`);
  }
  return findings;
}

/** The service principals a statement names, rendered. */
function servicePrincipalsOf(statement: CfnValue): string[] {
  const principal = statement.Principal;
  return isObject(principal) ? asArray(principal.Service).map(renderText) : [];
}

/** Whether a condition ties the statement to the resource the key protects or the caller. */
function tiedToResource(statement: CfnValue): boolean {
  const condition = isObject(statement.Condition) ? statement.Condition : {};
  for (const block of Object.values(condition)) {
    if (!isObject(block)) continue;
    for (const [name, value] of Object.entries(block)) {
      const key = name.toLowerCase();
      if (key.startsWith('kms:encryptioncontext:') || key === 'kms:viaservice') return true;
      if (key === 'aws:sourcearn' && asArray(value).length > 0 && asArray(value).every(namesAResource)) return true;
    }
  }
  return false;
}

/** An ARN names a resource unless its resource part is missing or ends in a wildcard (`distribution/*`); a reference always does. */
function namesAResource(arn: CfnValue): boolean {
  const rendered = renderValue(arn);
  if (rendered.referencesResource) return true;
  const resourcePart = rendered.text.replace(/<[^<>]*>/g, 'x').split(':').slice(5).join(':');
  return resourcePart.length > 0 && !/[*?]/.test(resourcePart.split(/[/:]/).pop() ?? '*');
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
