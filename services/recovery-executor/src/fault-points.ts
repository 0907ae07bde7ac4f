/**
 * Test-only fault points: the chaos suite kills an executor at an exact step boundary of a
 * recovery, to prove that the next executor finishes that recovery. With
 * BATON_FAULT_EXIT_AT=<point> in its environment, the process SIGKILLs itself the moment a recovery
 * reaches that point (after writing one line to stderr); unset, every call is a no-op. Nothing in
 * the configuration file can turn this on.
 */
import { writeSync } from 'node:fs';

export const faultPoints = [
  'after-claim', // the epoch is claimed and the recoveries row written; nothing touched
  'after-drain', // the replicas are stopped and drained (the old primary's fence in flight)
  'after-fence', // the old primary's fence is settled; nothing promoted
  'after-reset-replica', // RESET SLAVE ALL ran on the candidate; it is still read-only
  'after-read-only-off', // the candidate is writable; no replica moved yet
  'after-first-move', // one replica moved under the new primary, the others maybe not
] as const;

export type FaultPoint = (typeof faultPoints)[number];

export type Fault = (point: FaultPoint) => void;

export function faultFromEnv(env: NodeJS.ProcessEnv = process.env): Fault {
  const wanted = env['BATON_FAULT_EXIT_AT'];
  if (!wanted) return () => undefined;
  if (!(faultPoints as readonly string[]).includes(wanted)) throw new Error(`BATON_FAULT_EXIT_AT=${wanted} is not a fault point (${faultPoints.join(', ')})`);
  return (point) => {
    if (point !== wanted) return;
    writeSync(2, `fault point ${point} reached: SIGKILL of pid ${process.pid}\n`);
    process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * Test-only fault actions, with BATON_FAULT_ACTION=<action>: a real change made to a server at one
 * point of a recovery, once per process.
 *   promote-extra-connection  right after promote cleared the candidate's replication connections
 *                             and before it verifies that none is left, a named MariaDB connection
 *                             (`CHANGE MASTER 'baton_fault' TO ...`, never started) is added on the
 *                             candidate — as a concurrent operator or tool could — so the
 *                             verification fails for real on the first candidate only.
 */
export type FaultAction = (action: 'promote-extra-connection', target: { host: string; port: number; user: string; password: string }) => Promise<void>;

export function faultActionFromEnv(env: NodeJS.ProcessEnv = process.env): FaultAction | null {
  const wanted = env['BATON_FAULT_ACTION'];
  if (!wanted) return null;
  if (wanted !== 'promote-extra-connection') throw new Error(`BATON_FAULT_ACTION=${wanted} is not a fault action (promote-extra-connection)`);
  let done = false;
  return async (action, target) => {
    if (action !== wanted || done) return;
    done = true;
    writeSync(2, `fault action ${action} on ${target.host}:${target.port}\n`);
    const { connectInstance } = await import('@baton/mysql');
    const conn = await connectInstance({ ...target, connectTimeoutMs: 2000, queryTimeoutMs: 2000 });
    try {
      await conn.exec("CHANGE MASTER 'baton_fault' TO MASTER_HOST = '127.0.0.1', MASTER_PORT = 9, MASTER_USER = 'baton_fault', MASTER_PASSWORD = 'baton_fault'");
    } finally {
      await conn.close();
    }
  };
}
