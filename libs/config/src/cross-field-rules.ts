/**
 * Rules that involve more than one key, or a value's meaning rather than its type. They run even
 * when other keys are ill-typed (each rule skips what it cannot read), so one ConfigError lists
 * every problem at once.
 */
import type { ConfigIssue } from '@baton/errors';
import { isPlainObject } from './issues.ts';
import { nestedInterpreterAt, placeholderEnvName, placeholdersIn, scriptArguments } from './hooks.ts';

type Json = Record<string, unknown>;

function get(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

const num = (root: unknown, path: string) => {
  const v = get(root, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

function lessThan(root: unknown, small: string, large: string, why: string): ConfigIssue[] {
  const a = num(root, small);
  const b = num(root, large);
  if (a === undefined || b === undefined || a < b) return [];
  return [{ key: small, problem: `must be less than ${large} (${a} >= ${b}): ${why}` }];
}

function greaterThan(root: unknown, large: string, small: string, why: string): ConfigIssue[] {
  const a = num(root, large);
  const b = num(root, small);
  if (a === undefined || b === undefined || a > b) return [];
  return [{ key: large, problem: `must be greater than ${small} (${a} <= ${b}): ${why}` }];
}

function regexProblem(source: string, needsGroup: boolean): string | undefined {
  try {
    new RegExp(source);
    const groups = (new RegExp(`${source}|`).exec('')?.length ?? 1) - 1;
    if (needsGroup && groups < 1) return 'needs one capture group, e.g. "^([a-z]+)-"';
    return undefined;
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
}

function listRegexIssues(recovery: Json, key: string, toRegex: (entry: string) => string | undefined): ConfigIssue[] {
  const list = recovery[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry, i) => {
    if (typeof entry !== 'string') return [];
    const source = toRegex(entry);
    const problem = source === undefined ? undefined : regexProblem(source, false);
    return problem ? [{ key: `recovery.${key}[${i}]`, problem }] : [];
  });
}

/** Cluster filter forms: `*`, `alias=<x>`, `alias~=<regexp>`, or a regexp / exact cluster name. */
function clusterFilterRegex(entry: string): string | undefined {
  if (entry === '*' || entry.startsWith('alias=')) return undefined;
  if (entry.startsWith('alias~=')) return entry.slice('alias~='.length);
  return entry;
}

function recoveryIssues(recovery: unknown): ConfigIssue[] {
  if (!isPlainObject(recovery)) return [];
  const issues: ConfigIssue[] = [];
  if (recovery['ApplyMySQLPromotionAfterMasterFailover'] === false) {
    // Orchestrator's false skips RESET SLAVE ALL and read_only=0: the "new primary" stays read-only,
    // still pointing at the dead one (W3). Baton always applies the promotion; true is accepted so
    // orchestrator configurations carry over.
    issues.push({
      key: 'recovery.ApplyMySQLPromotionAfterMasterFailover',
      problem:
        'false is not supported: Baton always applies the promotion (RESET SLAVE ALL, read_only=0), since false would leave ' +
        'the new primary read-only and still replicating from the dead one; remove the key or set it to true',
    });
  }
  if (recovery['FailMasterPromotionIfSQLThreadNotUpToDate'] === true && recovery['DelayMasterPromotionIfSQLThreadNotUpToDate'] === true) {
    issues.push({
      key: 'recovery.DelayMasterPromotionIfSQLThreadNotUpToDate',
      problem: 'cannot be true together with recovery.FailMasterPromotionIfSQLThreadNotUpToDate (mutually exclusive)',
    });
  }
  for (const key of ['RecoveryIgnoreHostnameFilters', 'PromotionIgnoreHostnameFilters']) {
    issues.push(...listRegexIssues(recovery, key, (e) => e));
  }
  for (const key of ['RecoverMasterClusterFilters', 'RecoverIntermediateMasterClusterFilters']) {
    issues.push(...listRegexIssues(recovery, key, clusterFilterRegex));
  }
  for (const key of ['DataCenterPattern', 'RegionPattern', 'PhysicalEnvironmentPattern']) {
    const pattern = recovery[key];
    const problem = typeof pattern === 'string' && pattern !== '' ? regexProblem(pattern, true) : undefined;
    if (problem) issues.push({ key: `recovery.${key}`, problem });
  }
  for (const [key, list] of Object.entries(recovery)) {
    if (!key.endsWith('Processes') || !Array.isArray(list)) continue;
    list.forEach((entry, i) => issues.push(...hookObjectIssues(entry, `recovery.${key}[${i}]`), ...argvShellIssues(entry, `recovery.${key}[${i}]`)));
  }
  return issues;
}

function hookObjectIssues(entry: unknown, path: string): ConfigIssue[] {
  if (!isPlainObject(entry)) return [];
  const kinds = ['run', 'argv', 'webhook'].filter((k) => entry[k] !== undefined);
  if (kinds.length !== 1) {
    const found = kinds.length ? `found ${kinds.join(' and ')}` : 'found none';
    return [{ key: path, problem: `needs exactly one of run, argv, webhook (${found})` }];
  }
  const url = isPlainObject(entry['webhook']) ? entry['webhook']['url'] : undefined;
  if (typeof url === 'string' && !/^https?:$/.test(safeUrl(url)?.protocol ?? '')) {
    return [{ key: `${path}.webhook.url`, problem: 'must be an http:// or https:// URL' }];
  }
  return [];
}

/** How to hand a value to code a shell parses: by its environment variable, quoted. */
function useVariables(names: readonly string[]): string {
  const variables = names.map(placeholderEnvName);
  const family = variables.every((v) => v.startsWith('ORC_')) ? 'ORC_*' : variables.every((v) => v.startsWith('BATON_')) ? 'BATON_*' : 'ORC_* / BATON_*';
  return `use the ${family} environment variable${variables.length > 1 ? 's' : ''}, quoted (${variables.map((v) => `"$${v}"`).join(', ')}), which the hook inherits`;
}

/**
 * A {placeholder} must never be pasted into text a shell parses as code (a cluster alias
 * `$(touch${IFS}x)` would run): not into the -c script of a shell in an argv entry (nor an
 * `su -c`, `env -S` or `ssh` command), and not after a nested interpreter in a shell string hook,
 * where the outer shell expands Baton's quoted value into the inner one's source. Placeholders in
 * a shell's positional arguments ($0, $1, …) and in plain commands are data and stay allowed.
 */
function argvShellIssues(entry: unknown, path: string): ConfigIssue[] {
  const command = typeof entry === 'string' ? entry : isPlainObject(entry) && typeof entry['run'] === 'string' ? entry['run'] : undefined;
  if (command !== undefined) {
    const at = nestedInterpreterAt(command);
    const names = at === undefined ? [] : placeholdersIn(command.slice(at));
    if (names.length === 0) return [];
    return [
      {
        key: typeof entry === 'string' ? path : `${path}.run`,
        problem: `${names.map((n) => `{${n}}`).join(', ')} after a nested interpreter (${command.slice(at ?? 0, (at ?? 0) + 24).trim()}…): the inner shell would parse the value as code; ${useVariables(names)}`,
      },
    ];
  }
  const argv = Array.isArray(entry) ? entry : isPlainObject(entry) ? entry['argv'] : undefined;
  if (!Array.isArray(argv) || !argv.every((e): e is string => typeof e === 'string')) return [];
  return scriptArguments(argv).flatMap((found) => {
    const names = placeholdersIn(found.script);
    if (names.length === 0) return [];
    return [
      {
        key: Array.isArray(entry) ? path : `${path}.argv`,
        problem:
          `argv[${found.index}], the script ${found.shell} runs${found.shell === 'ssh' ? ' remotely' : ' with -c'}, holds ${names.map((n) => `{${n}}`).join(', ')}: the shell would parse the ` +
          `value as code (a value such as $(cmd) would run); ${useVariables(names)}, or a shell string hook without a nested shell (Baton quotes each value)`,
      },
    ];
  });
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function backendIssues(backend: unknown, rawBackend: unknown): ConfigIssue[] {
  if (!isPlainObject(backend) || typeof backend['dsn'] !== 'string') return [];
  const explicit = isPlainObject(rawBackend)
    ? ['host', 'port', 'user', 'password', 'database'].filter((k) => rawBackend[k] !== undefined)
    : [];
  if (explicit.length) {
    return [{ key: 'backend.dsn', problem: `give either dsn or ${explicit.join('/')}, not both` }];
  }
  const url = safeUrl(backend['dsn']);
  if (!url || !/^(mysql|mariadb):$/.test(url.protocol) || !url.hostname) {
    return [{ key: 'backend.dsn', problem: 'must look like mysql://user:password@host:3306/database' }];
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database && !/^[A-Za-z0-9_]{1,64}$/.test(database)) {
    return [{ key: 'backend.dsn', problem: 'database name must match ^[A-Za-z0-9_]{1,64}$' }];
  }
  return [];
}

function seedIssues(seeds: unknown): ConfigIssue[] {
  if (!Array.isArray(seeds)) return [];
  const seen = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  seeds.forEach((seed, i) => {
    if (!isPlainObject(seed)) return;
    const id = `${String(seed['host'])}:${String(seed['port'])}`;
    const first = seen.get(id);
    if (first !== undefined) issues.push({ key: `detector.seeds[${i}]`, problem: `duplicates detector.seeds[${first}] (${id})` });
    else seen.set(id, i);
  });
  return issues;
}

const section = (root: unknown, path: string): Json | undefined => {
  const node = get(root, path);
  return isPlainObject(node) ? node : undefined;
};

/** SASL needs a user and a password (or its file); TLS files need TLS on. */
function securityIssues(config: Json): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const sasl = section(config, 'kafka.sasl');
  if (sasl && typeof sasl['mechanism'] === 'string' && sasl['mechanism'] !== 'none') {
    if (sasl['username'] === undefined) issues.push({ key: 'kafka.sasl.username', problem: `is required with kafka.sasl.mechanism ${sasl['mechanism']}` });
    if (sasl['password'] === undefined && sasl['passwordFile'] === undefined) {
      issues.push({ key: 'kafka.sasl.password', problem: `(or kafka.sasl.passwordFile) is required with kafka.sasl.mechanism ${sasl['mechanism']}` });
    }
  }
  for (const path of ['kafka.tls', 'redis.tls', 'backend.tls']) {
    const tls = section(config, path);
    if (!tls || tls['enabled'] === true) continue;
    const files = ['caFile', 'certFile', 'keyFile'].filter((k) => tls[k] !== undefined);
    if (files.length) issues.push({ key: `${path}.enabled`, problem: `must be true when ${files.map((f) => `${path}.${f}`).join(', ')} is set (or remove it)` });
  }
  const tls = section(config, 'kafka.tls');
  if (tls && (tls['certFile'] === undefined) !== (tls['keyFile'] === undefined)) {
    issues.push({ key: 'kafka.tls.certFile', problem: 'a client certificate needs its key (kafka.tls.keyFile) and the other way round' });
  }
  return issues;
}

const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function crossFieldIssues(config: Json, raw: Json): ConfigIssue[] {
  const issues: ConfigIssue[] = [
    ...lessThan(config, 'mysql.probeTimeoutMs', 'detector.pollIntervalMs', 'a probe must end before the next one starts'),
    ...lessThan(config, 'mysql.connectTimeoutMs', 'detector.pollIntervalMs', 'a reconnect must end before the next probe starts'),
    ...greaterThan(config, 'recovery.recoveryLockTtlMs', 'recovery.recoveryDeadlineMs', 'the recovery lock must outlive the recovery'),
    ...lessThan(config, 'kafka.heartbeatIntervalMs', 'kafka.sessionTimeoutMs', 'a consumer must heartbeat within its session'),
    ...greaterThan(config, 'analyzer.snapshotTtlMs', 'detector.pollIntervalMs', 'the cached snapshot must outlive one poll interval'),
    ...lessThan(config, 'api.recoverWaitMs', 'api.requestTimeoutMs', 'a synchronous recover must answer before the request times out'),
    ...recoveryIssues(config['recovery']),
    ...backendIssues(config['backend'], raw['backend']),
    ...seedIssues(get(config, 'detector.seeds')),
    ...securityIssues(config),
  ];
  const redisUrl = get(config, 'redis.url');
  if (typeof redisUrl === 'string' && !/^rediss?:$/.test(safeUrl(redisUrl)?.protocol ?? '')) {
    issues.push({ key: 'redis.url', problem: 'must be a redis:// or rediss:// URL' });
  }
  const host = get(config, 'api.host');
  if (get(config, 'api.authentication') === false && typeof host === 'string' && !loopback.test(host)) {
    issues.push({ key: 'api.authentication', problem: `cannot be false while api.host (${host}) is not a loopback address` });
  }
  return issues;
}
