export * from './create-http-app';
export * from './http-error.filter';
export * from './order-response';
export * from './request-context';
export * from './api-docs';
export * from './health/health.module';
export * from './request-log';
