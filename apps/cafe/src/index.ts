// What a program that runs the café in its own process needs (apps/bench's in-process
// scenarios): the café's composition and its configuration, not the rest of this app.
export { type Cafe, type StartOptions, startCafe } from './cafe';
export { type CafeConfig, loadConfig } from './config';
