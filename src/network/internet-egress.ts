import { checkIntegerRange, checkReason } from '../core/errors';

/**
 * Whether the private network can reach the internet.
 *
 * By default it cannot: functions reach AWS services through VPC endpoints only.
 */
export class InternetEgress {
  /** No internet gateway and no NAT gateway: isolated subnets only. The default. */
  public static none(): InternetEgress {
    return new InternetEgress(0);
  }

  /**
   * Public subnets with an internet gateway and `count` NAT gateways, for
   * functions that must call services with no VPC endpoint.
   *
   * @param reason why the functions need the internet; lands in the security report
   * @param count how many NAT gateways (one per availability zone is resilient, one is cheaper)
   */
  public static natGateways(reason: string, count: number = 1): InternetEgress {
    checkIntegerRange('InternetEgress.natGateways', 'count', count, 1, 6, 'NAT gateways');
    return new InternetEgress(count, checkReason('InternetEgress.natGateways', 'reason', reason));
  }

  /** Number of NAT gateways; 0 for none. */
  public readonly natGatewayCount: number;
  /** The reason for internet access, when there is any. */
  public readonly reason?: string;

  private constructor(count: number, reason?: string) {
    this.natGatewayCount = count;
    this.reason = reason;
  }
}
