/**
 * One mariadbd, spawned as a direct child of this process (so 'exit' arrives ms after SIGKILL;
 * infra-notes §2), under `setpriv --pdeathsig SIGKILL` so it dies with this process even when
 * this process is SIGKILLed. Faults: kill (SIGKILL), freeze/thaw (SIGSTOP/SIGCONT), restart
 * (same data dir and port: crash recovery), cutOffFromMonitor/restore (iptables, see below).
 *
 * `query()` goes over the Unix socket as root: the test's own console, which keeps working while
 * the instance is cut off from the monitor. `connection()` defaults to TCP, like the monitor.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { dieWithParent } from '../process-cleanup.ts';
import { sleep } from '../wait-for.ts';
import { blockNewConnections, isolatePort, type FirewallRule } from './firewall.ts';
import { mariadbdPath, MariaDbLaunchError } from './template.ts';
import type { Credentials, InstanceLabels, InstanceRole, ServerOptions } from './types.ts';

export type Account = 'root' | 'admin' | 'app' | 'replication';

export interface ConnectionOptions {
  /** TCP to 127.0.0.1:port (default, like the monitor) or the Unix socket (unaffected by cut-off). */
  via?: 'tcp' | 'socket';
  /** A topology account (default root), or explicit `user`/`password`. */
  account?: Account;
  user?: string;
  password?: string;
  database?: string;
  /** Default 1000 ms. */
  connectTimeoutMs?: number;
}

export interface QueryOptions {
  /** Per-query inactivity timeout; also the connect timeout. Default 5000 ms. */
  timeoutMs?: number;
  via?: 'tcp' | 'socket';
  account?: Account;
}

/** A row of SHOW SLAVE STATUS (the fields tests look at most; every other column is there too). */
export interface SlaveStatus extends RowDataPacket {
  Slave_IO_Running: string;
  Slave_SQL_Running: string;
  Master_Host: string;
  Master_Port: number;
  Master_Server_Id: number;
  Gtid_IO_Pos: string;
  Last_IO_Errno: number;
  Last_IO_Error: string;
  Last_SQL_Errno: number;
  Last_SQL_Error: string;
  Seconds_Behind_Master: number | null;
}

export interface InstanceInit {
  name: string;
  serverId: number;
  port: number;
  /** The instance's own directory: data/, tmp/, the socket, logs. */
  dir: string;
  role: InstanceRole;
  labels: InstanceLabels;
  /** Merged defaults and overrides, normalised to dashed names. */
  options: ServerOptions;
  credentials: Record<Account, Credentials>;
  readyTimeoutMs: number;
}

export class MariaDbInstance {
  readonly host = '127.0.0.1';
  readonly name: string;
  readonly port: number;
  readonly serverId: number;
  /** The role in the spec, i.e. at start; a failover under test does not change it. */
  readonly role: InstanceRole;
  readonly labels: InstanceLabels;
  readonly dir: string;
  readonly dataDir: string;
  readonly socketPath: string;
  readonly errorLogPath: string;
  /** The instance this one was set up to replicate from (null for the primary). */
  upstream: MariaDbInstance | null = null;
  readonly #credentials: Record<Account, Credentials>;
  readonly #readyTimeoutMs: number;
  #options: ServerOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #running = false;
  #frozen = false;
  #rule: FirewallRule | undefined;

  constructor(init: InstanceInit) {
    this.name = init.name;
    this.port = init.port;
    this.serverId = init.serverId;
    this.role = init.role;
    this.labels = init.labels;
    this.dir = init.dir;
    this.dataDir = join(init.dir, 'data');
    this.socketPath = join(init.dir, 'mysqld.sock');
    this.errorLogPath = join(init.dir, 'error.log');
    this.#options = init.options;
    this.#credentials = init.credentials;
    this.#readyTimeoutMs = init.readyTimeoutMs;
    if (Buffer.byteLength(this.socketPath) > 100) {
      throw new MariaDbLaunchError(`socket path too long for a Unix socket (use a shorter baseDir): ${this.socketPath}`);
    }
  }

  /** PID of the running mariadbd, undefined when it is not running. */
  get pid(): number | undefined {
    return this.#running ? this.#child?.pid : undefined;
  }
  get running(): boolean {
    return this.#running;
  }
  get frozen(): boolean {
    return this.#frozen;
  }
  get isCutOff(): boolean {
    return this.#rule !== undefined;
  }
  /** `mysql://user:password@127.0.0.1:port` for an account (default admin: the monitor's). */
  url(account: Account = 'admin'): string {
    const c = this.#credentials[account];
    return `mysql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${this.host}:${this.port}`;
  }
  credentials(account: Account): Credentials {
    return { ...this.#credentials[account] };
  }

  /** The full mariadbd argument list (`--no-defaults` first, as it must be). */
  serverArgs(): string[] {
    const fixed = [
      '--no-defaults',
      '--user=root',
      `--datadir=${this.dataDir}`,
      `--tmpdir=${join(this.dir, 'tmp')}`,
      `--socket=${this.socketPath}`,
      `--pid-file=${join(this.dir, 'mysqld.pid')}`,
      `--log-error=${this.errorLogPath}`,
      `--port=${this.port}`,
      `--server-id=${this.serverId}`,
      `--report-port=${this.port}`,
    ];
    const rest = Object.entries(this.#options).flatMap(([key, value]) =>
      value === false || value === null ? [] : value === true ? [`--${key}`] : [`--${key}=${value}`],
    );
    return [...fixed, ...rest];
  }

  /** Spawns mariadbd and resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.#running) return;
    const out = openSync(join(this.dir, 'stdout.log'), 'a');
    const [cmd, args] = dieWithParent(mariadbdPath, this.serverArgs());
    let spawnError: Error | undefined;
    const child = spawn(cmd, args, { stdio: ['ignore', out, out] });
    closeSync(out);
    this.#child = child;
    this.#running = true;
    this.#frozen = false;
    this.#exited = new Promise((resolve) => {
      const done = (): void => {
        if (this.#child === child) this.#running = false;
        resolve();
      };
      child.once('exit', done);
      child.once('error', (error) => {
        spawnError = error;
        done();
      });
    });
    const deadline = Date.now() + this.#readyTimeoutMs;
    for (;;) {
      if (!this.#running || this.#child !== child) {
        const log = this.errorLogTail(20);
        throw new MariaDbLaunchError(`mariadbd ${this.name} (port ${this.port}) exited during start: ${spawnError?.message ?? ''}\n${log}`, {
          instance: this.name,
          port: this.port,
          addressInUse: /Address already in use|errno: 98/.test(log),
        });
      }
      if (await this.#accepts()) return;
      if (Date.now() > deadline) {
        throw new MariaDbLaunchError(`mariadbd ${this.name} (port ${this.port}) not ready after ${this.#readyTimeoutMs} ms\n${this.errorLogTail(20)}`);
      }
      await sleep(15);
    }
  }

  async #accepts(): Promise<boolean> {
    if (!existsSync(this.socketPath)) return false;
    try {
      const c = await mysql.createConnection({ socketPath: this.socketPath, user: 'root', password: '', connectTimeout: 1000 });
      await c.end().catch(() => c.destroy());
      return true;
    } catch {
      return false;
    }
  }

  /** SIGKILL; resolves on the child's 'exit' event. No-op when not running. */
  async kill(): Promise<void> {
    if (this.#running) this.#child?.kill('SIGKILL');
    await this.#exited;
    this.#frozen = false;
  }

  /**
   * SIGSTOP: the process hangs; the kernel still completes TCP handshakes from the backlog.
   * Resolves once every thread of the server is stopped: the signal reaches threads running on
   * another core a moment later, and a query sent in that moment would still be answered.
   */
  async freeze(): Promise<void> {
    if (!this.#running) throw new Error(`${this.name} is not running`);
    this.#child?.kill('SIGSTOP');
    this.#frozen = true;
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    const deadline = Date.now() + 2000;
    while (!allThreadsStopped(pid)) {
      if (Date.now() > deadline) throw new Error(`${this.name}: threads still running 2 s after SIGSTOP`);
      await sleep(1);
    }
  }

  /** SIGCONT. */
  thaw(): void {
    if (this.#running) this.#child?.kill('SIGCONT');
    this.#frozen = false;
  }

  /**
   * Kills the server if it runs (SIGKILL, so this is a crash + crash recovery), then starts it on
   * the same data dir and port. `readOnly` changes the --read-only flag for this and later starts.
   * Replicas resume replication by themselves (master.info is kept). A cut-off stays in force.
   */
  async restart(options: { readOnly?: boolean } = {}): Promise<void> {
    await this.kill();
    if (options.readOnly !== undefined) this.#options = { ...this.#options, 'read-only': options.readOnly };
    await this.start();
  }

  /**
   * Makes the instance unreachable for the monitor while replication keeps flowing:
   *  1. an iptables rule drops NEW TCP connections to its port (connects time out, like a
   *     partition); established connections — its replicas' binlog streams and its own
   *     replication connection to its upstream — are untouched;
   *  2. unless `dropConnections` is false, every existing TCP client connection except binlog
   *     dumps (replicas) is KILLed, so a monitor's persistent connections break and its
   *     reconnects hit the rule. Unix-socket sessions (the test's `query()`) are spared.
   * Caveat: a replica that reconnects while the rule is in place is blocked too.
   * Returns the connection ids it killed.
   */
  async cutOffFromMonitor(options: { dropConnections?: boolean } = {}): Promise<number[]> {
    this.#rule ??= await blockNewConnections(this.port);
    return options.dropConnections === false ? [] : this.killClientConnections();
  }

  /**
   * Cuts the instance off from everyone over TCP, both directions, new and established connections
   * (iptables, see firewall.ts isolatePort): its clients, the monitor and its replicas all stall, as
   * in a network partition around the server. Unix-socket sessions (the test's `query()`) still work.
   * `restore()` heals it.
   */
  async isolate(): Promise<void> {
    if (this.#rule) throw new Error(`${this.name} is already cut off`);
    this.#rule = await isolatePort(this.port);
  }

  /** Removes the cut-off rule. New connections are accepted again at once. */
  async restore(): Promise<void> {
    const rule = this.#rule;
    this.#rule = undefined;
    await rule?.remove();
  }

  /**
   * KILLs TCP client connections — not binlog dumps (replicas), not replication or system threads,
   * not Unix-socket sessions. `ids` restricts it to those connections, `except` spares some.
   * Returns the ids it killed.
   */
  async killClientConnections(options: { ids?: readonly number[]; except?: readonly number[] } = {}): Promise<number[]> {
    const rows = await this.query<{ ID: number } & RowDataPacket>(
      `SELECT ID FROM information_schema.PROCESSLIST
        WHERE ID <> CONNECTION_ID() AND HOST LIKE '127.0.0.1:%'
          AND COMMAND NOT IN ('Binlog Dump', 'Daemon', 'Slave_IO', 'Slave_SQL', 'Slave_worker')
          AND USER NOT IN ('system user', 'event_scheduler')`,
    );
    const only = options.ids ? new Set(options.ids) : undefined;
    const except = new Set(options.except ?? []);
    const ids = rows.map((r) => Number(r.ID)).filter((id) => !except.has(id) && (!only || only.has(id)));
    for (const id of ids) await this.query('KILL CONNECTION ?', [id]).catch(() => undefined);
    return ids;
  }

  /** A new mysql2 connection (default: TCP as root, 1 s connect timeout). The caller ends it. */
  connection(options: ConnectionOptions = {}): Promise<Connection> {
    const account = this.#credentials[options.account ?? 'root'];
    const where = options.via === 'socket' ? { socketPath: this.socketPath } : { host: this.host, port: this.port };
    return mysql.createConnection({
      ...where,
      user: options.user ?? account.user,
      password: options.password ?? account.password,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      ...(options.database ? { database: options.database } : {}),
    });
  }

  /**
   * Runs one statement on a fresh connection (default: Unix socket as root) with a timeout.
   * Returns the rows, or [] for statements that return none.
   */
  async query<T = RowDataPacket>(sql: string, values?: unknown[], options: QueryOptions = {}): Promise<T[]> {
    const timeout = options.timeoutMs ?? 5000;
    const conn = await this.connection({ via: options.via ?? 'socket', account: options.account ?? 'root', connectTimeoutMs: timeout });
    try {
      const [rows] = await conn.query({ sql, values, timeout });
      return Array.isArray(rows) ? (rows as T[]) : [];
    } finally {
      conn.destroy();
    }
  }

  /** SHOW SLAVE STATUS, or null when the instance is no replica. */
  async slaveStatus(): Promise<SlaveStatus | null> {
    const rows = await this.query<SlaveStatus>('SHOW SLAVE STATUS');
    return rows[0] ?? null;
  }

  async gtidBinlogPos(): Promise<string> {
    const rows = await this.query<{ pos: string } & RowDataPacket>('SELECT @@GLOBAL.gtid_binlog_pos AS pos');
    return rows[0]?.pos ?? '';
  }

  /** MASTER_GTID_WAIT: resolves once `gtid` is applied here; throws after `timeoutMs`. */
  async waitForGtid(gtid: string, timeoutMs = 10_000): Promise<void> {
    const rows = await this.query<{ r: number | null } & RowDataPacket>('SELECT MASTER_GTID_WAIT(?, ?) AS r', [gtid, timeoutMs / 1000], {
      timeoutMs: timeoutMs + 5000,
    });
    if (rows[0]?.r === 0) return;
    const status = await this.slaveStatus().catch(() => null);
    throw new MariaDbLaunchError(
      `${this.name} did not apply GTID ${gtid} within ${timeoutMs} ms (IO ${status?.Slave_IO_Running}, SQL ${status?.Slave_SQL_Running}, ` +
        `io error ${status?.Last_IO_Errno} ${status?.Last_IO_Error ?? ''}, sql error ${status?.Last_SQL_Errno} ${status?.Last_SQL_Error ?? ''})`,
      { instance: this.name, gtid },
    );
  }

  /** The last lines of the server's error log, for failure messages. */
  errorLogTail(lines = 30): string {
    try {
      return readFileSync(this.errorLogPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no error log)';
    }
  }

  /** Synchronous last-resort kill by PID (process exit). */
  killSync(): void {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** True when every thread of `pid` is in state T (stopped) per /proc; a vanished process counts as stopped. */
function allThreadsStopped(pid: number): boolean {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  return tasks.every((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state === 'T' || state === 't' || state === 'Z' || state === 'X';
    } catch {
      return true;
    }
  });
}
