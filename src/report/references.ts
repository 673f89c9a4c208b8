import { CfnValue, isObject, isPseudoParameter } from '../guardrails/cfn-values';

/**
 * The logical ids a resolved value refers to anywhere inside it: `Ref`,
 * `Fn::GetAtt` and `${Name}` / `${Name.Attribute}` of `Fn::Sub`, through
 * `Fn::Join` and the other intrinsics. Pseudo parameters are left out.
 */
export function referencedIds(value: CfnValue, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, found);
  } else if (isObject(value)) {
    if (typeof value.Ref === 'string') {
      if (!isPseudoParameter(value.Ref)) found.add(value.Ref);
    } else if (value['Fn::GetAtt'] !== undefined) {
      const getAtt = value['Fn::GetAtt'];
      const id = Array.isArray(getAtt) ? getAtt[0] : typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
      if (typeof id === 'string') found.add(id);
    } else if (value['Fn::Sub'] !== undefined) {
      const sub = value['Fn::Sub'];
      const [template, variables] = Array.isArray(sub) ? sub : [sub, {}];
      if (typeof template === 'string') {
        for (const match of template.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = match[1].split('.')[0];
          if (!isPseudoParameter(name) && !(isObject(variables) && name in variables)) found.add(name);
        }
      }
      if (isObject(variables)) referencedIds(Object.values(variables), found);
    } else {
      for (const item of Object.values(value)) referencedIds(item, found);
    }
  }
  return found;
}
