/**
 * A service process's own health, as its metrics server answers it on `GET /health/live` and
 * `GET /health/ready` (and as its heartbeat stamp's `ready` says). Both are made of named checks
 * the service registers; each returns null (or undefined) when fine and a reason when not:
 *
 *  - live: the process works at all — its event loop answers (the request itself) and its
 *    heartbeat stamps (runService registers that check);
 *  - ready: the service can do its work now — started, its consumers in their groups (not stopped,
 *    not crashed), the executor's warm-up over. Only the service's own state: the api's readiness
 *    is not that of the services behind it.
 *
 * A check that throws counts as failing, with the error as its reason.
 */

/** null or undefined when fine; otherwise why not. */
export type HealthCheck = () => string | null | undefined;

export interface CheckResult {
  ok: boolean;
  reason?: string;
}

export interface HealthReport {
  ok: boolean;
  service: string;
  /** Every failing check's reason, `name: reason`, joined by '; ' (absent when ok). */
  reason?: string;
  checks: Record<string, CheckResult>;
}

/** A readiness condition that holds once opened (start done, warm-up over) until closed again (shutdown). */
export interface HealthGate {
  open(): void;
  close(reason: string): void;
}

export interface ServiceHealth {
  readonly service: string;
  /** Adds (or replaces) a readiness check. */
  readiness(name: string, check: HealthCheck): void;
  /** Adds (or replaces) a liveness check. */
  liveness(name: string, check: HealthCheck): void;
  /** A readiness check that fails with `reason` until opened. */
  gate(name: string, reason: string): HealthGate;
  ready(): HealthReport;
  live(): HealthReport;
}

function evaluate(service: string, checks: ReadonlyMap<string, HealthCheck>): HealthReport {
  const results: Record<string, CheckResult> = {};
  const reasons: string[] = [];
  for (const [name, check] of checks) {
    let reason: string | null | undefined;
    try {
      reason = check();
    } catch (error) {
      reason = `check failed: ${(error as Error).message}`;
    }
    if (reason === null || reason === undefined) {
      results[name] = { ok: true };
    } else {
      results[name] = { ok: false, reason };
      reasons.push(`${name}: ${reason}`);
    }
  }
  return reasons.length === 0 ? { ok: true, service, checks: results } : { ok: false, service, reason: reasons.join('; '), checks: results };
}

export function createServiceHealth(service: string): ServiceHealth {
  const readiness = new Map<string, HealthCheck>();
  const liveness = new Map<string, HealthCheck>();
  return {
    service,
    readiness: (name, check) => void readiness.set(name, check),
    liveness: (name, check) => void liveness.set(name, check),
    gate(name, reason) {
      let why: string | null = reason;
      readiness.set(name, () => why);
      return {
        open: () => void (why = null),
        close: (r) => void (why = r),
      };
    },
    ready: () => evaluate(service, readiness),
    live: () => evaluate(service, liveness),
  };
}
