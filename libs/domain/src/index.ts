/**
 * @baton/domain — pure decision logic: GTID arithmetic, orchestrator's replication analysis, and
 * recovery decisions (recovery choice, cluster filters, candidate choice).
 * No I/O, no clock reads (`now` is always an argument), no environment.
 */
export * from './gtid/index.ts';
export * from './analysis/index.ts';
export * from './recovery/index.ts';
export * from './topology/index.ts';
export { toMillis } from './time.ts';
