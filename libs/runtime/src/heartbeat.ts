import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a service writes its liveness stamp; scripts/healthcheck.mjs reads the same place. */
export function heartbeatFile(service: string, dir = process.env['BATON_HEALTH_DIR'] ?? join(tmpdir(), 'baton-health')): string {
  return join(dir, `${service}.alive`);
}

/**
 * Writes the current time to the service's heartbeat file every `everyMs`, from the event loop:
 * a process whose loop is stuck stops stamping and its container healthcheck fails.
 */
export function startHeartbeat(service: string, everyMs = 2000): () => void {
  const file = heartbeatFile(service);
  mkdirSync(join(file, '..'), { recursive: true });
  const stamp = (): void => writeFileSync(file, String(Date.now()));
  stamp();
  const timer = setInterval(stamp, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
