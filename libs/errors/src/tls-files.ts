/**
 * The TLS section shared by kafka.tls, redis.tls and backend.tls, and the one reader of its PEM
 * files. Here because every client library (Kafka, Redis, MySQL) depends on this package and a
 * file that cannot be read is a configuration error naming its key.
 */
import { ConfigError, type ConfigIssue } from './errors.ts';

export interface TlsFilesConfig {
  enabled: boolean;
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Default true. */
  rejectUnauthorized?: boolean | undefined;
  servername?: string | undefined;
}

/** Reads a PEM file; injectable so the option builders stay pure in tests. */
export type ReadPemFile = (file: string) => Buffer | string;

export interface TlsFiles {
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
}

/**
 * The CA, client certificate and key of `tls`, read with `readFile`. A file that cannot be read
 * adds an issue naming `<section>.tls.<key>` to `issues` when given, else throws a ConfigError.
 */
export function readTlsFiles(section: string, tls: TlsFilesConfig, readFile: ReadPemFile, issues?: ConfigIssue[]): TlsFiles {
  const found: ConfigIssue[] = [];
  const files: TlsFiles = {};
  for (const [option, key] of [['ca', 'caFile'], ['cert', 'certFile'], ['key', 'keyFile']] as const) {
    const file = tls[key];
    if (file === undefined) continue;
    try {
      files[option] = readFile(file);
    } catch (error) {
      found.push({ key: `${section}.tls.${key}`, problem: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    }
  }
  if (issues) issues.push(...found);
  else if (found.length > 0) throw new ConfigError(found, `${section} TLS`);
  return files;
}
