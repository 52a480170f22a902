export * from './barista.module';
export { StaffTokens } from './staff/staff-tokens';
export type { StreamReaderLimits } from './events/stream-readers';
