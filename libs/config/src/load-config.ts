/**
 * loadConfig: one file (YAML or JSON) + BATON__* environment overrides → validated, defaulted,
 * deep-frozen BatonConfig. Every problem — unknown keys, wrong types, out-of-range values,
 * cross-field rules, bad environment variables — is reported in ONE ConfigError.
 */
import { Value } from '@sinclair/typebox/value';
import { ConfigError, type ConfigIssue } from '@baton/errors';
import { BatonConfigSchema, type BatonConfig } from './schema/root.ts';
import { schemaIssues, isPlainObject, describeValue } from './issues.ts';
import { applyEnvOverrides, attributeToEnv } from './env-overrides.ts';
import { crossFieldIssues } from './cross-field-rules.ts';
import { readConfigFile } from './read-file.ts';
import { deepFreeze } from './deep-freeze.ts';
import { resolveSecretFiles } from './secret-files.ts';
import { applyDeploymentDefaults } from './deployment-defaults.ts';

type Json = Record<string, unknown>;

export interface LoadConfigOptions {
  /** YAML or JSON file. Default: the BATON_CONFIG_FILE variable of `env`, else none. */
  file?: string;
  /** Where BATON__* overrides come from. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Ignore file and environment: built-in defaults only (tests, `describe` tooling). */
  defaultsOnly?: boolean;
}

/** A key set to null (an empty YAML key) means "not set": it takes its default. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isPlainObject(value)) return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    if (child !== null) out[key] = withoutNulls(child);
  }
  return out;
}

/** backend.dsn, when given, fills host/port/user/password/database so consumers read one shape. */
function resolveDsn(config: Json): void {
  const backend = config['backend'] as Json;
  if (typeof backend['dsn'] !== 'string') return;
  const url = new URL(backend['dsn']);
  backend['host'] = url.hostname.replace(/^\[(.*)\]$/, '$1');
  backend['port'] = url.port ? Number(url.port) : 3306;
  backend['user'] = decodeURIComponent(url.username) || backend['user'];
  backend['password'] = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database) backend['database'] = database;
}

export function loadConfig(options: LoadConfigOptions = {}): BatonConfig {
  const env = options.defaultsOnly ? {} : (options.env ?? process.env);
  const file = options.defaultsOnly ? undefined : (options.file ?? env['BATON_CONFIG_FILE']);
  const issues: ConfigIssue[] = [];
  let raw: Json = {};
  if (file) {
    const read = readConfigFile(file);
    if (!read.ok) issues.push(read.issue);
    else if (isPlainObject(read.value)) raw = withoutNulls(read.value) as Json;
    else if (read.value !== null && read.value !== undefined) {
      issues.push({ key: file, problem: `must hold an object of sections, got ${describeValue(read.value)}` });
    }
  }
  const overrides = applyEnvOverrides(raw, env, BatonConfigSchema);
  issues.push(...overrides.issues);
  const value = Value.Default(BatonConfigSchema, Value.Clone(raw)) as Json;
  const found = [...schemaIssues(BatonConfigSchema, value), ...crossFieldIssues(value, raw)];
  issues.push(...found.map((issue) => attributeToEnv(issue, overrides.origins)));
  if (issues.length > 0) {
    const sources = [file ? `file ${file}` : '', overrides.origins.size ? 'environment' : ''].filter(Boolean);
    throw new ConfigError(issues, `configuration${sources.length ? ` (${sources.join(' + ')})` : ''}`);
  }
  resolveDsn(value);
  // after the DSN (which would blank backend.password) and checked again: a secret from a file
  // meets the same rules (lengths) as one written in the config
  const { issues: fromFiles, read } = resolveSecretFiles(value, raw);
  if (fromFiles.length === 0 && read > 0) fromFiles.push(...schemaIssues(BatonConfigSchema, value).map((issue) => ({ ...issue, problem: `${issue.problem} (read from its file)` })));
  if (fromFiles.length > 0) throw new ConfigError(fromFiles.map((issue) => attributeToEnv(issue, overrides.origins)), 'configuration');
  applyDeploymentDefaults(value, raw);
  return deepFreeze(value) as unknown as BatonConfig;
}
