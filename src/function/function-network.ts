import { checkReason } from '../core/errors';
import { PrivateNetwork } from '../network/private-network';

/**
 * Where a function runs.
 *
 * By default in the private subnets of the stack's PrivateNetwork, reaching AWS
 * services only through VPC endpoints.
 */
export class FunctionNetwork {
  /**
   * In the private subnets of `network`, or of the stack's baseline network.
   *
   * @param network the network to use
   */
  public static privateNetwork(network?: PrivateNetwork): FunctionNetwork {
    return new FunctionNetwork(network);
  }

  /**
   * Outside any VPC, for a function that must call something no VPC endpoint
   * reaches and that cannot use a NAT gateway.
   *
   * The findings this causes (HIPAA/NIST/PCI LambdaInsideVPC and Control Tower
   * CT.LAMBDA.PR.3) are acknowledged on this function only, with `reason`, and the
   * waiver is listed in the security report.
   *
   * @param reason why the function cannot run in the private network
   */
  public static outsideVpc(reason: string): FunctionNetwork {
    return new FunctionNetwork(undefined, checkReason('FunctionNetwork.outsideVpc', 'reason', reason));
  }

  /** The network, when one was given. */
  public readonly network?: PrivateNetwork;
  /** The reason for running outside a VPC, when the function does. */
  public readonly outsideVpcReason?: string;

  private constructor(network?: PrivateNetwork, outsideVpcReason?: string) {
    this.network = network;
    this.outsideVpcReason = outsideVpcReason;
  }
}
