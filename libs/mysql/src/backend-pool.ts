/**
 * The backend database pool (recoveries, steps, detections, ...). Sessions run in UTC
 * (`time_zone = '+00:00'`, mysql2 `timezone: 'Z'`), so DATETIME(3) columns mean the same thing to
 * every process. `BackendDb` adds a per-query timeout and destroys a connection whose query
 * timed out instead of returning it to the pool mid-protocol. With backend.tls.enabled every
 * connection (the migration bootstrap one included) is TLS.
 */
import { readFileSync } from 'node:fs';
import mysql, { type Pool, type PoolConnection, type PoolOptions, type ResultSetHeader, type RowDataPacket, type SslOptions } from 'mysql2/promise';
import { ConfigError, readTlsFiles, type ReadPemFile, type TlsFilesConfig } from '@baton/errors';
import type { Logger } from '@baton/logging';
import { isQueryTimeout, toBatonError } from './errors.ts';

/** TLS towards the backend (config.backend.tls); the files are read when the pool is created. */
export type BackendTlsConfig = TlsFilesConfig;

export interface BackendPoolConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  connectionLimit: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  tls?: BackendTlsConfig;
}

export interface BackendPoolOptions {
  logger: Logger;
  /** null = connect without a default database (migrate() creates it). Default: config.database. */
  database?: string | null;
}

/**
 * mysql2 `ssl` options from the TLS section; undefined when TLS is off. With rejectUnauthorized
 * the certificate's chain and its name (against `host`: mysql2 verifies and sends SNI for the
 * host it connects to, and takes no other server name) are checked.
 */
export function backendSslOptions(host: string, tls: BackendTlsConfig | undefined, readFile: ReadPemFile = readFileSync): SslOptions | undefined {
  if (!tls?.enabled) return undefined;
  if (tls.servername !== undefined && tls.servername.toLowerCase() !== host.toLowerCase()) {
    throw new ConfigError(
      [{ key: 'backend.tls.servername', problem: `the MySQL driver checks the certificate against backend.host (${host}) and cannot use another name: connect by ${tls.servername} or remove servername` }],
      'backend TLS',
    );
  }
  const rejectUnauthorized = tls.rejectUnauthorized ?? true;
  const ssl: SslOptions = { rejectUnauthorized, verifyIdentity: rejectUnauthorized };
  return { ...ssl, ...readTlsFiles('backend', tls, readFile) };
}

/** The mysql2 pool options for `config`; `database` null = none. */
export function backendPoolOptions(config: BackendPoolConfig, database: string | null, readFile: ReadPemFile = readFileSync): PoolOptions {
  const ssl = backendSslOptions(config.host, config.tls, readFile);
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    ...(database === null ? {} : { database }),
    ...(ssl ? { ssl } : {}),
    connectionLimit: config.connectionLimit,
    connectTimeout: config.connectTimeoutMs,
    waitForConnections: true,
    timezone: 'Z',
    charset: 'UTF8MB4_UNICODE_CI',
    supportBigNumbers: true,
    bigNumberStrings: false,
    multipleStatements: false,
    enableKeepAlive: true,
  };
}

export function createBackendPool(config: BackendPoolConfig, options: BackendPoolOptions): Pool {
  const database = options.database === undefined ? config.database : options.database;
  const pool = mysql.createPool(backendPoolOptions(config, database));
  pool.pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'", (err) => {
      if (err) options.logger.warn({ err: toBatonError(err, { instance: `${config.host}:${config.port}`, operation: 'query' }) }, 'backend session setup failed');
    });
  });
  return pool;
}

export interface Queryable {
  query<T extends RowDataPacket = RowDataPacket>(sql: string, values?: readonly unknown[], timeoutMs?: number): Promise<T[]>;
  exec(sql: string, values?: readonly unknown[], timeoutMs?: number): Promise<ResultSetHeader>;
}

/** Pool access with a timeout on every statement and transactions that always end. */
export class BackendDb implements Queryable {
  readonly pool: Pool;
  private readonly instance: string;
  private readonly queryTimeoutMs: number;

  constructor(pool: Pool, config: Pick<BackendPoolConfig, 'host' | 'port' | 'queryTimeoutMs'>) {
    this.pool = pool;
    this.instance = `${config.host}:${config.port}`;
    this.queryTimeoutMs = config.queryTimeoutMs;
  }

  async query<T extends RowDataPacket = RowDataPacket>(sql: string, values: readonly unknown[] = [], timeoutMs?: number): Promise<T[]> {
    return this.withConnection((c) => this.run(c, sql, values, timeoutMs)) as Promise<T[]>;
  }

  async exec(sql: string, values: readonly unknown[] = [], timeoutMs?: number): Promise<ResultSetHeader> {
    return this.withConnection((c) => this.run(c, sql, values, timeoutMs)) as Promise<ResultSetHeader>;
  }

  /** Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.withConnection(async (connection) => {
      await this.run(connection, 'START TRANSACTION', []);
      const tx: Queryable = {
        query: (sql, values = [], timeoutMs) => this.run(connection, sql, values, timeoutMs) as never,
        exec: (sql, values = [], timeoutMs) => this.run(connection, sql, values, timeoutMs) as Promise<ResultSetHeader>,
      };
      try {
        const result = await work(tx);
        await this.run(connection, 'COMMIT', []);
        return result;
      } catch (error) {
        await this.run(connection, 'ROLLBACK', []).catch(() => undefined);
        throw error;
      }
    });
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  private async withConnection<T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> {
    let connection: PoolConnection;
    try {
      connection = await this.pool.getConnection();
    } catch (error) {
      throw toBatonError(error, { instance: this.instance, operation: 'connect' });
    }
    let broken = false;
    try {
      return await work(connection);
    } catch (error) {
      broken = isQueryTimeout((error as { cause?: unknown }).cause);
      throw error;
    } finally {
      if (broken) connection.destroy();
      else connection.release();
    }
  }

  private async run(connection: PoolConnection, sql: string, values: readonly unknown[], timeoutMs?: number): Promise<unknown> {
    const timeout = timeoutMs ?? this.queryTimeoutMs;
    try {
      const [result] = await connection.query({ sql, values: [...values], timeout });
      return result;
    } catch (error) {
      throw toBatonError(error, { instance: this.instance, operation: 'query', timeoutMs: timeout });
    }
  }
}
