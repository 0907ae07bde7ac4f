/**
 * One simulated MariaDB instance, served over the real MySQL wire protocol (mysql2's server side)
 * on its own 127.0.0.1 port, answering exactly the statements of Baton's probe
 * (libs/mysql/src/probe/read-instance.ts) from a model of its state, with the column definitions a
 * real mariadbd sends (mariadb-template.json, captured by libs/testing/scripts/capture-mariadb-template.ts):
 *
 *   SHOW GLOBAL VARIABLES WHERE Variable_name IN (…)   the model's identity, GTID and semi-sync settings
 *   SHOW MASTER STATUS                                  its binlog file and position
 *   SHOW ALL SLAVES STATUS                              its replication (none for a primary)
 *   SHOW GLOBAL STATUS WHERE Variable_name IN (…)      semi-sync status
 *   SHOW SLAVE HOSTS, the processlist's Binlog Dump     its replicas
 *   SELECT epoch FROM baton_meta.promotion_epoch …      the promotion epoch, or error 1049
 *
 * Anything else is answered with an OK packet (SET …) or, for a statement that reads rows, error
 * 1064: a simulator that silently answers what it does not know would hide a probe it cannot
 * serve. Faults: `die()` closes the listener and every connection (connections refused after),
 * `hang()` keeps accepting and reading but answers nothing (a frozen server: its kernel still
 * completes the handshake's TCP part), `resume()` ends either. `probes` counts the probes served
 * (their first statement).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import type { InstanceKey } from '@baton/contracts';
import { probeStatementOf, type FieldDef, type MariadbTemplate, type StatementKind } from './capture.ts';

/** mysql2's server-side connection classes (not in its package exports: reached by file). */
const ServerSide = (() => {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('mysql2'));
  return {
    Connection: require(join(root, 'lib/connection.js')) as new (o: { config: unknown }) => ServerConnection,
    ConnectionConfig: require(join(root, 'lib/connection_config.js')) as new (o: Record<string, unknown>) => unknown,
  };
})();

const tpl = JSON.parse(readFileSync(new URL('./mariadb-template.json', import.meta.url), 'utf8')) as MariadbTemplate;

export interface SimReplication {
  source: InstanceKey;
  sourceServerId: number;
  io: 'Yes' | 'No' | 'Connecting';
  sql: 'Yes' | 'No';
  secondsBehind: number | null;
  /** What it received (Gtid_IO_Pos) and applied (gtid_slave_pos). */
  receivedPos: string;
  /** The source's binlog coordinates it read up to and executed. */
  readCoordinates: { file: string; pos: number };
  execCoordinates: { file: string; pos: number };
  heartbeatPeriodSeconds: number;
  receivedHeartbeats: number;
  lastIoErrno: number;
  lastIoError: string;
}

export interface SimModel {
  serverId: number;
  version: string;
  readOnly: boolean;
  logBin: boolean;
  logSlaveUpdates: boolean;
  binlogFormat: 'ROW' | 'MIXED' | 'STATEMENT';
  domainId: number;
  /** gtid_binlog_pos, gtid_current_pos, gtid_slave_pos */
  binlogPos: string;
  currentPos: string;
  slavePos: string;
  binlogFile: string;
  binlogOffset: number;
  semiSync: { masterEnabled: boolean; masterTimeoutMs: number; replicaEnabled: boolean; masterStatus: boolean; masterClients: number; replicaStatus: boolean } | null;
  replication: SimReplication | null;
  /** Its replicas (SHOW SLAVE HOSTS, Binlog Dump threads). */
  replicas: Array<{ serverId: number; host: string; port: number }>;
  promotionEpoch: number | null;
}

type Answer = { kind: 'rows'; fields: FieldDef[]; rows: unknown[][] } | { kind: 'ok' } | { kind: 'error'; errno: number; sqlState: string; message: string };

const onOff = (b: boolean): string => (b ? 'ON' : 'OFF');

/** The IN (…) list of a SHOW … WHERE Variable_name IN ('a', 'b') statement, lower case. */
function namesIn(sql: string): string[] {
  const m = /IN\s*\(([^)]*)\)/i.exec(sql);
  return m ? [...(m[1] as string).matchAll(/'([^']+)'/g)].map((x) => (x[1] as string).toLowerCase()) : [];
}

const fieldsOf = (kind: StatementKind): FieldDef[] => tpl.fields[kind];

/** The rows of one statement for `m` (pure: the fidelity test and the server both use it). */
export function answerFor(m: SimModel, sql: string, port: number): Answer {
  const s = sql.trim().replace(/\s+/g, ' ');
  const upper = s.toUpperCase();
  const rows = (kind: StatementKind, values: unknown[][]): Answer => ({ kind: 'rows', fields: fieldsOf(kind), rows: values });
  if (upper.startsWith('SHOW GLOBAL VARIABLES')) {
    const vars = variablesOf(m);
    return rows('variables', namesIn(s).filter((n) => vars.has(n)).sort().map((n) => [n, vars.get(n)]));
  }
  if (upper === 'SHOW MASTER STATUS') return rows('masterStatus', m.logBin ? [[m.binlogFile, m.binlogOffset, '', '']] : []);
  if (upper === 'SHOW ALL SLAVES STATUS' || upper === 'SHOW SLAVE STATUS') return rows('slaveStatus', m.replication ? [replicationRow(m, m.replication)] : []);
  if (upper.startsWith('SHOW GLOBAL STATUS')) {
    const status = statusOf(m);
    return rows('globalStatus', namesIn(s).filter((n) => status.has(n)).sort().map((n) => [statusNames.get(n) ?? n, status.get(n)]));
  }
  if (upper === 'SHOW SLAVE HOSTS') return rows('slaveHosts', m.replicas.map((r) => [r.serverId, r.host, r.port, m.serverId]));
  if (upper === probeStatementOf.dumpThreads.toUpperCase()) return rows('dumpThreads', m.replicas.map((r) => [`${r.host}:${50000 + (r.port % 10000)}`]));
  if (upper === probeStatementOf.epoch.toUpperCase()) return m.promotionEpoch === null ? { kind: 'error', ...tpl.noEpochError } : rows('epoch', [[m.promotionEpoch]]);
  if (upper.startsWith('SELECT') || upper.startsWith('SHOW')) return { kind: 'error', errno: 1064, sqlState: '42000', message: `the fleet simulator does not answer: ${s.slice(0, 120)} (port ${port})` };
  return { kind: 'ok' };
}

function variablesOf(m: SimModel): Map<string, string> {
  const v = new Map<string, string>([
    ['version', m.version],
    ['version_comment', 'Baton fleet simulator'],
    ['server_id', String(m.serverId)],
    ['read_only', onOff(m.readOnly)],
    ['log_bin', onOff(m.logBin)],
    ['log_slave_updates', onOff(m.logSlaveUpdates)],
    ['binlog_format', m.binlogFormat],
    ['hostname', 'sim'],
    ['report_host', '127.0.0.1'],
    ['gtid_current_pos', m.currentPos],
    ['gtid_slave_pos', m.slavePos],
    ['gtid_binlog_pos', m.binlogPos],
    ['gtid_strict_mode', 'ON'],
    ['gtid_domain_id', String(m.domainId)],
  ]);
  if (m.semiSync) {
    v.set('rpl_semi_sync_master_enabled', onOff(m.semiSync.masterEnabled));
    v.set('rpl_semi_sync_master_timeout', String(m.semiSync.masterTimeoutMs));
    v.set('rpl_semi_sync_slave_enabled', onOff(m.semiSync.replicaEnabled));
  }
  return v;
}

const statusNames = new Map([
  ['rpl_semi_sync_master_status', 'Rpl_semi_sync_master_status'],
  ['rpl_semi_sync_master_clients', 'Rpl_semi_sync_master_clients'],
  ['rpl_semi_sync_slave_status', 'Rpl_semi_sync_slave_status'],
]);

function statusOf(m: SimModel): Map<string, string> {
  const s = m.semiSync;
  if (!s) return new Map();
  return new Map([
    ['rpl_semi_sync_master_status', onOff(s.masterStatus)],
    ['rpl_semi_sync_master_clients', String(s.masterClients)],
    ['rpl_semi_sync_slave_status', onOff(s.replicaStatus)],
  ]);
}

function replicationRow(m: SimModel, r: SimReplication): unknown[] {
  const own: Record<string, unknown> = {
    Connection_name: '',
    Master_Host: r.source.host,
    Master_Port: r.source.port,
    Master_Log_File: r.readCoordinates.file,
    Read_Master_Log_Pos: r.readCoordinates.pos,
    Relay_Master_Log_File: r.execCoordinates.file,
    Exec_Master_Log_Pos: r.execCoordinates.pos,
    Slave_IO_Running: r.io,
    Slave_SQL_Running: r.sql,
    Seconds_Behind_Master: r.secondsBehind,
    Last_IO_Errno: r.lastIoErrno,
    Last_IO_Error: r.lastIoError,
    Last_SQL_Errno: 0,
    Last_SQL_Error: '',
    Master_Server_Id: r.sourceServerId,
    Using_Gtid: 'Slave_Pos',
    Gtid_IO_Pos: r.receivedPos,
    SQL_Delay: 0,
    Slave_heartbeat_period: r.heartbeatPeriodSeconds.toFixed(3),
    Slave_received_heartbeats: r.receivedHeartbeats,
    Gtid_Slave_Pos: m.slavePos,
  };
  return fieldsOf('slaveStatus').map(([name]) => (Object.hasOwn(own, name) ? own[name] : (tpl.replicaRow[name] ?? '')));
}

/** The column definition packet fields of a FieldDef. */
const columnOf = ([name, columnType, characterSet, columnLength, flags]: FieldDef) => ({
  catalog: 'def',
  schema: '',
  table: '',
  orgTable: '',
  name,
  orgName: name,
  characterSet,
  columnLength,
  columnType,
  flags,
  decimals: 0,
});

interface ServerConnection {
  serverHandshake(args: Record<string, unknown>): void;
  on(event: 'query' | 'stmt_prepare', listener: (sql: string) => void): void;
  on(event: 'error' | 'end', listener: () => void): void;
  writeColumns(columns: unknown[]): void;
  writeTextRow(values: unknown[]): void;
  writeEof(): void;
  writeOk(args?: unknown): void;
  writeError(args: { message: string; code: number }): void;
  stream: { destroy(): void };
  sequenceId: number;
}

let connectionIds = 1000;

export class SimInstance {
  readonly port: number;
  model: SimModel;
  /** Probes served (a `SHOW GLOBAL VARIABLES`, the first statement of each). */
  probes = 0;
  /** When the last probes began (Date.now(), the latest 64): the observer's view of the detector's schedule. */
  readonly probeTimes: number[] = [];
  #server: Server | null = null;
  readonly #conns = new Set<ServerConnection>();
  /** Connections accepted while hung: greeted once it resumes (a frozen server's kernel completed their TCP handshake). */
  #waiting: ServerConnection[] = [];
  #hung = false;

  constructor(port: number, model: SimModel) {
    this.port = port;
    this.model = model;
  }

  get key(): InstanceKey {
    return { host: '127.0.0.1', port: this.port };
  }

  get dead(): boolean {
    return this.#server === null;
  }

  get hung(): boolean {
    return this.#hung;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    // what mysql2.createServer does, with a small prepared-statement cache: its default (16,000,
    // allocated up front) costs about 0.5 MB per connection, 2.5 GB for a 5,000-instance fleet
    const inner = createServer((stream) => this.#accept(new ServerSide.Connection({ config: new ServerSide.ConnectionConfig({ stream, isServer: true, maxPreparedStatements: 8 }) })));
    await new Promise<void>((resolve, reject) => {
      inner.once('error', reject);
      inner.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = inner;
  }

  #accept(c: ServerConnection): void {
    this.#conns.add(c);
    c.on('error', () => this.#conns.delete(c));
    c.on('end', () => this.#conns.delete(c));
    if (this.#hung) this.#waiting.push(c);
    else this.#greet(c);
  }

  #greet(c: ServerConnection): void {
    // mysql2's server side does not restart the packet sequence at each command (a command's packet
    // is number 0 and its answer's first 1): it is restarted by hand after the handshake's OK and
    // after every answer, else both ends log "packets out of order" on every statement
    const restart = (): void => {
      c.sequenceId = 0;
    };
    c.serverHandshake({
      protocolVersion: 10,
      serverVersion: this.model.version,
      connectionId: connectionIds++,
      statusFlags: 2,
      characterSet: 45,
      capabilityFlags: 0xffffff,
      authCallback: (_params: unknown, done: (err: null) => void) => {
        done(null);
        restart();
      },
    });
    // mysql2's server hands SET (and PREPARE) statements to 'stmt_prepare': a SET is answered OK
    c.on('stmt_prepare', (sql: string) => {
      if (this.#hung) return;
      if (/^\s*SET\b/i.test(sql)) c.writeOk();
      else c.writeError({ message: 'the fleet simulator does not prepare statements', code: 1295 });
      restart();
    });
    c.on('query', (sql: string) => {
      if (this.#hung) return; // a frozen server reads nothing more and answers nothing
      if (/^\s*SHOW GLOBAL VARIABLES/i.test(sql)) {
        this.probes += 1;
        this.probeTimes.push(Date.now());
        if (this.probeTimes.length > 64) this.probeTimes.shift();
      }
      const a = answerFor(this.model, sql, this.port);
      if (a.kind === 'ok') c.writeOk();
      else if (a.kind === 'error') c.writeError({ message: a.message, code: a.errno });
      else {
        c.writeColumns(a.fields.map(columnOf));
        for (const row of a.rows) c.writeTextRow(row.map((v) => (v === null || v === undefined ? null : String(v))));
        c.writeEof();
      }
      restart();
    });
  }

  /** Connections refused from now on; every open one dropped. */
  async die(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const c of this.#conns) c.stream.destroy();
    this.#conns.clear();
    this.#waiting = [];
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts and reads, answers nothing (SIGSTOP). */
  hang(): void {
    this.#hung = true;
  }

  /** Ends a hang (SIGCONT); after die(), listens again on the same port. */
  async resume(): Promise<void> {
    this.#hung = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const c of waiting) if (this.#conns.has(c)) this.#greet(c);
    await this.start();
  }

  async stop(): Promise<void> {
    await this.die();
  }
}

/** What a real server's probe read (InstanceFacts of @baton/mysql, structurally), as a simulator model: the fidelity test's mirror. */
export interface ProbedFacts {
  serverId: number | null;
  version: string | null;
  readOnly: boolean | null;
  logBin: boolean | null;
  logSlaveUpdates: boolean | null;
  binlogFormat: 'ROW' | 'MIXED' | 'STATEMENT' | null;
  binlogCoordinates: { file: string; pos: number } | null;
  mariadbGtid: { currentPos: string; slavePos: string; binlogPos: string; strictMode: boolean; domainId: number } | null;
  semiSync: { masterEnabled: boolean; masterStatus: boolean; masterClients: number; masterTimeoutMs: number; replicaEnabled: boolean; replicaStatus: boolean } | null;
  replication: {
    sourceHost: string;
    sourcePort: number;
    ioThread: string;
    sqlThread: string;
    secondsBehindSource: number | null;
    gtidIoPos: string;
    readCoordinates: { file: string; pos: number } | null;
    execCoordinates: { file: string; pos: number } | null;
    heartbeatPeriodSeconds: number | null;
    receivedHeartbeats: number | null;
    lastIoErrno: number;
    lastIoError: string;
  } | null;
  connectedReplicas: InstanceKey[];
  promotionEpoch: number | null;
}

export function modelFromFacts(f: ProbedFacts, sourceServerId = 0): SimModel {
  const g = f.mariadbGtid;
  const r = f.replication;
  return {
    serverId: f.serverId ?? 0,
    version: f.version ?? '',
    readOnly: f.readOnly === true,
    logBin: f.logBin === true,
    logSlaveUpdates: f.logSlaveUpdates === true,
    binlogFormat: f.binlogFormat ?? 'ROW',
    domainId: g?.domainId ?? 0,
    binlogPos: g?.binlogPos ?? '',
    currentPos: g?.currentPos ?? '',
    slavePos: g?.slavePos ?? '',
    binlogFile: f.binlogCoordinates?.file ?? '',
    binlogOffset: f.binlogCoordinates?.pos ?? 0,
    semiSync: f.semiSync ? { ...f.semiSync } : null,
    replication: r
      ? {
          source: { host: r.sourceHost, port: r.sourcePort },
          sourceServerId,
          io: r.ioThread === 'Yes' ? 'Yes' : r.ioThread === 'No' ? 'No' : 'Connecting',
          sql: r.sqlThread === 'Yes' ? 'Yes' : 'No',
          secondsBehind: r.secondsBehindSource,
          receivedPos: r.gtidIoPos,
          readCoordinates: r.readCoordinates ?? { file: '', pos: 0 },
          execCoordinates: r.execCoordinates ?? { file: '', pos: 0 },
          heartbeatPeriodSeconds: r.heartbeatPeriodSeconds ?? 0,
          receivedHeartbeats: r.receivedHeartbeats ?? 0,
          lastIoErrno: r.lastIoErrno,
          lastIoError: r.lastIoError,
        }
      : null,
    replicas: f.connectedReplicas.map((k, i) => ({ serverId: 9000 + i, host: k.host, port: k.port })),
    promotionEpoch: f.promotionEpoch,
  };
}
