import { NagRuleResult } from 'cdk-nag';
import { IndexedResource } from '../resource-index';

/**
 * A rule of the pack: a function, named like the rule, that judges one
 * resource as its template shows it. It reads other resources only through
 * `resource.template`, whose lookups take constant time.
 */
export type SecurityRule = (resource: IndexedResource) => NagRuleResult;
