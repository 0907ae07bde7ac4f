/**
 * The first half of a relocation by GTID, shared by the topology operations
 * (operations/run-operation.ts: relocate, relocate-replicas, move-up) and the dead-intermediate
 * recovery (steps/intermediate.ts); the repoint that follows is theirs.
 *
 * A MariaDB replica whose new source lacks its position stops with error 1236. So unless the target
 * is upstream of them (it has everything they got through it), the instances stop replicating
 * first (drained: IO thread stopped, relay log applied, so their positions stand still) and the
 * target applies what each holds, all within one bounded wait. One it cannot catch up with
 * replicates again from its old source and is not moved.
 */
import { instanceId, type InstanceKey } from '@baton/contracts';
import type { DrainResult, WaitResult } from '@baton/mysql';
import type { Each } from '../ports.ts';

export interface MovePorts {
  drain(instances: readonly InstanceKey[], timeoutMs: number, options?: { sourceUnresponsive?: boolean }): Promise<Array<Each<DrainResult>>>;
  waitForPosition(replicas: readonly InstanceKey[], position: string, timeoutMs: number): Promise<Array<Each<WaitResult>>>;
  restartReplication(instances: readonly InstanceKey[]): Promise<Array<Each<true>>>;
}

export interface MoveReadiness {
  /** May be repointed under the target now (in the order of the input, upstream ones first). */
  ready: InstanceKey[];
  /** Not to be moved, by `host:port`, with why (they replicate again from where they were). */
  failed: Map<string, string>;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function prepareMove(
  ports: MovePorts,
  instances: readonly InstanceKey[],
  below: InstanceKey,
  options: {
    /** `below` is upstream of this instance: no drain, no wait. */
    isUpstream: (instance: InstanceKey) => boolean;
    timeoutMs: number;
    /** Before the drain (the first change to a server). */
    guard: () => void | Promise<void>;
    /** Their current source does not answer (drain.ts stops a hung source's IO threads quickly). */
    sourceUnresponsive?: boolean;
    /** Restarting the replication of the instances not moved failed. */
    onRestartError?: (error: unknown, instances: readonly InstanceKey[]) => void;
  },
): Promise<MoveReadiness> {
  const ready: InstanceKey[] = instances.filter((x) => options.isUpstream(x));
  const failed = new Map<string, string>();
  const waiting = instances.filter((x) => !options.isUpstream(x));
  if (waiting.length === 0) return { ready, failed };
  const { timeoutMs } = options;
  await options.guard();
  const drained = options.sourceUnresponsive ? await ports.drain(waiting, timeoutMs, { sourceUnresponsive: true }) : await ports.drain(waiting, timeoutMs);
  const stopped: Array<{ x: InstanceKey; position: string }> = [];
  for (const [n, x] of waiting.entries()) {
    const d = drained[n];
    if (d?.ok && d.result.drained) stopped.push({ x, position: d.result.position });
    else failed.set(instanceId(x), `could not stop its replication with everything received applied: ${d ? (d.ok ? `relay log not applied (${d.result.waitOutcome})` : d.error) : 'no answer'}`);
  }
  const deadline = Date.now() + timeoutMs;
  const caughtUp = await Promise.all(
    stopped.map(async ({ x, position }) => {
      try {
        const [wait] = await ports.waitForPosition([below], position, Math.max(1, deadline - Date.now()));
        return wait?.ok && wait.result.outcome === 'reached' ? null : `${instanceId(below)} did not apply ${instanceId(x)}'s position ${position}: ${wait ? (wait.ok ? wait.result.outcome : wait.error) : 'no answer'}`;
      } catch (error) {
        return errorText(error);
      }
    }),
  );
  for (const [n, { x }] of stopped.entries()) {
    const why = caughtUp[n];
    if (why === null || why === undefined) ready.push(x);
    else failed.set(instanceId(x), why);
  }
  // every instance stopped here and not moved replicates again from where it was
  const notMoved = waiting.filter((x) => failed.has(instanceId(x)));
  if (notMoved.length > 0) {
    await ports
      .restartReplication(notMoved)
      .then((restarted) => {
        const refused = restarted.filter((r) => !r.ok);
        if (refused.length > 0) options.onRestartError?.(new Error(refused.map((r) => `${r.instance}: ${r.ok ? '' : r.error}`).join('; ')), notMoved);
      })
      .catch((error: unknown) => options.onRestartError?.(error, notMoved));
  }
  return { ready, failed };
}
