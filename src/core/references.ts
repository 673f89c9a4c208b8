import { DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, Reference, StringConcat, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A value resolved in a scope, with the constructs its references point to. */
export interface ResolvedReferences {
  readonly value: unknown;
  /** The constructs referred to by `Ref` or `Fn::GetAtt`, whatever wraps them, in this stack or another. */
  readonly targets: ReadonlySet<IConstruct>;
}

/** Resolves `value` in `scope`, keeping the constructs its references point to. */
export function resolveWithReferences(scope: IConstruct, value: unknown): ResolvedReferences {
  const targets = new Set<IConstruct>();
  const resolved = Tokenization.resolve(value, { scope, resolver: new ReferenceCollector(targets) });
  return { value: resolved, targets };
}

/** Resolves as usual, keeping the target of every reference it meets (a resource's ARN refers to the resource, across stacks too). */
class ReferenceCollector extends DefaultTokenResolver {
  constructor(private readonly targets: Set<IConstruct>) {
    super(new StringConcat());
  }

  public resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
    if (Reference.isReference(token)) this.targets.add(token.target);
    return super.resolveToken(token, context, postProcessor);
  }
}
