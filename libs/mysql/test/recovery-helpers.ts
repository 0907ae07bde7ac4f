/**
 * Shared by the recovery integration tests: connections as the topology's admin account (the
 * account Baton runs with, not root), MariaDB position arithmetic for picking a candidate, and
 * timing lines for the test output.
 */
import type { TestContext } from 'node:test';
import { testDatabase, type MariaDbInstance, type Topology } from '@baton/testing';
import { connectInstance, type InstanceConnection, type ReplicationCredentials } from '../src/index.ts';

/** A persistent admin connection to `instance`, destroyed when the test ends. */
export async function adminConnection(t: TestContext, topology: Topology, instance: MariaDbInstance): Promise<InstanceConnection> {
  const conn = await connectInstance({
    host: instance.host,
    port: instance.port,
    ...topology.credentials.admin,
    connectTimeoutMs: 1000,
    queryTimeoutMs: 2000,
  });
  t.after(() => conn.destroy());
  return conn;
}

export function replicationCredentials(topology: Topology): ReplicationCredentials {
  return { replicationUser: topology.credentials.replication.user, replicationPassword: topology.credentials.replication.password };
}

/** seq_no of domain 0 in a MariaDB GTID position ('0-2-112' → 112); -1 when absent. */
export function seqOf(position: string): number {
  for (const gtid of position.split(',')) {
    const [domain, , seq] = gtid.trim().split('-');
    if (domain === '0' && seq !== undefined) return Number(seq);
  }
  return -1;
}

/** Index of the highest domain-0 seq_no (first one on ties). */
export function mostAdvanced(positions: readonly string[]): number {
  let best = 0;
  positions.forEach((p, i) => {
    if (seqOf(p) > seqOf(positions[best] ?? '')) best = i;
  });
  return best;
}

/** One INSERT as the plain application account over TCP (read_only stops it). */
export async function appInsert(instance: MariaDbInstance, note: string): Promise<void> {
  const conn = await instance.connection({ account: 'app', database: testDatabase, connectTimeoutMs: 2000 });
  try {
    await conn.query({ sql: 'INSERT INTO markers (note) VALUES (?)', values: [note], timeout: 5000 });
  } finally {
    conn.destroy();
  }
}

/** Writer seqs present on `instance`. */
export async function writtenSeqs(instance: MariaDbInstance, writer: string): Promise<Set<number>> {
  const rows = await instance.query<{ seq: number }>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = ?`, [writer]);
  return new Set(rows.map((r) => Number(r.seq)));
}

export const ms = (value: number): string => `${value.toFixed(1)} ms`;
