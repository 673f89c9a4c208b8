import { pushTo, ScannedResource, ScannedStack } from './app-scan';
import { SecurityReportUserPool, SecurityReportUserPoolClient } from './schema';
import { asArray, isTrue, numberValue, referencedLogicalId, renderText } from '../guardrails/cfn-values';

const USER_POOL = 'AWS::Cognito::UserPool';
const USER_POOL_CLIENT = 'AWS::Cognito::UserPoolClient';

/**
 * Every Cognito user pool of a template: its second factors, who may create
 * users, its password length and threat protection, and its app clients.
 */
export function describeUserPools(scan: ScannedStack): SecurityReportUserPool[] {
  const clientsByPool = new Map<string, ScannedResource[]>();
  for (const client of scan.resourcesOf(USER_POOL_CLIENT)) {
    const poolId = referencedLogicalId(client.properties.UserPoolId);
    if (poolId !== undefined) pushTo(clientsByPool, poolId, client);
  }
  return scan.resourcesOf(USER_POOL).map((pool) => {
    const props = pool.properties;
    const minLength = numberValue(props.Policies?.PasswordPolicy?.MinimumLength);
    const threatProtection = props.UserPoolAddOns?.AdvancedSecurityMode;
    return {
      path: pool.path,
      logicalId: pool.logicalId,
      mfa: renderText(props.MfaConfiguration ?? 'OFF'),
      mfaMethods: asArray(props.EnabledMfas).map(renderText),
      signUp: isTrue(props.AdminCreateUserConfig?.AllowAdminCreateUserOnly) ? 'administrators only' : 'self-service',
      ...minLength !== undefined ? { passwordMinLength: minLength } : {},
      ...threatProtection !== undefined ? { threatProtection: renderText(threatProtection) } : {},
      deletionProtection: props.DeletionProtection === 'ACTIVE',
      removalPolicy: pool.deletionPolicy,
      clients: (clientsByPool.get(pool.logicalId) ?? []).map(describeClient),
    };
  });
}

function describeClient(client: ScannedResource): SecurityReportUserPoolClient {
  const props = client.properties;
  return {
    path: client.path,
    logicalId: client.logicalId,
    generateSecret: isTrue(props.GenerateSecret),
    authFlows: asArray(props.ExplicitAuthFlows).map(renderText),
    oauthFlows: asArray(props.AllowedOAuthFlows).map(renderText),
    oauthScopes: asArray(props.AllowedOAuthScopes).map(renderText),
    callbackUrls: asArray(props.CallbackURLs).map(renderText),
    ...props.PreventUserExistenceErrors !== undefined ? { preventUserExistenceErrors: renderText(props.PreventUserExistenceErrors) } : {},
  };
}
