export * from './barista.module';
export { StaffTokens } from './staff/staff-tokens';
