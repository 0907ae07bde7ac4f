/** In-memory stand-ins for InstanceConnection, for the prober and discovery unit tests. */
import { BatonError } from '@baton/errors';
import type { InstanceKey } from '@baton/contracts';
import type { InstanceConnectOptions, InstanceConnection, Row } from '../src/index.ts';
import * as f from './probe-fixtures.ts';

type Rows = Record<string, unknown>[];

export interface FakeServer {
  variables: Rows;
  binlogStatus: Rows;
  replicaStatus: Rows;
  semiSyncStatus: Rows;
  replicaHosts: Rows;
  dumpThreads: Rows;
  /** baton_meta.promotion_epoch's rows; absent: the schema does not exist (errno 1049, a server Baton never promoted). */
  promotionEpoch?: Rows;
  /** Answers of other statements (detect queries) by exact SQL. */
  other?: Record<string, Rows>;
  /** Connects fail (connection refused). */
  down?: boolean;
  /** An error thrown for a statement (matched by prefix), e.g. to fail after the identity query. */
  failOn?: { prefix: string; error: Error; closes?: boolean };
}

/** A MariaDB server shaped like the captured fixtures, with its own id, source and replicas. */
export function mariadbServer(o: { serverId: number; source?: InstanceKey; replicas?: InstanceKey[]; readOnly?: boolean }): FakeServer {
  const base = o.source ? f.mariadbReplicaVariables : f.mariadbPrimaryVariables;
  const variables = base.map((r) => {
    if (r['Variable_name'] === 'server_id') return { ...r, Value: String(o.serverId) };
    if (r['Variable_name'] === 'read_only' && o.readOnly !== undefined) return { ...r, Value: o.readOnly ? 'ON' : 'OFF' };
    return r;
  });
  const replicas = o.replicas ?? [];
  return {
    variables,
    binlogStatus: f.mariadbMasterStatus,
    replicaStatus: o.source ? [{ ...f.mariadbAllSlavesRow, Master_Host: o.source.host, Master_Port: o.source.port }] : [],
    semiSyncStatus: f.mariadbSemiSyncStatus,
    replicaHosts: replicas.map((k, i) => ({ Server_id: 100 + i, Host: k.host, Port: k.port, Master_id: o.serverId })),
    dumpThreads: replicas.map((k, i) => ({ HOST: `${k.host}:${40_000 + i}` })),
  };
}

export class FakeConnection implements InstanceConnection {
  readonly instance: string;
  readonly statements: string[] = [];
  #closed = false;
  #closedByClient = false;
  readonly #listeners: ((error?: Error) => void)[] = [];
  readonly #server: FakeServer;

  constructor(instance: string, server: FakeServer) {
    this.instance = instance;
    this.#server = server;
  }

  get closed(): boolean {
    return this.#closed;
  }
  get closedByClient(): boolean {
    return this.#closedByClient;
  }

  async query<T extends Row = Row>(sql: string): Promise<T[]> {
    if (this.#closed) throw new BatonError('BATON_MYSQL_ERROR', "Can't add new command when connection is in closed state", { retryable: true });
    this.statements.push(sql);
    const s = this.#server;
    if (s.failOn && sql.startsWith(s.failOn.prefix)) {
      if (s.failOn.closes) this.serverGone(s.failOn.error);
      throw s.failOn.error;
    }
    return this.#answer(sql) as T[];
  }

  #answer(sql: string): Rows {
    const s = this.#server;
    if (sql.startsWith('SHOW GLOBAL VARIABLES')) return s.variables;
    if (sql === 'SHOW MASTER STATUS' || sql === 'SHOW BINARY LOG STATUS') return s.binlogStatus;
    if (/^SHOW (ALL SLAVES|SLAVE|REPLICA) STATUS$/.test(sql)) return s.replicaStatus;
    if (sql.startsWith('SHOW GLOBAL STATUS')) return s.semiSyncStatus;
    if (sql === 'SHOW SLAVE HOSTS' || sql === 'SHOW REPLICAS') return s.replicaHosts;
    if (sql.includes('PROCESSLIST')) return s.dumpThreads;
    if (sql.includes('baton_meta.promotion_epoch')) {
      if (s.promotionEpoch) return s.promotionEpoch;
      throw new BatonError('BATON_MYSQL_ERROR', "Unknown database 'baton_meta'", { errno: 1049, mysqlCode: 'ER_BAD_DB_ERROR', sqlState: '42000' });
    }
    const other = s.other?.[sql];
    if (other) return other;
    throw new BatonError('BATON_MYSQL_ERROR', `unexpected statement ${sql}`);
  }

  exec(): Promise<never> {
    return Promise.reject(new Error('exec is not used by probes'));
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.#closed) queueMicrotask(() => listener());
    else this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    this.#closedByClient = true;
    this.#markClosed();
  }

  destroy(): void {
    this.#closedByClient = true;
    this.#markClosed();
  }

  /** The server side went away (killed, connection KILLed). */
  serverGone(error: Error = Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' })): void {
    this.#markClosed(error);
  }

  #markClosed(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of this.#listeners.splice(0)) l(error);
  }
}

/** A connect function over a set of fake servers keyed "host:port". */
export function fakeNetwork(servers: Record<string, FakeServer>) {
  const connections: FakeConnection[] = [];
  const attempts: string[] = [];
  const connect = async (o: InstanceConnectOptions): Promise<InstanceConnection> => {
    const id = `${o.host}:${o.port}`;
    attempts.push(id);
    const server = servers[id];
    if (!server || server.down) {
      throw new BatonError('BATON_MYSQL_ERROR', `connect ECONNREFUSED ${id}`, { retryable: true, mysqlCode: 'ECONNREFUSED', instance: id });
    }
    const conn = new FakeConnection(id, server);
    connections.push(conn);
    return conn;
  };
  return { connect, connections, attempts };
}
