/**
 * An application client that follows the primary, the way an application behind a proxy would:
 * one connection as the ordinary application account (no admin privileges, so read_only stops
 * it), inserting (writer, seq) rows into `writes` in a loop. A seq whose INSERT returned OK is
 * acked (the client was told it is durable); one whose INSERT failed, timed out or lost its
 * connection is failed (outcome unknown: the row may or may not have committed). On any error it
 * drops the connection, probes every instance's @@global.read_only in parallel (short timeouts)
 * and reconnects to the writable one, probing again until there is one. After the scenario,
 * every acked seq must be on the final primary (`checkAckedWrites` with `readPresentSeqs`).
 *
 * When several instances are writable at once (a split brain) it stays on its current target if
 * that is one of them, else takes the first in `instances` order — and the checker will tell.
 */
import { randomBytes } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { sleep } from '../wait-for.ts';
import { testDatabase } from '../mariadb/types.ts';
import { closeConnection, connectTo, errorCode, errorText, type ChaosCredentials, type ChaosInstance } from './connect.ts';

export interface AppWriterOptions extends ChaosCredentials {
  instances: readonly ChaosInstance[];
  /** Default baton_test (the topology's test database). */
  database?: string;
  /** Stored in each row. Default app-<random>. */
  name?: string;
  /** Pause between inserts. Default 3 ms (a tight loop would starve a 2-core machine). */
  intervalMs?: number;
  /** Per-INSERT timeout. Default 2000 ms. */
  queryTimeoutMs?: number;
  /** Connect timeout of a probe and of a (re)connect. Default 300 ms. */
  connectTimeoutMs?: number;
  /** Pause before probing again when no instance is writable. Default 25 ms. */
  retryMs?: number;
  /** startAppWriter throws when no instance is writable for this long at the start. Default 5000 ms. */
  startTimeoutMs?: number;
  /** The clock of `switches[].atMs`. Default Date.now. */
  now?: () => number;
}

export interface AppWriterResult {
  writer: string;
  /** Seqs whose INSERT returned OK, ascending. */
  acked: number[];
  /** When each of `acked` returned OK (the writer's clock, `now`), in the same order: the gaps are what a client waited. */
  ackedAtMs: number[];
  /** Seqs whose INSERT failed or whose answer was lost: outcome unknown. */
  failed: number[];
  /** Distinct error codes seen (ER_OPTION_PREVENTS_STATEMENT for read_only, ECONNRESET, …). */
  errors: string[];
  /** Every (re)connect: when, and to which instance. */
  switches: Array<{ atMs: number; to: string }>;
}

export interface AppWriter {
  readonly name: string;
  readonly ackedCount: number;
  /** When each write so far was acknowledged (a live view, ascending). */
  readonly ackedAtMs: readonly number[];
  /** The instance it writes to now, or null while it looks for one. */
  readonly target: string | null;
  /** Stops the loop (an INSERT in flight is abandoned and counted as failed) and reports. */
  stop(): Promise<AppWriterResult>;
}

/**
 * Probes every instance's read_only in parallel as `creds` and returns the writable ones, in
 * `instances` order. An instance that does not answer within `timeoutMs` counts as not writable.
 */
export async function findWritable(instances: readonly ChaosInstance[], creds: ChaosCredentials, timeoutMs = 300): Promise<ChaosInstance[]> {
  return (await probeAll(instances, creds, timeoutMs)).writable;
}

async function probeAll(instances: readonly ChaosInstance[], creds: ChaosCredentials, timeoutMs: number): Promise<{ writable: ChaosInstance[]; problems: string[] }> {
  const probes = await Promise.all(
    instances.map(async (instance): Promise<{ writable: boolean; problem?: string }> => {
      let conn: Connection | undefined;
      try {
        conn = await connectTo(instance, creds, timeoutMs);
        const [rows] = await conn.query<RowDataPacket[]>({ sql: 'SELECT @@global.read_only AS ro', timeout: timeoutMs });
        const writable = Number(rows[0]?.['ro']) === 0;
        return writable ? { writable } : { writable, problem: `${instance.id}: read_only` };
      } catch (error) {
        return { writable: false, problem: `${instance.id}: ${errorText(error)}` };
      } finally {
        conn?.destroy();
      }
    }),
  );
  return {
    writable: instances.filter((_, i) => probes[i]?.writable),
    problems: probes.flatMap((p) => (p.problem ? [p.problem] : [])),
  };
}

export async function startAppWriter(options: AppWriterOptions): Promise<AppWriter> {
  const name = options.name ?? `app-${randomBytes(4).toString('hex')}`;
  const database = options.database ?? testDatabase;
  const intervalMs = options.intervalMs ?? 3;
  const timeout = options.queryTimeoutMs ?? 2000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 300;
  const retryMs = options.retryMs ?? 25;
  const now = options.now ?? Date.now;
  const creds = { user: options.user, password: options.password };
  const acked: number[] = [];
  const ackedAtMs: number[] = [];
  const failed: number[] = [];
  const errors = new Set<string>();
  const switches: AppWriterResult['switches'] = [];
  let conn: Connection | undefined;
  let target: ChaosInstance | undefined;
  let stopping = false;

  const noteError = (error: unknown): void => {
    if (!stopping) errors.add(errorCode(error));
  };

  let lastProblems: string[] = [];
  /** Connects to a writable instance; false when there is none (yet). */
  const follow = async (): Promise<boolean> => {
    const { writable, problems } = await probeAll(options.instances, creds, connectTimeoutMs);
    lastProblems = problems;
    const next = writable.find((i) => i.id === target?.id) ?? writable[0];
    if (!next || stopping) return false;
    try {
      const c = await connectTo(next, creds, connectTimeoutMs, database);
      if (stopping) {
        c.destroy();
        return false;
      }
      conn = c;
      target = next;
      switches.push({ atMs: now(), to: next.id });
      return true;
    } catch (error) {
      noteError(error);
      lastProblems = [`${next.id}: ${errorText(error)}`];
      return false;
    }
  };

  // A writer that never finds a primary (wrong account, nothing writable) fails at the start, not silently.
  const startDeadline = now() + (options.startTimeoutMs ?? 5000);
  while (!(await follow())) {
    if (now() > startDeadline) throw new Error(`app writer ${name}: no writable instance to connect to (${lastProblems.join('; ')})`);
    await sleep(retryMs);
  }

  const loop = (async () => {
    let seq = 0;
    while (!stopping) {
      if (!conn) {
        await follow();
        if (!conn) {
          if (!stopping) await sleep(retryMs);
          continue;
        }
      }
      const current = conn;
      seq += 1;
      const n = seq;
      try {
        await current.query({ sql: 'INSERT INTO writes (writer, seq) VALUES (?, ?)', values: [name, n], timeout });
        acked.push(n);
        ackedAtMs.push(now());
      } catch (error) {
        failed.push(n);
        noteError(error);
        current.destroy();
        if (conn === current) conn = undefined;
      }
      if (intervalMs > 0 && !stopping) await sleep(intervalMs);
    }
  })();

  return {
    name,
    get ackedCount() {
      return acked.length;
    },
    get ackedAtMs() {
      return ackedAtMs;
    },
    get target() {
      return conn && target ? target.id : null;
    },
    async stop() {
      stopping = true;
      const c = conn;
      conn = undefined;
      c?.destroy();
      await loop;
      return { writer: name, acked: [...acked], ackedAtMs: [...ackedAtMs], failed: [...failed], errors: [...errors], switches: [...switches] };
    },
  };
}

/** The seqs of `writer` present on `instance` (as `creds`, which needs SELECT on the database). */
export async function readPresentSeqs(
  instance: ChaosInstance,
  creds: ChaosCredentials,
  writer: string,
  options: { database?: string; timeoutMs?: number } = {},
): Promise<Set<number>> {
  const timeout = options.timeoutMs ?? 10_000;
  const conn = await connectTo(instance, creds, Math.min(timeout, 2000), options.database ?? testDatabase);
  try {
    const [rows] = await conn.query<RowDataPacket[]>({ sql: 'SELECT seq FROM writes WHERE writer = ?', values: [writer], timeout });
    return new Set(rows.map((r) => Number(r['seq'])));
  } finally {
    await closeConnection(conn);
  }
}
