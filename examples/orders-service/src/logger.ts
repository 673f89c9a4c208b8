import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs, one line per event, to the function's own log group. */
export const logger = new Logger({ serviceName: 'orders' });
