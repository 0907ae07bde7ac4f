/**
 * Liveness stamps for container healthchecks (scripts/healthcheck.mjs reads them). One file per
 * process, under a directory per deployment: `<dir>/<deployment>/<service>-<pid>.alive`, so
 * neither another deployment's service nor another process of the same service can keep a frozen
 * process's check green. The stamp is written from the event loop: a process whose loop is stuck
 * (or that is stopped with SIGSTOP) stops stamping, and its check fails once the stamp is older
 * than the check's limit.
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

/**
 * Writes `{ service, deployment, pid, stampedAt }` to this process's heartbeat file every
 * `everyMs`; the returned function stops stamping and removes the file (a clean stop is not a
 * frozen process).
 */
export function startHeartbeat(service: string, deployment?: string, everyMs = 2000): () => void {
  const file = heartbeatFile(service, deployment);
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true });
  removeLeftovers(dir, service);
  // written aside and renamed: a check never reads a half-written stamp
  const stamp = (): void => {
    writeFileSync(`${file}.tmp`, JSON.stringify({ service, deployment: heartbeatDeployment(deployment), pid: process.pid, stampedAt: Date.now() }));
    renameSync(`${file}.tmp`, file);
  };
  stamp();
  const timer = setInterval(stamp, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    rmSync(file, { force: true });
  };
}
