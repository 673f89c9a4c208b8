import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logger } from './logger';
import { orderKey } from './order';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/** GET /orders/{id}: returns one order. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const id = event.pathParameters?.id;
  if (!id) return reply(400, { message: 'order id required' });
  const { Item } = await documents.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: orderKey(id) }));
  if (!Item) {
    logger.info('order not found', { orderId: id });
    return reply(404, { message: 'order not found' });
  }
  const { pk: _key, ...order } = Item;
  return reply(200, order);
}

function reply(statusCode: number, body: object): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
