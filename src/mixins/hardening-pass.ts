import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { constructsUnder } from '../core/work-count';

/**
 * What the hardening mixins look up in a stack: its constructs of a type, and
 * those whose property refers to a given resource.
 *
 * Within one pass of `ServerlessHardening` over a scope, each stack is walked
 * once and each lookup key computed once, so that hardening grows linearly
 * with the app; outside a pass (a kind mixin applied on its own) every lookup
 * walks the stack as it is.
 *
 * A pass runs no code but the mixins', and they only ever add references to
 * resources they create themselves (their dead-letter queues, policies and log
 * groups), which no lookup asks about: what a pass found when it first looked
 * stays true to its end. Properties that the mixins do change are read when
 * asked (`referring` returns the constructs; callers read what they need).
 */
export class StackLookup {
  /** The stack's lookup in the current pass, or a fresh one outside a pass. */
  public static of(stack: Stack): StackLookup {
    if (!activePass) return new StackLookup(stack);
    let lookup = activePass.get(stack);
    if (!lookup) {
      lookup = new StackLookup(stack);
      activePass.set(stack, lookup);
    }
    return lookup;
  }

  private readonly constructs: IConstruct[];
  private readonly byType = new Map<Function, IConstruct[]>();
  private readonly byKey = new Map<string, Map<string, IConstruct[]>>();
  private dependents?: Map<IConstruct, CfnResource[]>;
  private positions?: Map<IConstruct, number>;

  private constructor(private readonly stack: Stack) {
    this.constructs = constructsUnder(stack);
  }

  /** The stack's resources that depend on `resource` itself (`addDependency` on the resource, not on its construct). */
  public dependentsOf(resource: CfnResource): CfnResource[] {
    if (!this.dependents) {
      this.dependents = new Map();
      for (const dependent of this.ofType(CfnResource)) {
        for (const dependency of dependent.obtainDependencies()) {
          const list = this.dependents.get(dependency) ?? [];
          list.push(dependent);
          this.dependents.set(dependency, list);
        }
      }
    }
    return this.dependents.get(resource) ?? [];
  }

  /** The stack's constructs of `type`. */
  public ofType<T extends IConstruct>(type: abstract new (...args: any[]) => T): T[] {
    let found = this.byType.get(type);
    if (!found) {
      found = this.constructs.filter((c) => c instanceof type);
      this.byType.set(type, found);
    }
    return found as T[];
  }

  /**
   * The stack's constructs of `type` whose `property`, resolved, is `target`
   * resolved (`match: 'equals'`), or mentions it (`match: 'mentions'`: a `Ref`
   * or `Fn::GetAtt` among its parts, such as one queue of a policy's list).
   *
   * @param name names the property, as the key of this lookup
   */
  public referring<T extends IConstruct>(
    type: abstract new (...args: any[]) => T, name: string, property: (construct: T) => unknown, target: unknown, match: 'equals' | 'mentions',
  ): T[] {
    const id = `${type.name}.${name}.${match}`;
    let index = this.byKey.get(id);
    if (!index) {
      index = new Map();
      for (const construct of this.ofType(type)) {
        const value = property(construct);
        if (value === undefined) continue;
        for (const key of keysOf(this.stack.resolve(value), match)) {
          const list = index.get(key) ?? [];
          list.push(construct);
          index.set(key, list);
        }
      }
      this.byKey.set(id, index);
    }
    return (index.get(JSON.stringify(this.stack.resolve(target))) ?? []) as T[];
  }

  /** Constructs of this stack in the order of the tree, as a walk of it would find them. */
  public inTreeOrder<T extends IConstruct>(constructs: readonly T[]): T[] {
    this.positions ??= new Map(this.constructs.map((construct, i) => [construct, i]));
    return [...new Set(constructs)].sort((a, b) => this.positions!.get(a)! - this.positions!.get(b)!);
  }
}

/** The current pass: one lookup per stack it touched. */
let activePass: Map<Stack, StackLookup> | undefined;

/** Runs `work` as one pass: lookups made inside it are shared until it ends. Passes do not nest: an inner one joins the outer. */
export function inHardeningPass(work: () => void): void {
  if (activePass) return work();
  activePass = new Map();
  try {
    work();
  } finally {
    activePass = undefined;
  }
}

/** The keys a resolved value is found under: its JSON, or the JSON of every reference in it. */
function keysOf(value: unknown, match: 'equals' | 'mentions'): string[] {
  if (match === 'equals') return [JSON.stringify(value)];
  const keys: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0] === 'Fn::GetAtt')) keys.push(JSON.stringify(v));
      else entries.forEach(([, inner]) => visit(inner));
    }
  };
  visit(value);
  return keys;
}
