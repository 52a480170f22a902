export * from './client-address';
export * from './client-address.pipe';
export * from './create-http-app';
export * from './http-error.filter';
export * from './order-response';
export * from './request-context';
export * from './too-many-requests.exception';
