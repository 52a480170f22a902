export * from './create-http-app';
export * from './http-error.filter';
export * from './order-response';
export * from './request-context';
