import { asArray, CfnValue, isObject, renderText } from './cfn-values';

/** The statements of a resolved IAM policy document, always as a list. */
export function statementsOf(document: CfnValue): CfnValue[] {
  if (!isObject(document)) return [];
  return asArray(document.Statement).filter(isObject);
}

export function isAllow(statement: CfnValue): boolean {
  return statement.Effect === 'Allow';
}

export function isDeny(statement: CfnValue): boolean {
  return statement.Effect === 'Deny';
}

/** The literal action patterns of a list (tokens are skipped: they cannot be judged). */
export function literalActions(actions: CfnValue): string[] {
  return asArray(actions).filter((action): action is string => typeof action === 'string');
}

/** Whether an IAM action pattern (`kms:*`, `kms:Create*`) matches an action, case-insensitively as IAM does. */
export function actionPatternMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

/** Whether a statement's `Action` (or its `NotAction` complement) covers `action`. */
export function statementCoversAction(statement: CfnValue, action: string): boolean {
  if (statement.NotAction !== undefined) {
    return !literalActions(statement.NotAction).some((pattern) => actionPatternMatches(pattern, action));
  }
  return literalActions(statement.Action).some((pattern) => actionPatternMatches(pattern, action));
}

/**
 * The principals a statement names, rendered as text (`*`, an ARN, a service
 * principal). `NotPrincipal` with Allow means almost everyone: rendered `*`.
 */
export function principalsOf(statement: CfnValue): string[] {
  if (statement.NotPrincipal !== undefined) return ['*'];
  const principal = statement.Principal;
  if (principal === undefined) return [];
  if (!isObject(principal)) return asArray(principal).map(renderText);
  return Object.values(principal).flatMap((value) => asArray(value).map(renderText));
}

/**
 * Whether a statement's condition requires a `Bool` key to equal `expected`
 * (`true` and `"true"` are the same to IAM).
 */
export function hasBoolCondition(statement: CfnValue, key: string, expected: boolean, operators: readonly string[] = ['Bool']): boolean {
  const condition = statement.Condition;
  if (!isObject(condition)) return false;
  const wanted = key.toLowerCase();
  return operators.some((operator) => {
    const block = condition[operator];
    if (!isObject(block)) return false;
    const entry = Object.entries(block).find(([name]) => name.toLowerCase() === wanted);
    if (!entry) return false;
    const values = asArray(entry[1]);
    return values.length > 0 && values.every((value) => String(value).toLowerCase() === String(expected));
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}
