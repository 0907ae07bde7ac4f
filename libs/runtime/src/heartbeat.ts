/**
 * Liveness stamps for container healthchecks (scripts/healthcheck.mjs reads them). One file per
 * process, under a directory per deployment: `<dir>/<deployment>/<service>-<pid>.alive`, so
 * neither another deployment's service nor another process of the same service can keep a frozen
 * process's check green. The stamp is written from the event loop: a process whose loop is stuck
 * (or that is stopped with SIGSTOP) stops stamping, and its check fails once the stamp is older
 * than the check's limit.
 *
 * Readiness rides on the same stamp: `ready` turns true once the service said it is ready (its
 * consumers joined their groups, its warm-up ended: RunningService.ready), so a healthcheck or the
 * sandbox can wait for ready, not merely started (`healthcheck.mjs --ready`). With `isReady`
 * (runService passes the process's readiness checks, the ones GET /health/ready answers) the flag
 * also goes back to false when the service stops being ready (a consumer stopped or crashed).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The directory of all heartbeat files (BATON_HEALTH_DIR, default <tmpdir>/baton-health). */
export const heartbeatRoot = (): string => process.env['BATON_HEALTH_DIR'] ?? join(tmpdir(), 'baton-health');

/** `_default` (no deployment name can start with `_`) stands for a deployment without a name. */
export const heartbeatDeployment = (deployment: string | undefined): string => (deployment ? deployment : '_default');

/** Where one process of `service` in `deployment` writes its stamp. */
export function heartbeatFile(service: string, deployment?: string, pid = process.pid, dir = heartbeatRoot()): string {
  return join(dir, heartbeatDeployment(deployment), `${service}-${pid}.alive`);
}

/** Files of processes of `service` that no longer run (killed with SIGKILL): a reused pid must not inherit them. */
function removeLeftovers(dir: string, service: string): void {
  const pattern = new RegExp(`^${service}-(\\d+)\\.alive$`);
  for (const name of readdirSync(dir)) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(dir, name), { force: true });
    }
  }
}

export interface Heartbeat {
  /** From now on every stamp says ready (written at once), as long as `isReady` agrees. */
  markReady(): void;
  /** When the last stamp was written (ms since the epoch); 0 once stopped. */
  lastStampAt(): number;
  /** Stops stamping and removes the file (a clean stop is not a frozen process). */
  stop(): void;
}

/** Writes `{ service, deployment, pid, stampedAt, ready }` to this process's heartbeat file every `everyMs`. */
export function startHeartbeat(service: string, deployment?: string, everyMs = 2000, isReady: () => boolean = () => true, root = heartbeatRoot()): Heartbeat {
  const file = heartbeatFile(service, deployment, process.pid, root);
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true });
  removeLeftovers(dir, service);
  // written aside and renamed: a check never reads a half-written stamp
  let ready = false;
  let stopped = false;
  let stampedAt = 0;
  const stamp = (): void => {
    if (stopped) return;
    const now = Date.now();
    writeFileSync(`${file}.tmp`, JSON.stringify({ service, deployment: heartbeatDeployment(deployment), pid: process.pid, stampedAt: now, ready: ready && isReady() }));
    renameSync(`${file}.tmp`, file);
    stampedAt = now;
  };
  stamp();
  const timer = setInterval(stamp, everyMs);
  timer.unref();
  return {
    markReady: () => {
      ready = true;
      stamp();
    },
    lastStampAt: () => stampedAt,
    stop: () => {
      stopped = true;
      stampedAt = 0;
      clearInterval(timer);
      rmSync(file, { force: true });
    },
  };
}
