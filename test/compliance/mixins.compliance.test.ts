import { App, Stack } from 'aws-cdk-lib';
import { expectKeyUseConditioned } from './key-conditions';
import { complianceMatrix } from './runners';
import { ENV, prefixListContext } from '../core/fixtures';
import { MIXIN_CASES } from '../mixins/cases';

/**
 * The core hardening mixins on plain resources, in one matrix: every case in
 * both profiles, the cdk-nag packs, the Control Tower guard rules and cfn-lint;
 * every use of the baseline key has a condition.
 */
describe('hardening mixins compliance', () => {
  expectKeyUseConditioned(complianceMatrix(Object.keys(MIXIN_CASES), (name, profile) => {
    const app = new App({ context: prefixListContext() });
    MIXIN_CASES[name](new Stack(app, 'S', { env: ENV }), profile);
    return app;
  }));
});
