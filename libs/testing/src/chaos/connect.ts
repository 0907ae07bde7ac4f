/**
 * The chaos modules' own connections: plain mysql2 over TCP to `host:port` with an explicit
 * connect timeout, an 'error' listener (a fatal error on an idle connection must not crash the
 * process: the next query fails instead), and error text with the driver's code.
 */
import mysql, { type Connection } from 'mysql2/promise';

export interface ChaosInstance {
  /** `host:port`, the id used in samples, violations and `replicatingFrom`. */
  id: string;
  host: string;
  port: number;
}

export interface ChaosCredentials {
  user: string;
  password: string;
}

/** `host:port` of a topology instance (or anything with host and port). */
export const instanceId = (i: { host: string; port: number }): string => `${i.host}:${i.port}`;

/** A topology's instances as the chaos modules take them: `chaosInstances(topology.instances)`. */
export const chaosInstances = (instances: ReadonlyArray<{ host: string; port: number }>): ChaosInstance[] =>
  instances.map((i) => ({ id: instanceId(i), host: i.host, port: i.port }));

export async function connectTo(instance: ChaosInstance, creds: ChaosCredentials, connectTimeoutMs: number, database?: string): Promise<Connection> {
  const conn = await mysql.createConnection({
    host: instance.host,
    port: instance.port,
    user: creds.user,
    password: creds.password,
    connectTimeout: connectTimeoutMs,
    ...(database ? { database } : {}),
  });
  conn.on('error', () => undefined);
  return conn;
}

/** Ends a connection politely if the server answers within `ms`, else destroys it. */
export async function closeConnection(conn: Connection, ms = 300): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([conn.end(), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } catch {
    // closing anyway
  } finally {
    clearTimeout(timer);
    conn.destroy();
  }
}

export function errorText(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/** The driver's code of an error (ER_OPTION_PREVENTS_STATEMENT, ECONNREFUSED, …), else its message. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
