/**
 * Test-only clock skew: the chaos suite runs the analyzer with its wall clock shifted, to prove
 * that failover does not depend on the analyzer's and the executor's clocks agreeing (issue 11).
 * With BATON_FAULT_ANALYZER_CLOCK_OFFSET_MS=<integer ms> in its environment (negative allowed:
 * -30000 puts the analyzer 30 s behind every other host), the SnapshotAnalyzer's clock — analyzedAt,
 * the envelope's occurredAt, the change log's analyzed_at, the per-cluster memory's expiry — is the
 * system clock plus that offset; nothing else in the process is shifted (Kafka message
 * timestamps, log times, Redis TTLs). Unset or empty, it is inert; set, it is logged at warn; not
 * an integer, the analyzer refuses to start. Only the analyzer reads it, so an environment shared
 * by every service shifts the analyzer alone. Nothing in the configuration file can turn this on.
 */
import type { Logger } from '@baton/logging';

export const clockOffsetVariable = 'BATON_FAULT_ANALYZER_CLOCK_OFFSET_MS';

/** The shifted clock, or undefined (the system clock) when the variable is unset; throws when it is not an integer. */
export function faultClockFromEnv(env: NodeJS.ProcessEnv = process.env, logger?: Logger): (() => Date) | undefined {
  const raw = env[clockOffsetVariable];
  if (raw === undefined || raw === '') return undefined;
  const offsetMs = Number(raw);
  if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(offsetMs)) {
    throw new Error(`${clockOffsetVariable}=${raw} is not an integer number of milliseconds (tests only: the analyzer's clock offset)`);
  }
  logger?.warn({ offsetMs }, `${clockOffsetVariable} set (tests only): the analyzer's wall clock is shifted by ${offsetMs} ms`);
  return () => new Date(Date.now() + offsetMs);
}
