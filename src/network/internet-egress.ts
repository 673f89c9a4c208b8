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

  /**
   * The subnets of a given VPC route to the internet (through a NAT gateway, an
   * internet gateway, a transit gateway or a firewall the VPC's owner runs):
   * what a PrivateNetwork on `PRIVATE_WITH_EGRESS` or `PUBLIC` subnets, or on
   * subnets it cannot classify, must declare.
   *
   * Functions' security groups still allow only their VPC endpoints; a function
   * that must call the internet opens that itself, e.g.
   * `fn.connections.allowTo(ec2.Peer.ipv4('203.0.113.0/24'), ec2.Port.tcp(443))`.
   *
   * @param reason why the network may reach the internet; lands in the security report
   */
  public static viaExistingRoutes(reason: string): InternetEgress {
    return new InternetEgress(0, checkReason('InternetEgress.viaExistingRoutes', 'reason', reason), true);
  }

  /** Number of NAT gateways to create; 0 for none. */
  public readonly natGatewayCount: number;
  /** The reason for internet access, when there is any. */
  public readonly reason?: string;
  /** Whether the internet is reached through routes that exist in a given VPC, not through NAT gateways created here. */
  public readonly existingRoutes: boolean;

  private constructor(count: number, reason?: string, existingRoutes: boolean = false) {
    this.natGatewayCount = count;
    this.reason = reason;
    this.existingRoutes = existingRoutes;
  }
}
