// The failover drill: with the sandbox running (npm run sandbox), kill -9 a sandbox cluster's
// current primary and print what Baton did, with millisecond offsets from the crash: the
// detector's first snapshot that saw it, the DeadMaster analysis, and every recovery event
// (registered, claimed, promoted, replicas moved, hooks, resolved).
//
//   npm run drill [-- --cluster HINT] [-- --rejoin]
//
// --cluster  the cluster to drill (its id or alias, as the api resolves it; default: the sandbox's)
// --rejoin   afterwards, start the killed server again (the sandbox does it: it owns the servers);
//            Baton rejoins it as a replica of the new primary (recovery.rejoinOldPrimary; the
//            sandbox does it itself if Baton has not within 10 s), wait until Baton sees it
//            replicating from the successor, then acknowledge the recovery so the next drill is not held by the
//            anti-flapping block. Three `--rejoin` drills in a row each fail over cleanly.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '@baton/config';
import { decodeMessage, instanceId, topics, type Envelope, type InstanceKey } from '@baton/contracts';
import { kafkaFromConfig, logicalTopic, topicNamesFromConfig } from '@baton/kafka';
import { silentLogger } from '@baton/logging';
import { connectInstance } from '@baton/mysql';

interface SandboxState {
  configFile: string;
  clusterId: string;
  instances: Array<{ name: string; host: string; port: number; pid: number }>;
  controlUrl?: string | null;
}

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const timeoutMs = Number(process.env['BATON_DRILL_TIMEOUT_MS'] ?? 30_000);
const { values: flags } = parseArgs({ options: { rejoin: { type: 'boolean', default: false }, cluster: { type: 'string' } } });
const sandboxDir = process.env['BATON_SANDBOX_DIR'] ?? `${root}/.sandbox`;
const stateFile = `${sandboxDir}/state.json`;
const readState = (): SandboxState => JSON.parse(readFileSync(stateFile, 'utf8')) as SandboxState;
let state: SandboxState;
try {
  state = readState();
} catch {
  console.error(`drill: no running sandbox (${stateFile} is missing): start it with \`npm run sandbox\` first`);
  process.exit(2);
}
const config = loadConfig({ file: state.configFile, env: {} });
const apiBase = `http://${config.api.host}:${config.api.port}${config.api.urlPrefix}/api`;
const authorization: Record<string, string> = config.api.token ? { authorization: `Bearer ${config.api.token}` } : {};

/** GET an api route; the envelope's Details (orchestrator's shape), or the route's error. */
async function api(path: string): Promise<unknown> {
  const response = await fetch(`${apiBase}/${path}`, { headers: authorization });
  const body = (await response.json().catch(() => null)) as { Code?: string; Message?: string; Details?: unknown } | null;
  if (!response.ok || body?.Code === 'ERROR') throw new Error(`${path}: ${response.status} ${body?.Message ?? ''}`);
  return body && 'Details' in body && body.Code !== undefined ? body.Details : body;
}

/** The cluster id the api resolves the hint to (an alias, an id or a member). */
async function resolveCluster(hint: string): Promise<string> {
  const info = (await api(`cluster-info/${encodeURIComponent(hint)}`).catch((error: unknown) => {
    console.error(`drill: the api does not know cluster ${hint}: ${(error as Error).message}`);
    process.exit(2);
  })) as { ClusterName?: string };
  return info.ClusterName ?? hint;
}
const clusterId = await resolveCluster(flags.cluster ?? state.clusterId);

/** The writable instance of the sandbox topology right now (after an earlier drill it is not the first one). */
async function currentPrimary(): Promise<SandboxState['instances'][number]> {
  for (const instance of state.instances) {
    const conn = await connectInstance({ host: instance.host, port: instance.port, user: config.mysql.user, password: config.mysql.password, connectTimeoutMs: 500, queryTimeoutMs: 500 }).catch(() => null);
    if (!conn) continue;
    try {
      const [row] = await conn.query('SELECT @@read_only AS ro');
      if (Number(row?.['ro']) === 0) return instance;
    } finally {
      await conn.close();
    }
  }
  throw new Error('no writable primary in the sandbox topology: nothing to kill');
}

/**
 * The pid is still that instance's mariadbd (its command line names the server and the port): a
 * sandbox that is gone, or a pid reused by another process, is never killed.
 */
function isSandboxServer(pid: number, port: number): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((a) => /mariadbd|mysqld/.test(a)) && args.includes(`--port=${port}`);
  } catch {
    return false;
  }
}

const victim = await currentPrimary();
if (!isSandboxServer(victim.pid, victim.port)) {
  console.error(`drill: pid ${victim.pid} is not the mariadbd of ${victim.name} (port ${victim.port}) any more: restart the sandbox (npm run sandbox)`);
  process.exit(2);
}
const names = topicNamesFromConfig(config.kafka);
const kafka = kafkaFromConfig(config.kafka, 'drill', silentLogger());
const consumer = kafka.consumer({ groupId: `baton-drill-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 50 });
await consumer.connect();
await consumer.subscribe({ topics: [names[topics.clusterSnapshots], names[topics.analyses], names[topics.recoveryEvents]], fromBeginning: false });
const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));

const lines: Array<{ at: number; what: string }> = [];
let crashAt = 0;
let blocked: string | null = null;
let detected = false;
let analysed = false;
let finished: () => void = () => {};
const done = new Promise<void>((resolve) => (finished = resolve));
const victimKey: InstanceKey = { host: victim.host, port: victim.port };
const same = (k: InstanceKey): boolean => instanceId(k) === instanceId(victimKey);

await consumer.run({
  eachMessage: async ({ topic, message }) => {
    if (crashAt === 0) return;
    const logical = logicalTopic(names, topic);
    if (!logical) return;
    let envelope: Envelope;
    try {
      envelope = decodeMessage(logical, message.value);
    } catch {
      return;
    }
    if (envelope.type === 'cluster-snapshot' && !detected && envelope.payload.clusterId === clusterId) {
      const seen = envelope.payload.instances.find(same);
      if (seen && seen.lastCheckedAt && seen.lastSeenAt && seen.lastCheckedAt > seen.lastSeenAt && Date.parse(seen.lastCheckedAt) >= crashAt) {
        detected = true;
        lines.push({ at: Date.parse(seen.lastCheckedAt), what: `detected     probe of ${instanceId(victimKey)} failed (${seen.lastError ?? 'no answer'}); snapshot reason ${envelope.payload.reason}` });
      }
    } else if (envelope.type === 'analysis' && !analysed && envelope.payload.clusterId === clusterId) {
      const entry = envelope.payload.entries.find((e) => same(e.instance) && e.code.startsWith('DeadMaster'));
      if (entry) {
        analysed = true;
        lines.push({ at: Date.parse(envelope.payload.analyzedAt), what: `analysed     ${entry.code} (detection ${envelope.correlationId ?? '-'})` });
      }
    } else if (envelope.type === 'recovery-event' && envelope.payload.clusterId === clusterId) {
      const e = envelope.payload;
      lines.push({ at: Date.parse(e.at), what: `${e.step.padEnd(12)} ${e.status}: ${e.message}` });
      if (e.step === 'blocked' || /blocked/.test(e.message)) {
        blocked = `${e.message}\n  the anti-flapping block (RecoveryPeriodBlockSeconds) holds until it expires or is acknowledged: npx baton ack ${clusterId} --comment "drill" --config ${state.configFile}`;
        finished();
      }
      // the lock is released last, after the post-failover hooks
      if (e.step === 'released') finished();
    }
  },
});
await joined;

crashAt = Date.now();
process.kill(victim.pid, 'SIGKILL');
console.log(`drill: kill -9 ${victim.name} ${victim.host}:${victim.port} (pid ${victim.pid}) at ${new Date(crashAt).toISOString()}`);
const timer = setTimeout(finished, timeoutMs);
await done;
clearTimeout(timer);
await consumer.disconnect();

console.log(`${'+0'.padStart(8)} ms  crash        kill -9 ${instanceId(victimKey)}`);
for (const line of lines.sort((a, b) => a.at - b.at)) console.log(`${`+${line.at - crashAt}`.padStart(8)} ms  ${line.what}`);
if (blocked) {
  console.log(`drill: the recovery was blocked: ${blocked}`);
  process.exit(1);
}
if (!lines.some((l) => l.what.startsWith('resolved'))) {
  console.log(`drill: no resolved recovery within ${timeoutMs} ms (see ${sandboxDir}/logs/recovery-executor.log)`);
  process.exit(1);
}
if (flags.rejoin) await rejoin();
process.exit(0);

/** The killed server back as a replica of the successor, seen so by Baton, and the recovery acknowledged. */
async function rejoin(): Promise<void> {
  const at = (): string => `${`+${Date.now() - crashAt}`.padStart(8)} ms`;
  if (!state.controlUrl) {
    console.error('drill: this sandbox has no control port (started by an older scripts/sandbox.ts): restart it to use --rejoin');
    process.exit(2);
  }
  const response = await fetch(`${state.controlUrl}/instances/${victim.name}/rejoin`, { method: 'POST' });
  const result = (await response.json()) as { error?: string; pid?: number; source?: string; by?: string };
  if (!response.ok) {
    console.log(`drill: ${victim.name} did not rejoin: ${result.error ?? response.status}`);
    process.exit(1);
  }
  console.log(`${at()}  rejoined     ${victim.name} restarted (pid ${result.pid}), replicating from ${result.source} (${result.by === 'baton' ? "by Baton's rejoinOldPrimary" : 'by the sandbox'})`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = (await api(`instance/${victim.host}/${victim.port}`).catch(() => null)) as {
      MasterKey?: { Hostname: string; Port: number };
      ReplicationSQLThreadRuning?: boolean;
      ReplicationIOThreadRuning?: boolean;
      IsLastCheckValid?: boolean;
      LastSeenTimestamp?: string;
      LastError?: string;
      ReadOnly?: boolean;
    } | null;
    const source = seen?.MasterKey ? `${seen.MasterKey.Hostname}:${seen.MasterKey.Port}` : '';
    if (source === result.source && seen?.ReplicationIOThreadRuning && seen.ReplicationSQLThreadRuning) break;
    if (Date.now() > deadline) {
      const shown = seen
        ? `source ${source || 'none'}, IO ${seen.ReplicationIOThreadRuning}, SQL ${seen.ReplicationSQLThreadRuning}, last check valid ${seen.IsLastCheckValid}, last seen ${seen.LastSeenTimestamp || 'never'}, read_only ${seen.ReadOnly}, last error ${seen.LastError || 'none'}`
        : 'the api does not list it';
      console.log(`drill: Baton does not show ${instanceId(victimKey)} replicating from ${result.source} after ${timeoutMs} ms (it shows: ${shown})`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`${at()}  watched      Baton shows ${instanceId(victimKey)} as a replica of ${result.source}`);
  await api(`ack-recovery/cluster/${encodeURIComponent(clusterId)}?comment=${encodeURIComponent('drill --rejoin: old primary rejoined')}`);
  console.log(`${at()}  acknowledged the recovery of ${clusterId} (the anti-flapping block is lifted for the next drill)`);
}
