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
