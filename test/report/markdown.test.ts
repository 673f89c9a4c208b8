import { renderMarkdown } from '../../src/report/markdown';
import { SecurityReportApi, SecurityReportDocument, SecurityReportRoute } from '../../src/report/schema';

/** A report of one stack with one REST API and the given routes. */
function reportWithRoutes(routes: SecurityReportRoute[]): SecurityReportDocument {
  const api: SecurityReportApi = { path: 'Shop/Api', logicalId: 'Api', protocol: 'REST', endpointType: 'REGIONAL', stages: [], routes };
  return {
    schemaVersion: 2,
    generatedBy: 'cdk-secure-serverless',
    summary: {
      stacks: 1,
      functions: 0,
      functionsOutsideVpc: 0,
      deployTimeHelpers: 0,
      apis: 1,
      routes: routes.length,
      routesWithoutAuthorization: 0,
      dataStores: 0,
      keys: 0,
      userPools: 0,
      acknowledgements: 0,
      libraryAcknowledgements: 0,
      awsCdkLibAcknowledgements: 0,
      userAcknowledgements: 0,
      waivers: 0,
      hardenedResources: 0,
      findings: [],
    },
    stages: [{
      stage: '',
      stacks: [{
        path: 'Shop',
        stackName: 'Shop',
        templateFile: 'Shop.template.json',
        functions: [],
        apis: [api],
        stateMachines: [],
        dataStores: [],
        keys: [],
        userPools: [],
        openFindings: [],
        acknowledgements: [],
        waivers: [],
        hardened: [],
      }],
      acknowledgements: [],
      waivers: [],
      openFindings: [],
    }],
  };
}

const route = (authorization: string, authorizer: string): SecurityReportRoute =>
  ({ method: 'GET', path: '/orders', authorization, authorizer, apiKeyRequired: false, integration: 'AWS_PROXY' });

describe('the route table of security-report.md', () => {
  test('names a Cognito authorization once, then its authorizer', () => {
    const markdown = renderMarkdown(reportWithRoutes([route('COGNITO_USER_POOLS', 'Shop/Api/Customers (COGNITO_USER_POOLS)')]));
    expect(markdown).toContain('| GET | `/orders` | COGNITO_USER_POOLS `Shop/Api/Customers` | AWS_PROXY |');
  });

  test('keeps the type of a Lambda authorizer, which the authorization does not say', () => {
    const markdown = renderMarkdown(reportWithRoutes([route('CUSTOM', 'Shop/Api/Tokens (TOKEN)')]));
    expect(markdown).toContain('| GET | `/orders` | CUSTOM `Shop/Api/Tokens (TOKEN)` | AWS_PROXY |');
  });
});
