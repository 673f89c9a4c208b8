/**
 * Actions that name no resource, by endpoint service: `secretsmanager:GetRandomPassword`,
 * which rotation functions call. The IAM guide does not say that `aws:ResourceAccount`
 * is in the request context of an action without a resource, so the endpoint lets
 * them through for this account's principals without it, once a function of the
 * network is allowed one.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceaccount
 */
export const RESOURCE_LESS_ACTIONS: Record<string, string[]> = {
  secretsmanager: ['secretsmanager:GetRandomPassword'],
};
