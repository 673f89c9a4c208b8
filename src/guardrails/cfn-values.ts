/**
 * Helpers that read resolved CloudFormation values: literals, `Ref`,
 * `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` and the other intrinsics.
 */

/** A resolved CloudFormation value: a literal, an intrinsic object or an array of them. */
export type CfnValue = any;

/** Pseudo parameters (`AWS::Region`...) name no resource, so they never scope anything. */
export function isPseudoParameter(name: string): boolean {
  return name.startsWith('AWS::');
}

export function isObject(value: CfnValue): value is { [key: string]: CfnValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A single value or a list, as a list; `undefined` as an empty list. */
export function asArray(value: CfnValue): CfnValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The logical id a `Ref` or `Fn::GetAtt` points at; undefined for literals, pseudo parameters and other intrinsics. */
export function referencedLogicalId(value: CfnValue): string | undefined {
  return referenceOf(value)?.logicalId;
}

/** The logical id and attribute (`undefined` for a `Ref`) of a `Ref` or `Fn::GetAtt`. */
export function referenceOf(value: CfnValue): { logicalId: string; attribute?: string } | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string') {
    return isPseudoParameter(value.Ref) ? undefined : { logicalId: value.Ref };
  }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
    return { logicalId: getAtt[0], attribute: typeof getAtt[1] === 'string' ? getAtt[1] : undefined };
  }
  if (typeof getAtt === 'string') {
    const [logicalId, ...attribute] = getAtt.split('.');
    return { logicalId, attribute: attribute.join('.') || undefined };
  }
  return undefined;
}

/**
 * Every logical id a value refers to, the way CloudFormation orders resources:
 * `Ref`, `Fn::GetAtt` and `Fn::Sub` variables (`${Name}`, `${Name.Attr}`), at any
 * depth. Pseudo parameters, `${!Literal}` escapes and the `Fn::Sub` map's own
 * names are left out. Calls `found` once per reference.
 */
export function forEachReferencedLogicalId(value: CfnValue, found: (logicalId: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachReferencedLogicalId(item, found);
    return;
  }
  if (!isObject(value)) return;
  const reference = referenceOf(value);
  if (reference) {
    found(reference.logicalId);
    return;
  }
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const [template, variables] = Array.isArray(sub) ? sub : [sub, {}];
    const names = isObject(variables) ? variables : {};
    if (typeof template === 'string') {
      for (const match of template.matchAll(/\$\{(!?)([^}.]*)(\.[^}]*)?\}/g)) {
        if (match[1] === '' && !(match[2] in names) && !isPseudoParameter(match[2])) found(match[2]);
      }
    }
    forEachReferencedLogicalId(names, found);
    return;
  }
  for (const item of Object.values(value)) forEachReferencedLogicalId(item, found);
}

/** A value rendered as one string. */
export interface RenderedValue {
  /** The text, with each non-literal part replaced by a placeholder. */
  readonly text: string;
  /** Whether the value is a plain literal (no intrinsic at all). */
  readonly literal: boolean;
  /**
   * Whether the value refers to something other than a pseudo parameter: a
   * resource or parameter (`Ref`, `Fn::GetAtt`, `${Name}`) or an intrinsic we do
   * not evaluate (`Fn::ImportValue`, `Fn::If`...), which we treat the same way.
   */
  readonly referencesResource: boolean;
}

/**
 * How a non-literal part is written: cdk-nag's IAM5 form by default
 * (`<MyBucket.Arn>`, `<AWS::Partition>`), so finding ids read the same as theirs.
 */
export type Placeholder = (name: string) => string;

const ANGLE_BRACKETS: Placeholder = (name) => `<${name}>`;

/**
 * Renders a resolved value as text: `Fn::Join` and `Fn::Sub` are joined, and
 * each reference becomes a placeholder.
 */
export function renderValue(value: CfnValue, placeholder: Placeholder = ANGLE_BRACKETS): RenderedValue {
  const state = { literal: true, referencesResource: false };
  const text = render(value, placeholder, state);
  return { text, ...state };
}

/** Shorthand for `renderValue(value).text`. */
export function renderText(value: CfnValue): string {
  return renderValue(value).text;
}

interface RenderState {
  literal: boolean;
  referencesResource: boolean;
}

function render(value: CfnValue, placeholder: Placeholder, state: RenderState): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  state.literal = false;
  if (!isObject(value)) {
    state.referencesResource = true;
    return placeholder('?');
  }
  if (typeof value.Ref === 'string') {
    return renderName(value.Ref, placeholder, state);
  }
  const reference = referenceOf(value);
  if (reference) {
    state.referencesResource = true;
    return placeholder(reference.attribute ? `${reference.logicalId}.${reference.attribute}` : reference.logicalId);
  }
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part: CfnValue) => render(part, placeholder, state)).join(join[0]);
  }
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const [template, variables] = Array.isArray(sub) ? sub : [sub, {}];
    if (typeof template === 'string') return renderSub(template, isObject(variables) ? variables : {}, placeholder, state);
  }
  state.referencesResource = true;
  return placeholder(Object.keys(value)[0] ?? '?');
}

function renderName(name: string, placeholder: Placeholder, state: RenderState): string {
  if (!isPseudoParameter(name)) state.referencesResource = true;
  return placeholder(name);
}

function renderSub(template: string, variables: { [name: string]: CfnValue }, placeholder: Placeholder, state: RenderState): string {
  return template.replace(/\$\{(!?)([^}]*)\}/g, (_match, bang: string, name: string) => {
    if (bang) return `\${${name}}`;
    state.literal = false;
    if (name in variables) return render(variables[name], placeholder, state);
    return renderName(name, placeholder, state);
  });
}

/** A resolved number, also from a numeric string; undefined otherwise. */
export function numberValue(value: CfnValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** Whether a resolved value is `true` (CloudFormation also accepts the string `"true"`). */
export function isTrue(value: CfnValue): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** Whether a resolved value is `false` (or the string `"false"`). */
export function isFalse(value: CfnValue): boolean {
  return value === false || (typeof value === 'string' && value.toLowerCase() === 'false');
}

/** API Gateway method settings escape the path: `/~1orders~1{id}` is `/orders/{id}`; the root is `/~1` (or `/`, as CDK writes it). */
export function decodeResourcePath(resourcePath: CfnValue): string | undefined {
  if (typeof resourcePath !== 'string' || !resourcePath.startsWith('/')) return undefined;
  return resourcePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~') || '/';
}

/** Whether a security group rule covers TCP `port` (all traffic does; a port range we cannot read is taken to). */
export function coversTcpPort(rule: CfnValue, port: number): boolean {
  const protocol = String(rule.IpProtocol).toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  const from = numberValue(rule.FromPort);
  const to = numberValue(rule.ToPort);
  return from === undefined || to === undefined || from === -1 || (from <= port && port <= to);
}
