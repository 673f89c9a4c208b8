import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from './logger';
import { orderIdsOf, orderKey } from './order';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const secrets = new SecretsManagerClient({});
let apiKey: Promise<string> | undefined;

/** Reads the payment provider's key once per execution environment, by ARN. */
function paymentApiKey(): Promise<string> {
  apiKey ??= secrets.send(new GetSecretValueCommand({ SecretId: process.env.PAYMENT_API_KEY_SECRET_ARN }))
    .then(result => {
      if (!result.SecretString) throw new Error('the payment API key secret is empty');
      return result.SecretString;
    })
    .catch(error => {
      apiKey = undefined;
      throw error;
    });
  return apiKey;
}

/**
 * Marks each queued order paid (queued by the API, or by a proof of payment
 * uploaded to the uploads bucket); reports failed records so only they are retried.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      for (const id of orderIdsOf(record.body)) {
        await paymentApiKey();
        await documents.send(new UpdateCommand({
          TableName: process.env.TABLE_NAME,
          Key: orderKey(id),
          UpdateExpression: 'SET #status = :paid',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':paid': 'PAID' },
        }));
        logger.info('order paid', { orderId: id });
      }
    } catch (error) {
      logger.error('order failed', { messageId: record.messageId, error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/** Forgets the cached key; for tests. */
export function resetCache(): void {
  apiKey = undefined;
}
