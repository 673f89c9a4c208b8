process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { SecureTable } from '../../src/table/secure-table';
import { CODE, ENV, HANDLER } from '../core/fixtures';
import { codeBlocks, readmeSection } from '../readme';

/** The entries the README's offline section tells a user to write into cdk.context.json. */
const README_ENTRIES: { [key: string]: unknown } = JSON.parse(codeBlocks(readmeSection('### Synthesizing offline: the lookups'), 'json')[0]);

/** What the CLI puts in place of an answer it could not get: a lookup without credentials. */
const NO_CREDENTIALS = {
  [cxapi.PROVIDER_ERROR_KEY]: `Need to perform AWS calls for account ${ENV.account}, but no credentials have been configured`,
  $dontSaveContext: true,
};

/** An app whose function reads a table and a bucket, so that it uses both gateway services. */
function appWith(context: { [key: string]: unknown }): { app: App; stack: Stack } {
  const app = new App({ context });
  const stack = new Stack(app, 'S', { env: ENV });
  const handler = new SecureFunction(stack, 'Handler', { code: CODE, handler: HANDLER });
  new SecureTable(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }).grants.readItems(handler);
  new SecureBucket(stack, 'Bucket').grantRead(handler);
  return { app, stack };
}

describe('the lookups of a stack with a concrete env', () => {
  test('are the README\'s offline entries, no more and no fewer', () => {
    // GIVEN an app with no context WHEN it is synthesized
    const missing = appWith({}).app.synth().manifest.missing ?? [];

    // THEN what it asks the CLI to look up is exactly what the README says to write by hand
    expect(missing.map(entry => entry.key).sort()).toEqual(Object.keys(README_ENTRIES).sort());
  });

  test('with the README\'s entries, nothing is missing and the function reaches each gateway endpoint through its prefix list', () => {
    // GIVEN the README's entries as the app's context
    const { app, stack } = appWith(README_ENTRIES);

    // WHEN it is synthesized
    const assembly = app.synth();

    // THEN nothing is left to look up, and the function's egress names the README's prefix lists
    expect(assembly.manifest.missing).toBeUndefined();
    const egress = Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroup'))
      .flatMap((group: any) => group.Properties.SecurityGroupEgress ?? [])
      .map((rule: any) => rule.DestinationPrefixListId)
      .filter((id: unknown) => id !== undefined);
    expect(new Set(egress)).toEqual(new Set(['pl-6da54004', 'pl-6fa54006']));
  });

  test.each(Object.keys(README_ENTRIES))('a lookup the CLI could not make is an error naming the entry to write: %s', (key) => {
    // GIVEN every entry answered but this one, which the CLI could not look up without credentials
    const { app, stack } = appWith({ ...README_ENTRIES, [key]: NO_CREDENTIALS });

    // WHEN it is synthesized (a new project's flags make the synth itself fail on error annotations)
    try {
      app.synth();
    } catch {
      // the annotations below are what the synth reports either way
    }

    // THEN the network has one error of ours (beside aws-cdk-lib's), naming the exact entry with a value of the right shape
    const network = stack.node.findChild('SecurityBaseline').node.findChild('Network');
    const errors = network.node.metadata
      .filter(entry => entry.type === cxschema.ArtifactMetadataEntryType.ERROR && String(entry.data).includes('could not be looked up'));
    expect(errors).toHaveLength(1);
    const message = String(errors[0].data);
    expect(message).toContain(NO_CREDENTIALS[cxapi.PROVIDER_ERROR_KEY]);
    const written = message.match(/cdk\.context\.json yourself: (".*?"): (\[.*?\]), with /);
    expect(written).not.toBeNull();
    expect(JSON.parse(written![1])).toBe(key);
    const example = JSON.parse(written![2]);
    const readme = README_ENTRIES[key] as unknown[];
    expect(example).toHaveLength(readme.length);
    expect(Object.keys(example[0]).sort()).toEqual(Object.keys(readme[0] as object).sort());
  });

  test('an answer of the wrong shape is our error naming the entry', () => {
    // GIVEN the S3 prefix-list entry answered with two lists
    const s3 = Object.keys(README_ENTRIES).find(key => key.includes('.s3:'))!;

    const { app } = appWith({ ...README_ENTRIES, [s3]: [{ PrefixListId: 'pl-1' }, { PrefixListId: 'pl-2' }] });

    // THEN the synth, which opens the function's path to the S3 endpoint, fails with our error naming the entry and the allowed shape
    expect(() => app.synth())
      .toThrow(`invalid cdk.context.json entry ${JSON.stringify(s3)}: received [{"PrefixListId":"pl-1"},{"PrefixListId":"pl-2"}]; allowed: [{ "PrefixListId": "pl-..." }], the one prefix list named com.amazonaws.eu-west-1.s3`);
  });
});
