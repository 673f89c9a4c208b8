import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { apiGatewaySameAccount, Decision, deployed, identityDecision, ModelRequest, resourceDecision } from './policy-evaluation';
import { ENV, handler, newApiStack } from './support';
import { ApiAuthorization } from '../../src/api/api-authorization';
import { SecureApi } from '../../src/api/secure-api';
import { asArray, logicalIdOf, statementsOf } from '../core/fixtures';

const API_ID = 'a1b2c3d4e5';
const ENDPOINT_ID = 'vpce-0a1b2c3d4e5f6a7b8';
const OTHER_ENDPOINT_ID = 'vpce-0ffffffffffffffff';

describe('a PRIVATE SecureApi, by policy evaluation', () => {
  // GIVEN two functions in the same VPC, both opened to the execute-api endpoint, and one granted the route
  const { stack } = newApiStack();
  const api = new SecureApi(stack, 'Api', { endpointType: apigateway.EndpointType.PRIVATE, cors: { allowOrigins: ['https://shop.example.com'] } });
  const orders = api.addRoute('GET', '/orders/{id}', handler(stack, 'Orders'));
  api.addRoute('GET', '/status', handler(stack, 'Status'), { authorization: ApiAuthorization.none('a health check for the load balancer') });
  const granted = handler(stack, 'Granted');
  const ungranted = handler(stack, 'Ungranted');
  for (const caller of [granted, ungranted]) caller.allowInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.APIGATEWAY);
  orders.grantExecute(granted);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;

  // The template as deployed: the API, its stage and the endpoint get ids.
  const names = { [logicalIdOf(api.restApi)]: API_ID, [logicalIdOf(api.stage)]: 'prod', [logicalIdOf(api.privateEndpoint as ec2.InterfaceVpcEndpoint)]: ENDPOINT_ID };
  const env = { ...ENV, apiId: API_ID };
  const resourcePolicy = deployed(resources[logicalIdOf(api.restApi)].Properties.Policy, names, env);
  const endpointPolicy = deployed(resources[logicalIdOf(api.privateEndpoint as ec2.InterfaceVpcEndpoint)].Properties.PolicyDocument, names, env);
  const identityPolicies = (roleId: string) => Object.entries<any>(resources)
    .filter(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy'
      && ((r.Properties.Roles ?? []).some((role: any) => role.Ref === roleId)
        || (resources[roleId].Properties.ManagedPolicyArns ?? []).some((arn: any) => arn.Ref === id)))
    .map(([, r]) => deployed(r.Properties.PolicyDocument, names, env));

  /** The request a function's role makes to `GET /orders/42` through the endpoint (or another one). */
  const request = (principal: string | undefined, route: string, endpoint = ENDPOINT_ID): ModelRequest => ({
    principal,
    action: 'execute-api:Invoke',
    resource: `arn:aws:execute-api:${ENV.region}:${ENV.account}:${API_ID}/prod/${route}`,
    account: ENV.account,
    context: {
      'aws:SourceVpce': endpoint,
      'aws:SecureTransport': 'true',
      'aws:ResourceAccount': ENV.account,
      ...principal ? { 'aws:PrincipalAccount': ENV.account, 'aws:PrincipalArn': principal } : {},
    },
  });

  /** API Gateway's decision (Table A), then the endpoint policy's gate. */
  async function decide(roleId: string | undefined, route: string, endpoint = ENDPOINT_ID): Promise<Decision> {
    const principal = roleId ? `arn:aws:iam::${ENV.account}:role/${roleId}` : undefined;
    const call = request(principal, route, endpoint);
    const identity = await identityDecision(call, roleId ? identityPolicies(roleId) : []);
    const byApiGateway = apiGatewaySameAccount(identity, await resourceDecision(call, resourcePolicy));
    if (byApiGateway !== 'Allowed') return byApiGateway;
    return resourceDecision(call, endpointPolicy);
  }

  test('the resource policy allows no principal "*" on a method authorized with IAM', () => {
    const allows = statementsOf(resourcePolicy).filter((s: any) => s.Effect === 'Allow');
    // Sorted: minimizePolicies merges the two statements into one.
    expect(allows.flatMap((s: any) => asArray(s.Resource)).sort()).toEqual([
      `arn:aws:execute-api:${ENV.region}:${ENV.account}:${API_ID}/prod/GET/status`,
      `arn:aws:execute-api:${ENV.region}:${ENV.account}:${API_ID}/prod/OPTIONS/*`,
    ]);
    expect(allows.every((s: any) => JSON.stringify(s.Principal) === JSON.stringify({ AWS: '*' }))).toBe(true);
  });

  test('the granted function is allowed, the ungranted one in the same VPC refused', async () => {
    expect(await decide(logicalIdOf(granted.role!), 'GET/orders/42')).toBe('Allowed');
    expect(await decide(logicalIdOf(ungranted.role!), 'GET/orders/42')).toBe('ImplicitlyDenied');
  });

  test('the granted function is refused through another endpoint, and on a route it was not granted', async () => {
    expect(await decide(logicalIdOf(granted.role!), 'GET/orders/42', OTHER_ENDPOINT_ID)).toBe('ExplicitlyDenied');
    expect(await decide(logicalIdOf(granted.role!), 'DELETE/orders/42')).toBe('ImplicitlyDenied');
  });

  test('a method that IAM does not authorize is open to callers without IAM credentials, through the endpoint only', async () => {
    expect(await decide(undefined, 'GET/status')).toBe('Allowed');
    expect(await decide(undefined, 'OPTIONS/orders/42')).toBe('Allowed');
    expect(await decide(undefined, 'GET/orders/42')).toBe('ImplicitlyDenied');
    expect(await decide(undefined, 'GET/status', OTHER_ENDPOINT_ID)).toBe('ExplicitlyDenied');
  });
});
