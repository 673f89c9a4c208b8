/**
 * The id under which a failed AWS Control Tower proactive control is reported
 * and acknowledged, e.g. `ControlTower-CT.LAMBDA.PR.3`.
 *
 * Like cdk-nag's ids it is matched on the resource and its ancestors only.
 */
export function controlTowerFindingId(control: string): string {
  return `ControlTower-${control}`;
}

/** The pack name and id prefix of the library's own NagPack. */
export const SERVERLESS_SECURITY_PACK = 'ServerlessSecurity';
