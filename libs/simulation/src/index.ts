export * from './http-client';
export * from './random';
export * from './report';
export * from './simulation';
export * from './source-addresses';
export * from './stats';
