// The local sandbox: everything Baton needs on one machine, without Docker, until Ctrl-C.
//   Kafka (KRaft, infra/kafka), Redis, the backend schema on the local MariaDB, the topics, a
//   MariaDB primary with three GTID replicas on free 127.0.0.1 ports, and every Baton service as
//   its own process watching that topology with automated recovery on. `npm run drill` then kills
//   the primary and prints the failover's timeline (.sandbox/state.json tells it what to kill).
// It prints where each one listens and writes the effective configuration to .sandbox/baton.yaml.
// Ctrl-C (or SIGTERM) stops everything this script started, and only that.
//
// Each run is its own deployment (`sandbox-<run>`): its topics, consumer groups, Redis keys,
// backend schema and heartbeat files carry that name, and its servers get server_ids no earlier
// run used, so nothing of an earlier run (a global recovery switch, a registration, a cached
// snapshot, dead instances with the same ids) reaches this one. On stop it removes its topics,
// keys and schema; a run killed -9 leaves them, and the next run removes them at its start (a run
// whose sandbox process still runs — its pid leads the run id — is left alone).
// BATON_SANDBOX_DIR (default .sandbox) and BATON_SANDBOX_API_PORT (default config/sandbox.yaml's)
// let a second sandbox, or the sandbox test, run beside the first.
// "ready" is printed once every service stamped ready (consumers joined, the executor's warm-up
// over) and the api answers.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadConfig } from '@baton/config';
import { createLogger } from '@baton/logging';
import { connectInstance, openBackend } from '@baton/mysql';
import { allTopics, ensureServiceTopics, kafkaFromConfig, topicNamesFromConfig } from '@baton/kafka';
import { heartbeatFile } from '@baton/runtime';
import { ensureKafka, ensureRedis, startServiceProcess, startTopology, waitFor, type ServiceProcess, type Topology } from '@baton/testing';
import { Redis } from 'ioredis';
import { startControlServer } from './sandbox-control.ts';
import type { Kafka } from 'kafkajs';

/** Every Baton service, each its own process with the sandbox configuration, in this start order. */
const sandboxServices = ['hook-runner', 'analyzer', 'recovery-executor', 'detector', 'api'] as const;

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
/** Where the run keeps its configuration, logs and state (BATON_SANDBOX_DIR: a second sandbox, or a test's). */
const dir = process.env['BATON_SANDBOX_DIR'] ?? `${root}/.sandbox`;
const logger = createLogger({ service: 'sandbox', level: process.env['BATON_LOG_LEVEL'] ?? 'warn' });
const cleanups: Array<{ what: string; run: () => Promise<void> | void }> = [];
let stopping: Promise<void> | undefined;

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    console.log('\nsandbox: stopping what it started');
    for (const { what, run } of cleanups.reverse()) {
      try {
        await run();
        console.log(`  stopped ${what}`);
      } catch (error) {
        console.error(`  could not stop ${what}: ${(error as Error).message}`);
      }
    }
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

/** This run's deployment name: every topic, group, key, schema and heartbeat file of the run carries it. */
const runId = `${process.pid.toString(36).padStart(6, '0')}${Date.now().toString(36)}`;
const deploymentName = `sandbox-${runId}`;
const isSandboxRun = (name: string): boolean => /^sandbox-[a-z0-9]+$/.test(name);

/** A run whose sandbox process still runs (its pid leads the run id) is another live sandbox: left alone. */
function isLiveRun(run: string): boolean {
  const pid = Number.parseInt(run.slice('sandbox-'.length, 'sandbox-'.length + 6), 36);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('scripts/sandbox.ts');
  } catch {
    return false;
  }
}

/** What earlier runs left (killed -9, or an older sandbox): their topics, Redis keys and schemas. */
async function removeRuns(which: (run: string) => boolean, admin: ReturnType<Kafka['admin']>, redisUrl: string, backend: { host: string; port: number; user: string; password: string }): Promise<void> {
  const topicsLeft = (await admin.listTopics()).filter((t) => isSandboxRun(t.split('.')[0] ?? '') && which(t.split('.')[0] as string));
  if (topicsLeft.length > 0) await admin.deleteTopics({ topics: topicsLeft, timeout: 10_000 }).catch(() => undefined);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'sandbox-*', 'COUNT', 1000);
      cursor = next;
      const mine = keys.filter((k) => {
        const run = /^(sandbox-[a-z0-9]+)[:.]/.exec(k)?.[1];
        return run !== undefined && which(run);
      });
      if (mine.length > 0) await redis.del(...mine);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  const conn = await connectInstance({ ...backend, connectTimeoutMs: 5000, queryTimeoutMs: 30_000 });
  try {
    const rows = await conn.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'baton\\_sandbox\\_%'");
    for (const name of rows.map((r) => String(r['name']))) {
      const run = `sandbox-${name.slice('baton_sandbox_'.length)}`;
      if (isSandboxRun(run) && which(run)) await conn.query(`DROP DATABASE \`${name}\``);
    }
  } finally {
    await conn.close();
  }
}

/** Every service process stamped ready (libs/runtime/src/heartbeat.ts), and the api answers. */
async function waitUntilReady(services: ReadonlyArray<{ name: string; pid: number }>, apiUrl: string): Promise<void> {
  const ready = (s: { name: string; pid: number }): boolean => {
    const file = heartbeatFile(s.name, deploymentName, s.pid);
    if (!existsSync(file)) return false;
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { ready?: boolean }).ready === true;
    } catch {
      return false;
    }
  };
  await waitFor(() => services.every(ready), {
    description: `every service ready (${services.filter((s) => !ready(s)).map((s) => s.name).join(', ') || 'none'} not yet; see ${dir}/logs)`,
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  await waitFor(async () => (await fetch(`${apiUrl}/api/health`).catch(() => null))?.ok === true, { description: 'the api answers /api/health', timeoutMs: 30_000, intervalMs: 100 });
}

async function main(): Promise<void> {
  const started = Date.now();
  const kafka = await ensureKafka();
  if (kafka.source === 'started') {
    cleanups.push({ what: 'Kafka broker', run: () => void execFileSync('bash', [`${root}/infra/kafka/kafka.sh`, 'stop'], { stdio: 'ignore' }) });
  }
  const redis = await ensureRedis();

  // server_ids no earlier run used (a dead instance of an earlier run must not look like one of these)
  const serverIdBase = 1000 + (Math.floor(Date.now() / 1000) % 100_000) * 10;
  const topology: Topology = await startTopology({ replicas: 3, primary: { labels: { dataCenter: 'dc1' } }, serverIdBase });
  cleanups.push({ what: `MariaDB topology (${topology.instances.length} mariadbd)`, run: () => topology.stop() });

  // The effective configuration: the sandbox file with this topology's seed and these endpoints.
  const base = parse(readFileSync(`${root}/config/sandbox.yaml`, 'utf8')) as Record<string, Record<string, unknown>>;
  base['deployment'] = { ...base['deployment'], name: deploymentName };
  base['kafka'] = { ...base['kafka'], brokers: kafka.brokers };
  base['redis'] = { ...base['redis'], url: redis.url };
  base['detector'] = { ...base['detector'], seeds: [{ host: topology.primary.host, port: topology.primary.port, alias: 'sandbox' }] };
  base['mysql'] = {
    ...base['mysql'],
    user: topology.credentials.admin.user,
    password: topology.credentials.admin.password,
    replicationUser: topology.credentials.replication.user,
    replicationPassword: topology.credentials.replication.password,
  };
  if (process.env['BATON_SANDBOX_API_PORT']) base['api'] = { ...base['api'], port: Number(process.env['BATON_SANDBOX_API_PORT']) };
  mkdirSync(dir, { recursive: true });
  const configFile = `${dir}/baton.yaml`;
  writeFileSync(configFile, `# written by scripts/sandbox.ts from config/sandbox.yaml\n${stringify(base)}`);
  const config = loadConfig({ file: configFile, env: {} });

  const kafkaClient = kafkaFromConfig(config.kafka, 'sandbox', logger);
  const admin = kafkaClient.admin();
  await admin.connect();
  const backendAccess = { host: config.backend.host, port: config.backend.port, user: config.backend.user, password: config.backend.password };
  await removeRuns((run) => run !== deploymentName && !isLiveRun(run), admin, redis.url, backendAccess);
  cleanups.push({
    what: `this run's topics, Redis keys and backend schema (${deploymentName})`,
    run: async () => {
      await removeRuns((run) => run === deploymentName, admin, redis.url, backendAccess);
      await admin.disconnect();
    },
  });

  const { db, migrated } = await openBackend(config.backend, logger);
  await db.end();

  await ensureServiceTopics(kafkaClient, { names: topicNamesFromConfig(config.kafka), only: allTopics, logger });

  const services: ServiceProcess[] = [];
  for (const name of sandboxServices) {
    // human-readable logs (pino-pretty) in .sandbox/logs/; JSON stays the default everywhere else
    const service = startServiceProcess({ root, name, configFile, logFile: `${dir}/logs/${name}.log`, env: { BATON__LOGGING__FORMAT: 'pretty' } });
    cleanups.push({ what: `${name} (pid ${service.pid})`, run: async () => void (await service.stop()) });
    services.push(service);
  }
  const apiUrl = `http://${config.api.host}:${config.api.port}${config.api.urlPrefix}`;
  await waitUntilReady(services, apiUrl);
  // The drill's way back in (--rejoin): this process owns the servers, so it restarts them.
  const control = await startControlServer(topology, () => writeState());
  cleanups.push({ what: 'sandbox control port', run: () => control.close() });
  function writeState(): void {
    const state = {
      configFile,
      clusterId: 'sandbox',
      deployment: deploymentName,
      instances: topology.instances.map((i) => ({ name: i.name, role: i.role, host: i.host, port: i.port, pid: i.pid })),
      services: services.map((s) => ({ name: s.name, pid: s.pid, logFile: s.logFile })),
      sandboxPid: process.pid,
      controlUrl: `http://127.0.0.1:${control.port}`,
    };
    writeFileSync(`${dir}/state.json`, `${JSON.stringify(state, null, 2)}\n`);
  }
  writeState();
  cleanups.push({ what: 'sandbox state file', run: () => rmSync(`${dir}/state.json`, { force: true }) });

  console.log(`Baton sandbox ready in ${Date.now() - started} ms`);
  console.log(`  Kafka      ${kafka.brokers.join(',')} (${kafka.source === 'started' ? 'started here' : 'already running'})`);
  console.log(`  Redis      ${redis.url} (${redis.source === 'spawned' ? 'started here' : 'already running'})`);
  console.log(`  backend    mysql://${config.backend.user}@${config.backend.host}:${config.backend.port}/${config.backend.database} (schema v${migrated.current})`);
  for (const instance of topology.instances) {
    const source = instance.upstream ? ` replicating from ${instance.upstream.host}:${instance.upstream.port}` : '';
    console.log(`  ${instance.role.padEnd(10)} ${instance.host}:${instance.port} (${instance.name}, server_id ${instance.serverId})${source}`);
  }
  for (const service of services) console.log(`  ${service.name.padEnd(10)} pid ${service.pid}, log ${service.logFile}`);
  console.log(`  config     ${configFile}`);
  console.log(`  api        http://${config.api.host}:${config.api.port}${config.api.urlPrefix}/api (token ${config.api.token ?? '(none)'}; OpenAPI at /api/openapi.json)`);
  console.log(`  cli        npx baton topology sandbox --config ${configFile}   (or BATON_API_URL / BATON_API_TOKEN; npx baton --help)`);
  console.log(`  connect    mariadb --no-defaults -h127.0.0.1 -P${topology.primary.port} -u${topology.credentials.app.user} -p${topology.credentials.app.password} ${'baton_test'}`);
  console.log(`  control    ${`http://127.0.0.1:${control.port}`} (npm run drill -- --rejoin restarts the killed primary and rejoins it as a replica)`);
  console.log('Failover drill (another terminal): npm run drill   (-- --rejoin to bring the old primary back as a replica)');
  console.log('Ctrl-C stops everything the sandbox started.');
  if (process.env['BATON_SANDBOX_EXIT_AFTER_READY'] === '1') await stop(0);
}

main().catch(async (error: unknown) => {
  console.error(`sandbox failed: ${(error as Error).stack ?? String(error)}`);
  await stop(1);
});
