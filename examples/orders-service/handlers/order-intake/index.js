// Accepts an order and queues it for processing. Structured JSON logs go to the
// function's own log group.
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');

const sqs = new SQSClient({});

exports.handler = async (event) => {
  const order = typeof event.body === 'string' ? JSON.parse(event.body) : event;
  if (!order || typeof order.id !== 'string') {
    console.log(JSON.stringify({ level: 'WARN', message: 'rejected order without id' }));
    return { statusCode: 400, body: JSON.stringify({ message: 'order id required' }) };
  }
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(order) }));
  console.log(JSON.stringify({ level: 'INFO', message: 'order accepted', orderId: order.id }));
  return { statusCode: 202, body: JSON.stringify({ id: order.id }) };
};
