export * from './serverless-security-checks';
