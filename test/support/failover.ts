/**
 * What a failover test looks at on the real servers and in the backend: which instances are
 * writable, whom each replica replicates from, the recoveries and their steps, and the lines the
 * test hooks appended to their file.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { testDatabase, waitFor, type MariaDbInstance, type Topology } from '@baton/testing';

export const key = (i: { host: string; port: number }) => ({ host: i.host, port: i.port });
export const idOf = (i: { host: string; port: number }) => `${i.host}:${i.port}`;

/** A connection-level failure of the test's own query (the socket gone: a fence killed it), not an answer. */
const connectionLost = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { fatal?: unknown }).fatal === true;

/**
 * Running instances with read_only = 0. A fence (the keeper's, a fence line's) kills every client
 * session of the old primary, the test's own query included: a query that loses its connection is
 * asked again (at most 5 times), so every instance is still answered for, never skipped.
 */
export async function writableInstances(topology: Topology): Promise<MariaDbInstance[]> {
  const out: MariaDbInstance[] = [];
  for (const i of topology.instances) {
    if (!i.running || i.isCutOff) continue;
    let row: { ro: number } | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        [row] = await i.query<{ ro: number }>('SELECT @@read_only AS ro');
        break;
      } catch (error) {
        if (!connectionLost(error) || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    if (Number(row?.ro) === 0) out.push(i);
  }
  return out;
}

/** Waits until `replica` replicates from `source` with both threads running. */
export async function waitReplicating(replica: MariaDbInstance, source: MariaDbInstance, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () => {
      const s = await replica.slaveStatus();
      return s !== null && Number(s.Master_Port) === source.port && s.Slave_IO_Running === 'Yes' && s.Slave_SQL_Running === 'Yes';
    },
    { description: `${replica.name} replicating from ${source.name}`, timeoutMs },
  );
}

/** The source port each running replica points at (null: no replication configured). */
export async function sourcesOf(instances: readonly MariaDbInstance[]): Promise<Map<string, { port: number | null; host: string | null; io: string | null }>> {
  const out = new Map<string, { port: number | null; host: string | null; io: string | null }>();
  for (const i of instances) {
    const s = await i.slaveStatus();
    out.set(i.name, { port: s ? Number(s.Master_Port) : null, host: s ? String(s.Master_Host) : null, io: s ? String(s.Slave_IO_Running) : null });
  }
  return out;
}

export async function ackedWritesMissing(instance: MariaDbInstance, writer: string, acked: readonly number[]): Promise<number[]> {
  const rows = await instance.query<{ seq: number }>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = ?`, [writer]);
  const present = new Set(rows.map((r) => Number(r.seq)));
  return acked.filter((s) => !present.has(s));
}

export interface RecoveryRow {
  uid: string;
  outcome: string | null;
  is_successful: number;
  /** the analysis code the recovery ran for */
  analysis: string;
  failed_port: number;
  successor_port: number | null;
  forced: number;
  processing_node: string;
  request_id: string | null;
  fencing_result: string | null;
  lost_replicas: unknown;
  all_errors: unknown;
}

export async function recoveries(backend: Pool, clusterId: string): Promise<RecoveryRow[]> {
  const [rows] = await backend.query<RowDataPacket[]>('SELECT * FROM recoveries WHERE cluster_id = ? ORDER BY id', [clusterId]);
  return rows as unknown as RecoveryRow[];
}

export async function stepNames(backend: Pool, uid: string): Promise<string[]> {
  const [rows] = await backend.query<RowDataPacket[]>('SELECT step FROM recovery_steps WHERE recovery_uid = ? ORDER BY seq', [uid]);
  return rows.map((r) => String(r['step']));
}

export async function rowsOf(backend: Pool, sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
  const [rows] = await backend.query<RowDataPacket[]>(sql, values);
  return rows;
}

/** The test hook writes `kind|cluster|failed|successor|isSuccessful|lost|countLost|uid|failureType|replicaHosts` per run. */
export interface HookLine {
  kind: string;
  cluster: string;
  failed: string;
  successor: string;
  isSuccessful: string;
  lostReplicas: string;
  countLostReplicas: string;
  recoveryUid: string;
  failureType: string;
  replicaHosts: string;
}

export const hookLineFormat =
  'echo "$BATON_HOOK_KIND|$ORC_FAILURE_CLUSTER|$ORC_FAILED_HOST:$ORC_FAILED_PORT|$ORC_SUCCESSOR_HOST:$ORC_SUCCESSOR_PORT|$ORC_IS_SUCCESSFUL|$ORC_LOST_REPLICAS|$BATON_COUNT_LOST_REPLICAS|$ORC_RECOVERY_UID|$ORC_FAILURE_TYPE|$ORC_REPLICA_HOSTS"';

export function hookLines(file: string, cluster: string): HookLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [kind, c, failed, successor, isSuccessful, lostReplicas, countLostReplicas, recoveryUid, failureType, replicaHosts] = l.split('|');
      return { kind: kind ?? '', cluster: c ?? '', failed: failed ?? '', successor: successor ?? '', isSuccessful: isSuccessful ?? '', lostReplicas: lostReplicas ?? '', countLostReplicas: countLostReplicas ?? '', recoveryUid: recoveryUid ?? '', failureType: failureType ?? '', replicaHosts: replicaHosts ?? '' };
    })
    .filter((h) => h.cluster === cluster);
}
