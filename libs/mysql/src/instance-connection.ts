/**
 * One persistent connection to one MySQL/MariaDB instance (detector probes, executor actions).
 * Every statement carries a timeout (mysql2 `{ sql, timeout }`). A statement that times out
 * leaves mysql2 mid-protocol, so the connection is destroyed and reports closed; the caller
 * opens a new one. Close listeners fire once, whether the server went away or we closed it.
 */
import mysql, { type Connection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import type { Logger } from '@baton/logging';
import { isQueryTimeout, toBatonError } from './errors.ts';

export interface InstanceConnectOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  connectTimeoutMs: number;
  /** Default timeout of every statement; a call can pass its own. */
  queryTimeoutMs: number;
  logger?: Logger;
}

export interface QueryOptions {
  timeoutMs?: number;
}

export type Row = RowDataPacket;

export interface InstanceConnection {
  /** "host:port". */
  readonly instance: string;
  readonly closed: boolean;
  /** Rows of a SELECT/SHOW. */
  query<T extends Row = Row>(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** A statement without rows (SET GLOBAL, STOP SLAVE, CHANGE MASTER TO ...). */
  exec(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<ResultSetHeader>;
  /** Called once when the connection ends for any reason (error = why it broke, if it did). */
  onClose(listener: (error?: Error) => void): void;
  /** Ends politely (COM_QUIT), destroying the socket if that takes longer than the query timeout. */
  close(): Promise<void>;
  destroy(): void;
}

export async function connectInstance(options: InstanceConnectOptions): Promise<InstanceConnection> {
  const instance = `${options.host}:${options.port}`;
  let connection: Connection;
  try {
    connection = await mysql.createConnection({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      connectTimeout: options.connectTimeoutMs,
      supportBigNumbers: true,
      bigNumberStrings: false,
      multipleStatements: false,
      enableKeepAlive: true,
      // Baton prepares no statement (query() formats values client-side); mysql2's default cache of
      // 16,000 prepared statements is allocated up front, about 1 MB of heap per connection: with a
      // connection per watched instance that was most of a detector's memory
      maxPreparedStatements: 8,
    });
  } catch (error) {
    throw toBatonError(error, { instance, operation: 'connect', timeoutMs: options.connectTimeoutMs });
  }
  return new Mysql2InstanceConnection(connection, instance, options);
}

/** A connection-level error of mysql2 (the socket is gone), as opposed to an SQL error. */
const isFatal = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { fatal?: unknown }).fatal === true;

class Mysql2InstanceConnection implements InstanceConnection {
  readonly instance: string;
  private isClosed = false;
  private readonly listeners: ((error?: Error) => void)[] = [];
  private readonly connection: Connection;
  private readonly queryTimeoutMs: number;
  private readonly logger: Logger | undefined;

  constructor(connection: Connection, instance: string, options: InstanceConnectOptions) {
    this.connection = connection;
    this.instance = instance;
    this.queryTimeoutMs = options.queryTimeoutMs;
    this.logger = options.logger?.child({ instance });
    connection.on('error', (error: Error) => this.markClosed(error));
    connection.on('end', () => this.markClosed());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  async query<T extends Row = Row>(sql: string, values: readonly unknown[] = [], options: QueryOptions = {}): Promise<T[]> {
    const [rows] = await this.run(sql, values, options);
    return rows as T[];
  }

  async exec(sql: string, values: readonly unknown[] = [], options: QueryOptions = {}): Promise<ResultSetHeader> {
    const [header] = await this.run(sql, values, options);
    return header as ResultSetHeader;
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.isClosed) queueMicrotask(() => listener());
    else this.listeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    const timer = setTimeout(() => this.destroy(), this.queryTimeoutMs);
    try {
      await this.connection.end();
    } catch {
      this.connection.destroy();
    } finally {
      clearTimeout(timer);
      this.markClosed();
    }
  }

  destroy(): void {
    this.connection.destroy();
    this.markClosed();
  }

  private async run(sql: string, values: readonly unknown[], options: QueryOptions): Promise<[unknown, unknown]> {
    const timeoutMs = options.timeoutMs ?? this.queryTimeoutMs;
    try {
      return await this.connection.query({ sql, values: [...values], timeout: timeoutMs });
    } catch (error) {
      if (isQueryTimeout(error)) {
        this.logger?.debug({ timeoutMs }, 'query timed out; connection destroyed');
        this.destroy();
      } else if (isFatal(error)) {
        // mysql2 hands a fatal error (ECONNRESET mid-query: a server killed while it answers) to the
        // query in flight and emits neither 'error' nor 'end': without this the connection would look
        // open and every later query fail with "Can't add new command when connection is in closed state"
        this.logger?.debug({ err: error }, 'connection failed mid-query; destroyed');
        this.destroy();
      }
      throw toBatonError(error, { instance: this.instance, operation: 'query', timeoutMs });
    }
  }

  private markClosed(error?: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const listener of this.listeners.splice(0)) {
      try {
        listener(error);
      } catch (err) {
        this.logger?.warn({ err }, 'close listener failed');
      }
    }
  }
}
