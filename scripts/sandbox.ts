// The local sandbox: everything Baton needs on one machine, without Docker, until Ctrl-C.
//   Kafka (KRaft, infra/kafka), Redis, the backend schema on the local MariaDB, the topics, a
//   MariaDB primary with three GTID replicas on free 127.0.0.1 ports, and every Baton service as
//   its own process watching that topology with automated recovery on. `npm run drill` then kills
//   the primary and prints the failover's timeline (.sandbox/state.json tells it what to kill).
// It prints where each one listens and writes the effective configuration to .sandbox/baton.yaml.
// Ctrl-C (or SIGTERM) stops everything this script started, and only that.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadConfig } from '@baton/config';
import { createLogger } from '@baton/logging';
import { openBackend } from '@baton/mysql';
import { allTopics, ensureServiceTopics, kafkaFromConfig, topicNamesFromConfig } from '@baton/kafka';
import { ensureKafka, ensureRedis, startServiceProcess, startTopology, type Topology } from '@baton/testing';

/** Every Baton service, each its own process with the sandbox configuration, in this start order. */
const sandboxServices = ['hook-runner', 'analyzer', 'recovery-executor', 'detector', 'api'] as const;

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
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

async function main(): Promise<void> {
  const started = Date.now();
  const kafka = await ensureKafka();
  if (kafka.source === 'started') {
    cleanups.push({ what: 'Kafka broker', run: () => void execFileSync('bash', [`${root}/infra/kafka/kafka.sh`, 'stop'], { stdio: 'ignore' }) });
  }
  const redis = await ensureRedis();

  const topology: Topology = await startTopology({ replicas: 3, primary: { labels: { dataCenter: 'dc1' } } });
  cleanups.push({ what: `MariaDB topology (${topology.instances.length} mariadbd)`, run: () => topology.stop() });

  // The effective configuration: the sandbox file with this topology's seed and these endpoints.
  const base = parse(readFileSync(`${root}/config/sandbox.yaml`, 'utf8')) as Record<string, Record<string, unknown>>;
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
  mkdirSync(`${root}/.sandbox`, { recursive: true });
  const configFile = `${root}/.sandbox/baton.yaml`;
  writeFileSync(configFile, `# written by scripts/sandbox.ts from config/sandbox.yaml\n${stringify(base)}`);
  const config = loadConfig({ file: configFile, env: {} });

  const { db, migrated } = await openBackend(config.backend, logger);
  await db.end();

  await ensureServiceTopics(kafkaFromConfig(config.kafka, 'sandbox', logger), { names: topicNamesFromConfig(config.kafka), only: allTopics, logger });

  const services = [];
  for (const name of sandboxServices) {
    const service = startServiceProcess({ root, name, configFile, logFile: `${root}/.sandbox/logs/${name}.log` });
    cleanups.push({ what: `${name} (pid ${service.pid})`, run: async () => void (await service.stop()) });
    services.push(service);
  }
  const state = {
    configFile,
    clusterId: 'sandbox',
    instances: topology.instances.map((i) => ({ name: i.name, role: i.role, host: i.host, port: i.port, pid: i.pid })),
    services: services.map((s) => ({ name: s.name, pid: s.pid, logFile: s.logFile })),
    sandboxPid: process.pid,
  };
  writeFileSync(`${root}/.sandbox/state.json`, `${JSON.stringify(state, null, 2)}\n`);
  cleanups.push({ what: 'sandbox state file', run: () => rmSync(`${root}/.sandbox/state.json`, { force: true }) });

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
  console.log('Failover drill (another terminal): npm run drill');
  console.log('Ctrl-C stops everything the sandbox started.');
  if (process.env['BATON_SANDBOX_EXIT_AFTER_READY'] === '1') await stop(0);
}

main().catch(async (error: unknown) => {
  console.error(`sandbox failed: ${(error as Error).stack ?? String(error)}`);
  await stop(1);
});
