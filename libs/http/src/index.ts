export * from './create-http-app';
export * from './event-response';
export * from './http-error.filter';
export * from './order-response';
export * from './request-context';
export * from './server-sent-events';
