/**
 * A steady writer: one TCP connection as the plain application account (so read_only stops it,
 * as it would stop an application), inserting (writer, seq) rows into baton_test.writes in a
 * loop. Each seq is either acknowledged (the INSERT returned OK: the client was told it is
 * durable) or failed (an error or a lost connection: the outcome is unknown — the row may or
 * may not have committed). After a failover, every acked seq must be on the new primary; a
 * failed seq may be there or not. On error it reconnects and goes on until stop().
 */
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { sleep } from '../wait-for.ts';
import type { MariaDbInstance } from './instance.ts';
import { testDatabase } from './types.ts';

export interface WriterOptions {
  /** Default: the topology's primary. */
  target?: MariaDbInstance;
  /** Require semi-sync to be active on the target when the writer starts (throws otherwise). */
  semisync?: boolean;
  /** Pause between inserts. Default 2 ms (a tight loop would starve the 2-core machine). */
  intervalMs?: number;
  /** Pause before reconnecting after an error. Default 50 ms. */
  retryMs?: number;
  /** Per-query timeout. Default 2000 ms. */
  queryTimeoutMs?: number;
  /** Writer name stored in each row. Default writer-<random>. */
  name?: string;
}

export interface WriterResult {
  writer: string;
  /** Seqs whose INSERT returned OK, ascending. */
  acked: number[];
  /** Seqs whose INSERT failed or whose answer was lost: outcome unknown. */
  failed: number[];
  /** Distinct error codes seen. */
  errors: string[];
}

export interface Writer {
  readonly name: string;
  readonly target: MariaDbInstance;
  readonly ackedCount: number;
  /** Stops the loop (an INSERT in flight is abandoned and counted as failed) and reports. */
  stop(): Promise<WriterResult>;
}

export async function startWriter(target: MariaDbInstance, options: WriterOptions = {}): Promise<Writer> {
  const name = options.name ?? `writer-${randomBytes(4).toString('hex')}`;
  const intervalMs = options.intervalMs ?? 2;
  const retryMs = options.retryMs ?? 50;
  const timeout = options.queryTimeoutMs ?? 2000;
  const acked: number[] = [];
  const failed: number[] = [];
  const errors = new Set<string>();
  let conn: Connection | undefined;
  let stopping = false;

  const connect = (): Promise<Connection> => target.connection({ account: 'app', database: testDatabase, connectTimeoutMs: timeout });

  if (options.semisync) {
    const rows = await target.query<{ Value: string }>(`SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_status'`);
    if (rows[0]?.Value !== 'ON') throw new Error(`semi-sync is not active on ${target.name} (Rpl_semi_sync_master_status=${rows[0]?.Value})`);
  }
  conn = await connect();

  const loop = (async () => {
    let seq = 0;
    while (!stopping) {
      try {
        conn ??= await connect();
        if (stopping) break;
        seq += 1;
        const current = seq;
        try {
          await conn.query({ sql: 'INSERT INTO writes (writer, seq) VALUES (?, ?)', values: [name, current], timeout });
          acked.push(current);
        } catch (error) {
          failed.push(current);
          throw error;
        }
        if (intervalMs > 0) await sleep(intervalMs);
      } catch (error) {
        if (!stopping) errors.add(String((error as { code?: unknown }).code ?? (error as Error).message));
        conn?.destroy();
        conn = undefined;
        if (!stopping) await sleep(retryMs);
      }
    }
  })();

  return {
    name,
    target,
    get ackedCount() {
      return acked.length;
    },
    async stop() {
      stopping = true;
      conn?.destroy();
      await loop;
      conn?.destroy();
      conn = undefined;
      return { writer: name, acked: [...acked], failed: [...failed], errors: [...errors] };
    },
  };
}
