export * from './cli-arguments';
export * from './http-client';
export * from './open-files';
export * from './random';
export * from './report';
export * from './simulation';
export * from './source-addresses';
export * from './stats';
