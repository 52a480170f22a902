export * from './create-http-app';
export * from './domain-exception.filter';
export * from './order-response';
export * from './request-context';
