// The handlers' logger reads its level when the modules load.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as checkPaymentKey } from '../src/check-payment-key';
import { handler as createOrder } from '../src/create-order';
import { handler as getOrder } from '../src/get-order';
import { handler as processOrder, resetCache } from '../src/process-order';

const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);

const ORDER = { id: 'o-1', customerId: 'c-1', items: [{ sku: 'book', quantity: 2 }] };

function apiEvent(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return { body: null, pathParameters: null, ...overrides } as APIGatewayProxyEvent;
}

function sqsEvent(...bodies: string[]): SQSEvent {
  return { Records: bodies.map((body, i) => ({ body, messageId: `m-${i}` })) } as SQSEvent;
}

beforeAll(() => {
  process.env.TABLE_NAME = 'Orders';
  process.env.QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/orders';
  process.env.PAYMENT_API_KEY_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:payment';
});

beforeEach(() => {
  dynamo.reset();
  sqs.reset();
  secrets.reset();
  resetCache();
});

describe('create-order', () => {
  test('stores a valid order once and queues it', async () => {
    const result = await createOrder(apiEvent({ body: JSON.stringify(ORDER) }));

    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toEqual({ id: 'o-1', status: 'RECEIVED' });
    const put = dynamo.commandCalls(PutCommand)[0].args[0].input;
    expect(put).toMatchObject({ TableName: 'Orders', Item: { pk: 'ORDER#o-1', status: 'RECEIVED' }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input).toEqual({ QueueUrl: process.env.QUEUE_URL, MessageBody: '{"id":"o-1"}' });
  });

  test.each([
    ['not JSON', 'nope', 'the body must be JSON'],
    ['no items', JSON.stringify({ ...ORDER, items: [] }), 'items must be a non-empty list'],
    ['a bad quantity', JSON.stringify({ ...ORDER, items: [{ sku: 'x', quantity: 0 }] }), 'each item needs a sku and a positive whole quantity'],
    ['a bad id', JSON.stringify({ ...ORDER, id: 'a b' }), 'id must be 1 to 64 letters, digits or dashes'],
  ])('rejects %s with 400 and writes nothing', async (_label, body, message) => {
    const result = await createOrder(apiEvent({ body }));

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).message).toBe(message);
    expect(dynamo.calls()).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });

  test('answers 409 for an existing order and queues nothing', async () => {
    dynamo.on(PutCommand).rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));

    const result = await createOrder(apiEvent({ body: JSON.stringify(ORDER) }));

    expect(result.statusCode).toBe(409);
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('get-order', () => {
  test('returns the order without its key', async () => {
    dynamo.on(GetCommand, { TableName: 'Orders', Key: { pk: 'ORDER#o-1' } }).resolves({ Item: { pk: 'ORDER#o-1', ...ORDER, status: 'PAID' } });

    const result = await getOrder(apiEvent({ pathParameters: { id: 'o-1' } }));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ ...ORDER, status: 'PAID' });
  });

  test('answers 404 for an unknown order', async () => {
    dynamo.on(GetCommand).resolves({});

    expect((await getOrder(apiEvent({ pathParameters: { id: 'o-2' } }))).statusCode).toBe(404);
  });
});

describe('process-order', () => {
  test('marks each order paid and reads the secret once', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'key' });

    const result = await processOrder(sqsEvent('{"id":"o-1"}', '{"id":"o-2"}'));

    expect(result.batchItemFailures).toEqual([]);
    expect(dynamo.commandCalls(UpdateCommand).map(call => call.args[0].input.Key)).toEqual([{ pk: 'ORDER#o-1' }, { pk: 'ORDER#o-2' }]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test('reports only the records that failed', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'key' });
    dynamo.on(UpdateCommand, { Key: { pk: 'ORDER#o-2' } }).rejects(new Error('conditional check failed'));

    const result = await processOrder(sqsEvent('{"id":"o-1"}', '{"id":"o-2"}', 'not json'));

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
  });

  test('pays the order named by each uploaded proof, and skips S3\'s test event', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'key' });
    const uploaded = (...keys: string[]) => JSON.stringify({ Records: keys.map(key => ({ eventName: 'ObjectCreated:Put', s3: { object: { key } } })) });

    const result = await processOrder(sqsEvent(uploaded('proofs/o-3.pdf', 'proofs/o%2D4.pdf'), '{"Service":"Amazon S3","Event":"s3:TestEvent"}'));

    expect(result.batchItemFailures).toEqual([]);
    expect(dynamo.commandCalls(UpdateCommand).map(call => call.args[0].input.Key)).toEqual([{ pk: 'ORDER#o-3' }, { pk: 'ORDER#o-4' }]);
  });

  test('reports an upload that is not a proof of payment', async () => {
    const result = await processOrder(sqsEvent(JSON.stringify({ Records: [{ s3: { object: { key: 'other/o-1.txt' } } }] })));

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(dynamo.calls()).toHaveLength(0);
  });

  test('retries reading the secret after a failure', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'key' });

    const first = await processOrder(sqsEvent('{"id":"o-1"}'));
    const second = await processOrder(sqsEvent('{"id":"o-1"}'));

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(second.batchItemFailures).toEqual([]);
  });
});

describe('check-payment-key', () => {
  const DAY_MS = 24 * 60 * 60 * 1000;

  test('returns the age of a key rotated within 90 days', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'key', CreatedDate: new Date(Date.now() - 10 * DAY_MS) });

    expect(await checkPaymentKey()).toEqual({ ageDays: 10 });
  });

  test('fails, so that the function alarms, for a key older than 90 days', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'key', CreatedDate: new Date(Date.now() - 91 * DAY_MS) });

    await expect(checkPaymentKey()).rejects.toThrow('the payment API key is 91 days old; rotate it every 90 days');
  });
});
