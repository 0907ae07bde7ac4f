/**
 * @baton/domain — pure decision logic: GTID arithmetic and orchestrator's replication analysis.
 * No I/O, no clock reads (`now` is always an argument), no environment.
 */
export * from './gtid/index.ts';
export * from './analysis/index.ts';
export { toMillis } from './time.ts';
