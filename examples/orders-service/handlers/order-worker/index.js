// Processes queued orders and announces each one on the notifications topic.
// Reports failed records so only they are retried.
const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');

const sns = new SNSClient({});

exports.handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records ?? []) {
    try {
      const order = JSON.parse(record.body);
      await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: JSON.stringify({ type: 'OrderProcessed', id: order.id }) }));
      console.log(JSON.stringify({ level: 'INFO', message: 'order processed', orderId: order.id }));
    } catch (error) {
      console.log(JSON.stringify({ level: 'ERROR', message: 'order failed', messageId: record.messageId, error: String(error) }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
