/**
 * The README's quick start, as a user runs it (in the chaos tier: the sandbox is every service as its
 * own process plus a topology, too much to share two cores with other integration files): `npm run sandbox`, and at its "ready" at once
 * `npm run drill`; then three `--rejoin` drills in a row, each a clean failover (every other
 * replica moved, the old primary back as a replica of the new one and acknowledged); then Ctrl-C
 * (SIGINT), after which the run's topics, backend schema, Redis keys and state file are gone and no
 * mariadbd of it runs. The sandbox gets a directory and an api port of its own
 * (BATON_SANDBOX_DIR, BATON_SANDBOX_API_PORT), so a developer's own sandbox is left alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { loadConfig } from '@baton/config';
import { kafkaFromConfig } from '@baton/kafka';
import { silentLogger } from '@baton/logging';
import { connectInstance } from '@baton/mysql';
import { allocatePorts, isProcessAlive, waitFor } from '@baton/testing';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const dir = mkdtempSync(join(tmpdir(), 'baton-sandbox-test-'));
const ports = await allocatePorts(1);
const env = { ...process.env, BATON_SANDBOX_DIR: dir, BATON_SANDBOX_API_PORT: String(ports.first), BATON_LOG_LEVEL: 'warn' };
let sandbox: ChildProcess | undefined;
let output = '';
let passed = false;

after(async () => {
  if (sandbox && sandbox.exitCode === null) {
    sandbox.kill('SIGINT');
    await Promise.race([once(sandbox, 'exit'), new Promise((resolve) => setTimeout(resolve, 30_000))]);
    if (sandbox.exitCode === null) sandbox.kill('SIGKILL');
  }
  ports.release();
  // a failed run keeps its logs (the services' and the sandbox's) for whoever reads the failure
  if (passed) rmSync(dir, { recursive: true, force: true });
  else console.error(`sandbox-drill: logs kept in ${dir}/logs`);
});

/** The last lines of every service's log that mention `what` (a failed drill's evidence). */
function logTails(what: string, lines = 15): string {
  const logs = join(dir, 'logs');
  if (!existsSync(logs)) return '(no logs)';
  return readdirSync(logs)
    .map((f) => `--- ${f}\n${readFileSync(join(logs, f), 'utf8').split('\n').filter((l) => l.includes(what)).slice(-lines).join('\n')}`)
    .join('\n');
}

const tsx = (script: string, args: string[] = []): ChildProcess => spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });

async function drill(): Promise<{ code: number | null; out: string }> {
  const child = tsx('scripts/drill.ts', ['--rejoin']);
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out };
}

interface State {
  configFile: string;
  deployment: string;
  instances: Array<{ name: string; port: number; pid: number }>;
}

test('sandbox ready → drill at once, three --rejoin drills in a row, Ctrl-C leaves nothing of the run', { timeout: 300_000 }, async (t) => {
  sandbox = tsx('scripts/sandbox.ts');
  sandbox.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  sandbox.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  await waitFor(() => /Baton sandbox ready/.test(output) || sandbox?.exitCode !== null, { description: 'the sandbox says ready', timeoutMs: 180_000, intervalMs: 100 });
  assert.match(output, /Baton sandbox ready/, output);
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State;
  const config = loadConfig({ file: state.configFile, env: {} });
  assert.equal(config.api.port, ports.first, 'the api port of its own');

  const timelines: string[] = [];
  for (let n = 1; n <= 4; n++) {
    const { code, out } = await drill();
    timelines.push(out);
    t.diagnostic(`drill ${n}:\n${out}`);
    const victim = /kill -9 \S+ \S+:(\d+) \(pid/.exec(out)?.[1] ?? 'drill';
    assert.equal(code, 0, `drill ${n} failed:\n${out}\nthe services' logs about port ${victim}:\n${logTails(victim)}`);
    assert.match(out, /resolved +succeeded: recovered: \S+ promoted/, `drill ${n}: a successful recovery`);
    assert.equal(out.match(/replica-moved succeeded/g)?.length, 2, `drill ${n}: both other replicas moved`);
    assert.match(out, /rejoined .* replicating from /, `drill ${n}: the old primary rejoined`);
    assert.match(out, /watched +Baton shows \S+ as a replica of \S+/, `drill ${n}: Baton watches it as a replica`);
    assert.match(out, /acknowledged the recovery/, `drill ${n}: acknowledged`);
  }
  // each drill killed the primary the previous one promoted
  const victims = timelines.map((out) => /kill -9 \S+ (\S+) \(pid/.exec(out)?.[1]);
  const promoted = timelines.map((out) => /recovered: (\S+) promoted/.exec(out)?.[1]);
  for (let n = 1; n < victims.length; n++) assert.equal(victims[n], promoted[n - 1], `drill ${n + 1} killed the primary drill ${n} promoted`);

  // Ctrl-C: everything of this run is gone
  const pids = (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State).instances.map((i) => i.pid);
  const child = sandbox;
  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, output);
  assert.ok(!existsSync(join(dir, 'state.json')), 'state file removed');
  for (const pid of pids) assert.ok(!isProcessAlive(pid), `mariadbd ${pid} stopped`);
  const kafka = kafkaFromConfig(config.kafka, 'sandbox-test', silentLogger());
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.deepEqual((await admin.listTopics()).filter((name) => name.startsWith(`${state.deployment}.`)), [], 'no topic of the run left');
  } finally {
    await admin.disconnect();
  }
  const redis = new Redis(config.redis.url, { lazyConnect: true });
  await redis.connect();
  try {
    const [, keys] = await redis.scan('0', 'MATCH', `${state.deployment}*`, 'COUNT', 10_000);
    assert.deepEqual(keys, [], 'no Redis key of the run left');
  } finally {
    redis.disconnect();
  }
  const conn = await connectInstance({ host: config.backend.host, port: config.backend.port, user: config.backend.user, password: config.backend.password, connectTimeoutMs: 2000, queryTimeoutMs: 5000 });
  try {
    const rows = await conn.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [config.backend.database]);
    assert.deepEqual(rows, [], `backend schema ${config.backend.database} dropped`);
  } finally {
    await conn.close();
  }
  passed = true;
});
