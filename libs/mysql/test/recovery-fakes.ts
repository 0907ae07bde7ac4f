/**
 * A scripted InstanceConnection for the recovery unit tests: it records every statement with its
 * values and answers from a small mutable server model, so the order of statements (and the
 * MySQL variants, which no integration test here can run) can be asserted without a server.
 */
import type { ResultSetHeader } from 'mysql2/promise';
import type { InstanceConnection, Row } from '../src/index.ts';

export interface FakeReplicaModel {
  version: string;
  versionComment?: string;
  /** SHOW [ALL] SLAVE[S] STATUS rows; RESET SLAVE ['name'] ALL removes its connection (MariaDB), RESET REPLICA/SLAVE ALL every row (MySQL). */
  replicaRows: Record<string, unknown>[];
  /** Answers of MASTER_GTID_WAIT / WAIT_FOR_EXECUTED_GTID_SET, one per call (the last repeats). */
  waitResults: number[];
  readOnly: number;
  superReadOnly: number;
  /** Names of the semi-sync *_enabled variables that exist, with their value. */
  semiSync: Record<string, string>;
  /** read_only reads back as this whatever was set (a server that ignores it). */
  stuckReadOnly?: number;
  /** A statement (matched by prefix) answers with this error. */
  failOn?: { prefix: string; error: Error };
  processlist?: Record<string, unknown>[];
  /** baton_meta.promotion_epoch's epoch; undefined: the schema does not exist yet (the INSERT fails with 1049 until CREATE TABLE). */
  promotionEpoch?: number;
  /** The own position (gtid_binlog_pos / gtid_executed). Default 0-1-7 / uuid-a:1-7. */
  ownPosition?: string;
}

export function mariadbModel(overrides: Partial<FakeReplicaModel> = {}): FakeReplicaModel {
  return {
    version: '10.11.19-MariaDB-0+deb12u1',
    replicaRows: [{ Connection_name: '', Master_Host: '127.0.0.1', Master_Port: 3306, Slave_IO_Running: 'Connecting', Slave_SQL_Running: 'Yes', Gtid_IO_Pos: '0-1-7' }],
    waitResults: [0],
    readOnly: 1,
    superReadOnly: 0,
    semiSync: { rpl_semi_sync_master_enabled: 'OFF', rpl_semi_sync_slave_enabled: 'ON' },
    ...overrides,
  };
}

export function mysqlModel(overrides: Partial<FakeReplicaModel> = {}): FakeReplicaModel {
  return {
    version: '8.0.36',
    versionComment: 'MySQL Community Server - GPL',
    replicaRows: [{ Channel_Name: '', Source_Host: '10.0.0.1', Source_Port: 3306, Replica_IO_Running: 'Connecting', Replica_SQL_Running: 'Yes', Retrieved_Gtid_Set: 'uuid-a:1-7' }],
    waitResults: [0],
    readOnly: 1,
    superReadOnly: 1,
    semiSync: { rpl_semi_sync_source_enabled: 'OFF', rpl_semi_sync_replica_enabled: 'ON' },
    ...overrides,
  };
}

export class ScriptedConnection implements InstanceConnection {
  readonly calls: { sql: string; values: readonly unknown[] }[] = [];
  readonly model: FakeReplicaModel;
  readonly instance: string;
  /** CREATE TABLE baton_meta.promotion_epoch ran. */
  epochTable = false;
  #closed = false;

  constructor(model: FakeReplicaModel, instance = '10.0.0.2:3306') {
    this.model = model;
    this.instance = instance;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The statements run, in order, without the dialect probe. */
  get statements(): string[] {
    return this.calls.map((c) => c.sql).filter((s) => !s.startsWith('SELECT @@GLOBAL.version'));
  }

  async query<T extends Row = Row>(sql: string, values: readonly unknown[] = []): Promise<T[]> {
    return this.#run(sql, values) as T[];
  }

  async exec(sql: string, values: readonly unknown[] = []): Promise<ResultSetHeader> {
    this.#run(sql, values);
    return { affectedRows: 0 } as ResultSetHeader;
  }

  #run(sql: string, values: readonly unknown[]): Record<string, unknown>[] {
    if (this.#closed) throw new Error('closed');
    this.calls.push({ sql, values });
    const m = this.model;
    if (m.failOn && sql.startsWith(m.failOn.prefix)) throw m.failOn.error;
    if (sql.startsWith('SELECT @@GLOBAL.version')) return [{ version: m.version, comment: m.versionComment ?? '' }];
    if (/^SHOW (ALL SLAVES|SLAVE|REPLICA) STATUS$/.test(sql)) return m.replicaRows;
    if (sql.startsWith("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('rpl_semi_sync")) {
      return Object.entries(m.semiSync).map(([Variable_name, Value]) => ({ Variable_name, Value }));
    }
    if (/MASTER_GTID_WAIT|WAIT_FOR_EXECUTED_GTID_SET/.test(sql)) return [{ r: m.waitResults.length > 1 ? m.waitResults.shift() : m.waitResults[0] }];
    const mariadb = /mariadb/i.test(m.version);
    const own = m.ownPosition ?? (mariadb ? '0-1-7' : 'uuid-a:1-7');
    if (sql.startsWith('SELECT @@GLOBAL.read_only')) {
      const semi = Object.entries(m.semiSync).find(([k]) => /_(master|source)_enabled$/.test(k))?.[1];
      return [{ ro: m.stuckReadOnly ?? m.readOnly, sro: m.superReadOnly, semi: semi === 'ON' ? 1 : 0, epoch: m.promotionEpoch ?? null, pos: own }];
    }
    if (sql.includes('gtid_slave_pos')) return [{ slavePos: '0-1-7', currentPos: '0-1-7', binlogPos: own }];
    if (sql.includes('gtid_executed')) return [{ executed: own }];
    if (sql.includes('PROCESSLIST')) return m.processlist ?? [];
    if (sql.startsWith('INSERT INTO baton_meta.promotion_epoch')) {
      if (m.promotionEpoch === undefined && !this.epochTable) throw Object.assign(new Error("Unknown database 'baton_meta'"), { errno: 1049, code: 'ER_BAD_DB_ERROR' });
      m.promotionEpoch = Math.max(m.promotionEpoch ?? 0, Number(values[1]));
    }
    if (sql.startsWith('CREATE TABLE IF NOT EXISTS baton_meta')) this.epochTable = true;
    if (/^RESET (SLAVE|REPLICA) ALL$/.test(sql)) m.replicaRows = mariadb ? m.replicaRows.filter((r) => r['Connection_name'] !== '') : [];
    if (sql === 'RESET SLAVE ? ALL') m.replicaRows = m.replicaRows.filter((r) => r['Connection_name'] !== values[0]);
    const set = /^SET GLOBAL (\w+) = (\w+|\?)$/.exec(sql);
    if (set) {
      const [, name = '', raw = ''] = set;
      const value = raw === '?' ? String(values[0]) : raw;
      // as MySQL: read_only=0 clears super_read_only, super_read_only=1 sets read_only
      if (name === 'read_only') [m.readOnly, m.superReadOnly] = [Number(value), Number(value) === 0 ? 0 : m.superReadOnly];
      else if (name === 'super_read_only') [m.superReadOnly, m.readOnly] = [Number(value), Number(value) === 1 ? 1 : m.readOnly];
      else if (name in m.semiSync) m.semiSync[name] = value;
    }
    return [];
  }

  onClose(): void {}
  async close(): Promise<void> {
    this.#closed = true;
  }
  destroy(): void {
    this.#closed = true;
  }
}
