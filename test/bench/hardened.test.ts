process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { hardenedUnits } from '../../bench/hardened';
import { ComplianceProfile } from '../../src/core/profile';
import { evaluateApps, failuresOf } from '../callpaths/evaluate';
import { findingsFor, formatFindings } from '../compliance/harness';
import { PROFILES } from '../compliance/runners';

/**
 * The bench compares our constructs with a twin hardened by hand in plain
 * aws-cdk-lib; the comparison is honest only if that twin passes the same
 * checks: our pack, the cdk-nag packs of the profile and the Control Tower rules,
 * and only if it works where it runs: every call its wiring makes is allowed,
 * and refused from another account or without TLS, as for our constructs.
 */
describe.each(PROFILES)('the hand-hardened bench twin, one unit, %s profile', profile => {
  const app = new App();
  const stack = new Stack(app, 'Hardened', { env: { account: '111111111111', region: 'eu-west-1' } });
  hardenedUnits(stack, 1, lambda.Code.fromInline('exports.handler = async () => 1'), profile === ComplianceProfile.REGULATED);

  test('has no unacknowledged finding', () => {
    const [findings] = findingsFor([app], { profile });
    expect(formatFindings(findings)).toEqual(formatFindings([]));
  }, 300_000);

  test('works when deployed: every modeled call is allowed, and refused from elsewhere', async () => {
    const outcomes = await evaluateApps([app]);
    expect(outcomes.length).toBeGreaterThan(10);
    expect(failuresOf(outcomes)).toEqual([]);
  }, 300_000);
});
