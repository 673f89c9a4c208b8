import * as path from 'path';
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { PROOF_PREFIX, PROOF_SUFFIX } from './src/order';
import {
  ApiAuthorization, Guardrails, SecretRotationChoice, SecureApi, SecureBucket, SecureNodejsFunction, SecureQueue, SecureSchedule,
  SecureScheduleTarget, SecureSecret, SecureTable,
} from 'cdk-secure-serverless';

const handlers = path.join(__dirname, 'src');

/**
 * The orders service: partners create orders through an IAM-signed API, customers
 * read them through Cognito, a worker pays them from a queue with a partner key
 * kept in Secrets Manager. Partners paying by bank transfer upload the proof to a
 * bucket, whose notifications queue the order for the worker; a nightly job
 * checks that the partner key was rotated within 90 days.
 */
export class OrdersService extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);

    const orders = new SecureTable(this, 'Orders', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    const payments = new SecureQueue(this, 'Payments');
    const paymentKey = new SecureSecret(this, 'PaymentApiKey', {
      description: 'API key issued by the payment provider',
      rotation: SecretRotationChoice.waiver('issued by the payment provider, which offers no rotation API; rotated by hand every 90 days'),
    });

    const createOrder = new SecureNodejsFunction(this, 'CreateOrder', {
      entry: path.join(handlers, 'create-order.ts'),
      environment: { TABLE_NAME: orders.tableName, QUEUE_URL: payments.queueUrl },
    });
    orders.grants.writeItems(createOrder);
    payments.grantSendMessages(createOrder);

    const getOrder = new SecureNodejsFunction(this, 'GetOrder', {
      entry: path.join(handlers, 'get-order.ts'),
      environment: { TABLE_NAME: orders.tableName },
    });
    orders.grants.readItems(getOrder);

    const processOrder = new SecureNodejsFunction(this, 'ProcessOrder', {
      entry: path.join(handlers, 'process-order.ts'),
      timeout: Duration.seconds(10),
      environment: { TABLE_NAME: orders.tableName },
      secrets: { PAYMENT_API_KEY_SECRET_ARN: paymentKey },
    });
    orders.grants.writeItems(processOrder);
    payments.addConsumer(processOrder);

    // A proof of payment uploaded as proofs/<order id>.pdf queues that order for the worker.
    const uploads = new SecureBucket(this, 'Uploads');
    uploads.notifyQueue(payments, { prefix: PROOF_PREFIX, suffix: PROOF_SUFFIX });

    const checkPaymentKey = new SecureNodejsFunction(this, 'CheckPaymentKey', {
      entry: path.join(handlers, 'check-payment-key.ts'),
      secrets: { PAYMENT_API_KEY_SECRET_ARN: paymentKey },
    });
    new SecureSchedule(this, 'Nightly', {
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      target: SecureScheduleTarget.function(checkPaymentKey),
    });

    const customers = new cognito.UserPool(this, 'Customers', {
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      selfSignUpEnabled: false,
    });

    const api = new SecureApi(this, 'Api'); // IAM by default
    api.addRoute('POST', '/orders', createOrder, {
      requestSchema: {
        type: apigateway.JsonSchemaType.OBJECT,
        required: ['id', 'customerId', 'items'],
        properties: {
          id: { type: apigateway.JsonSchemaType.STRING },
          customerId: { type: apigateway.JsonSchemaType.STRING },
          items: { type: apigateway.JsonSchemaType.ARRAY },
        },
      },
    });
    api.addRoute('GET', '/orders/{id}', getOrder, { authorization: ApiAuthorization.cognito(customers) });
  }
}

/** The app as `cdk synth` runs it: guardrails first, then the stacks. */
export function buildApp(app: App = new App()): App {
  Guardrails.enforce(app);
  new OrdersService(app, 'OrdersService', { env: { account: '111111111111', region: 'eu-west-1' } });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
