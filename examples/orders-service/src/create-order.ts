import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logger } from './logger';
import { Order, orderKey, orderProblem } from './order';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});

/** POST /orders: stores a new order and queues it for payment. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  let body: unknown;
  try {
    body = JSON.parse(event.body ?? '');
  } catch {
    return reply(400, { message: 'the body must be JSON' });
  }
  const problem = orderProblem(body);
  if (problem) {
    logger.warn('rejected order', { problem });
    return reply(400, { message: problem });
  }
  const order: Order = { ...(body as Order), status: 'RECEIVED' };
  try {
    await documents.send(new PutCommand({
      TableName: process.env.TABLE_NAME,
      Item: { ...orderKey(order.id), ...order },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return reply(409, { message: 'order exists' });
    throw error;
  }
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify({ id: order.id }) }));
  logger.info('order received', { orderId: order.id });
  return reply(201, { id: order.id, status: order.status });
}

function reply(statusCode: number, body: object): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
