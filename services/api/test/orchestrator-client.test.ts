/**
 * orchestrator-client (orchestrator's resources/bin/orchestrator-client, a bash script over curl and
 * jq) against Baton's api: for every command the api supports, the exact request the script sends
 * — GET <ORCHESTRATOR_API>/<path>, `-i host:port` turned into `host/port` (3306 when no port),
 * `curl --basic --user $ORCHESTRATOR_AUTH_USER:$ORCHESTRATOR_AUTH_PASSWORD`, after its HEAD probe of
 * the api's base URL (it gives up on a 401 there) — and only the fields the script reads from the
 * answer, printed as it prints them. Its error rule is reproduced too: an answer with
 * `Code: "ERROR"` prints Message on stderr (and Details when not null) and exits 1; an array, a
 * string or an object without Code is taken as is.
 *
 * The emulation below is written from what the script does, not copied from it. Run on the route
 * tests' fakes (harness.ts) through fastify's inject.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deadPrimarySnapshot, harness, TOKEN, type Harness } from './harness.ts';
import { recoveryRecord } from './fakes.ts';

const USER = 'dba.alice';
const authorization = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;

interface Flags {
  i?: string;
  d?: string;
  alias?: string;
  owner?: string;
  reason?: string;
  duration?: string;
  rule?: string;
  path?: string;
}

interface Run {
  code: number;
  out: string;
  err: string;
  /** The paths requested after /api/, in order (the HEAD probe not included). */
  paths: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const hostport = (i: string | undefined): string => (i === undefined ? '' : i.includes(':') ? i.replace(':', '/') : `${i}/3306`);
const withPort = (i: string | undefined): string => (i === undefined ? '' : i.includes(':') ? i : `${i}:3306`);
const printKey = (k: Json): string => `${(k as Obj)['Hostname'] as string}:${String((k as Obj)['Port'])}`;
/** jq -r of a scalar or an object (orchestrator-client's `jq -r .`). */
const raw = (v: Json): string => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

/** One `orchestrator-client -c <command> [flags]` run with ORCHESTRATOR_API=<api>/api and basic auth. */
async function orchestratorClient(h: Harness, command: string, flags: Flags = {}): Promise<Run> {
  const run: Run = { code: 0, out: '', err: '', paths: [] };
  const say = (line: string) => void (run.out += `${line}\n`);
  const probe = await h.app.inject({ method: 'HEAD', url: '/api', headers: { authorization } });
  if (probe.statusCode === 401) return { ...run, code: 1, err: 'Cannot access orchestrator\n' };

  let response = null as Json;
  let details = null as Json;
  const api = async (path: string) => {
    run.paths.push(path);
    const res = await h.app.inject({ method: 'GET', url: `/api/${path}`, headers: { authorization } });
    response = JSON.parse(res.body) as Json; // jq '.' fails (and the script retries, then exits) on anything else
    details = null;
    if (Array.isArray(response) || typeof response !== 'object' || response === null || !('Code' in response)) return;
    details = response['Details'] ?? null;
    if (response['Code'] === 'ERROR') {
      run.err += `${String(response['Message']).replace(/'/g, '')}\n`;
      if (details !== null) say(JSON.stringify(details));
      throw new Exit(1);
    }
  };
  const arr = () => response as Json[];
  const obj = () => response as Obj;
  /** The Key of every element of an array answer, host:port a line. */
  const sayKeys = () => {
    for (const x of arr()) say(printKey((x as Obj)['Key'] as Json));
  };
  const hint = flags.alias ?? flags.i ?? '';
  const i = hostport(flags.i);
  const comment = encodeURIComponent(flags.reason ?? '');
  try {
    switch (command) {
      case 'which-api':
        say('http://localhost:3000/api');
        break;
      case 'api':
        await api(flags.path as string);
        say(JSON.stringify(response));
        break;
      case 'clusters':
        await api('clusters-info');
        for (const c of arr()) say((c as Obj)['ClusterName'] as string);
        break;
      case 'clusters-alias':
        await api('clusters-info');
        for (const c of arr()) say(`${(c as Obj)['ClusterName'] as string},${(c as Obj)['ClusterAlias'] as string}`);
        break;
      case 'which-cluster':
      case 'which-cluster-alias':
        await api(`cluster-info/${hint}`);
        say(obj()[command === 'which-cluster' ? 'ClusterName' : 'ClusterAlias'] as string);
        break;
      case 'which-cluster-master':
        await api(`master/${hint}`);
        say(obj()['ClusterName'] as string);
        break;
      case 'which-cluster-instances':
        await api(`cluster/${hint}`);
        sayKeys();
        break;
      case 'all-instances':
        await api('all-instances');
        sayKeys();
        break;
      case 'instance':
      case 'which-instance':
        await api(`instance/${i}`);
        say(printKey(obj()['Key'] as Json));
        break;
      case 'which-master':
        await api(`instance/${i}`);
        say(printKey(obj()['MasterKey'] as Json));
        break;
      case 'which-replicas':
        await api(`instance-replicas/${i}`);
        sayKeys();
        break;
      case 'which-broken-replicas':
        await api(`instance-replicas/${i}`);
        for (const x of arr() as Obj[]) {
          const stopped = x['ReplicationSQLThreadRuning'] === false || x['ReplicationIOThreadRuning'] === false;
          if (stopped && (x['LastSQLError'] !== '' || x['LastIOError'] !== '')) say(printKey(x['Key'] as Json));
        }
        break;
      case 'is-replicating':
      case 'is-replication-stopped': {
        await api(`instance/${i}`);
        const state = command === 'is-replicating' ? 1 : 0;
        if (obj()['ReplicationSQLThreadState'] === state && obj()['ReplicationIOThreadState'] === state) say(printKey(obj()['Key'] as Json));
        break;
      }
      case 'which-gtid-errant':
        await api(`instance/${i}`);
        say(obj()['GtidErrant'] as string);
        break;
      case 'topology':
      case 'topology-tabulated':
        await api(`${command}/${hint}`);
        say(obj()['Details'] as string);
        break;
      case 'search':
        await api(`search?s=${encodeURIComponent(flags.i ?? '')}`);
        sayKeys();
        break;
      case 'downtimed':
        await api(`downtimed/${hint}`);
        sayKeys();
        break;
      case 'replication-analysis':
        await api('replication-analysis');
        for (const e of details as Obj[]) {
          const where = `${printKey(e['AnalyzedInstanceKey'] as Json)} (cluster ${(e['ClusterDetails'] as Obj)['ClusterName'] as string}): `;
          say(where + (e['Analysis'] === 'NoProblem' ? ((e['StructureAnalysis'] as Json[])[0] as string) : (e['Analysis'] as string)));
        }
        break;
      case 'discover':
        await api(`discover/${i}`);
        say(printKey((details as Obj)['Key'] as Json));
        break;
      case 'forget':
        await api(`forget/${i}`);
        break;
      case 'forget-cluster':
        await api(`forget-cluster/${hint}`);
        break;
      case 'begin-downtime':
        await api(`begin-downtime/${i}/${encodeURIComponent(flags.owner ?? USER)}/${encodeURIComponent(flags.reason ?? '')}/${flags.duration ?? '10m'}`);
        say(printKey(details));
        break;
      case 'end-downtime':
        await api(`end-downtime/${i}`);
        say(printKey(details));
        break;
      case 'register-candidate':
        await api(`register-candidate/${i}/${flags.rule ?? ''}`);
        say(printKey(details));
        break;
      case 'recover':
        await api(`recover/${i}`);
        say(printKey(details));
        break;
      case 'force-master-failover':
        await api(`force-master-failover/${hint}`);
        say(printKey((details as Obj)['SuccessorKey'] as Json));
        break;
      // planned switchovers: -d the designated replica (optional for the graceful ones)
      case 'graceful-master-takeover':
      case 'graceful-master-takeover-auto':
      case 'force-master-takeover':
        await api(flags.d ? `${command}/${hint}/${hostport(flags.d)}` : `${command}/${hint}`);
        say(printKey((details as Obj)['SuccessorKey'] as Json));
        break;
      case 'ack-cluster-recoveries':
        await api(`ack-recovery/cluster/${hint}?comment=${comment}`);
        say(raw(details));
        break;
      case 'ack-all-recoveries':
        await api(`ack-all-recoveries?comment=${comment}`);
        say(raw(details));
        break;
      case 'disable-global-recoveries':
      case 'enable-global-recoveries':
      case 'check-global-recoveries':
        await api(command);
        say(raw(details));
        break;
      // topology operations: -i the instance, -d the destination (host[:port], 3306 when no port)
      case 'relocate':
        await api(`relocate/${i}/${hostport(flags.d)}`);
        say(`${printKey((details as Obj)['Key'] as Json)}<${withPort(flags.d)}`);
        break;
      case 'relocate-replicas':
        await api(`relocate-replicas/${i}/${hostport(flags.d)}`);
        for (const x of details as Obj[]) say(printKey(x['Key'] as Json));
        break;
      case 'move-up':
        await api(`move-up/${i}`);
        say(`${printKey((details as Obj)['Key'] as Json)}<${printKey((details as Obj)['MasterKey'] as Json)}`);
        break;
      case 'set-read-only':
      case 'set-writeable':
        await api(`${command}/${i}`);
        say(printKey((details as Obj)['Key'] as Json));
        break;
      case 'begin-maintenance':
        await api(`begin-maintenance/${i}/${encodeURIComponent(flags.owner ?? USER)}/${encodeURIComponent(flags.reason ?? '')}`);
        say(printKey(details));
        break;
      case 'end-maintenance':
        await api(`end-maintenance/${i}`);
        say(printKey(details));
        break;
      default:
        throw new Error(`not a supported command: ${command}`);
    }
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
    run.code = error.code;
  }
  return run;
}

/** The commands this api supports, as listed in the README (services/api/README.md, "orchestrator-client"). */
const supportedCommands = [
  'which-api', 'api', 'clusters', 'clusters-alias', 'which-cluster', 'which-cluster-alias', 'which-cluster-master', 'which-cluster-instances',
  'all-instances', 'instance', 'which-instance', 'which-master', 'which-replicas', 'which-broken-replicas', 'is-replicating', 'is-replication-stopped',
  'which-gtid-errant', 'topology', 'topology-tabulated', 'search', 'downtimed', 'replication-analysis', 'discover', 'forget', 'forget-cluster',
  'begin-downtime', 'end-downtime', 'register-candidate', 'recover', 'force-master-failover', 'graceful-master-takeover', 'graceful-master-takeover-auto', 'force-master-takeover',
  'ack-cluster-recoveries', 'ack-all-recoveries',
  'disable-global-recoveries', 'enable-global-recoveries', 'check-global-recoveries',
  'relocate', 'relocate-replicas', 'move-up', 'set-read-only', 'set-writeable', 'begin-maintenance', 'end-maintenance',
] as const;

interface Case {
  command: (typeof supportedCommands)[number];
  flags?: Flags;
  paths: string[];
  out: string;
}

const tree = [
  'db1:3306    [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>]       primary',
  '+ db2:3306  [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]  replica',
  '+ db3:3306  [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]  replica',
].join('\n');

/** A healthy cluster `orders` (db1 primary, db2 and db3 replicas), commands in an order that keeps it so until forget. */
const healthyCases: Case[] = [
  { command: 'which-api', paths: [], out: 'http://localhost:3000/api\n' },
  { command: 'api', flags: { path: 'leader-check' }, paths: ['leader-check'], out: '"OK"\n' },
  { command: 'clusters', paths: ['clusters-info'], out: '10.0.0.5:3306\norders\n' },
  { command: 'clusters-alias', paths: ['clusters-info'], out: '10.0.0.5:3306,\norders,orders\n' },
  { command: 'which-cluster', flags: { i: 'db2:3306' }, paths: ['cluster-info/db2:3306'], out: 'orders\n' },
  { command: 'which-cluster-alias', flags: { alias: 'orders' }, paths: ['cluster-info/orders'], out: 'orders\n' },
  { command: 'which-cluster-master', flags: { i: 'db3:3306' }, paths: ['master/db3:3306'], out: 'orders\n' },
  { command: 'which-cluster-instances', flags: { alias: 'orders' }, paths: ['cluster/orders'], out: 'db1:3306\ndb2:3306\ndb3:3306\n' },
  { command: 'all-instances', paths: ['all-instances'], out: 'db1:3306\ndb2:3306\ndb3:3306\n' },
  { command: 'instance', flags: { i: 'db2' }, paths: ['instance/db2/3306'], out: 'db2:3306\n' },
  { command: 'which-instance', flags: { i: 'db2:3306' }, paths: ['instance/db2/3306'], out: 'db2:3306\n' },
  { command: 'which-master', flags: { i: 'db2:3306' }, paths: ['instance/db2/3306'], out: 'db1:3306\n' },
  { command: 'which-master', flags: { i: 'db1:3306' }, paths: ['instance/db1/3306'], out: ':0\n' },
  { command: 'which-replicas', flags: { i: 'db1:3306' }, paths: ['instance-replicas/db1/3306'], out: 'db2:3306\ndb3:3306\n' },
  { command: 'which-broken-replicas', flags: { i: 'db1:3306' }, paths: ['instance-replicas/db1/3306'], out: '' },
  { command: 'is-replicating', flags: { i: 'db2:3306' }, paths: ['instance/db2/3306'], out: 'db2:3306\n' },
  { command: 'is-replicating', flags: { i: 'db1:3306' }, paths: ['instance/db1/3306'], out: '' },
  { command: 'is-replication-stopped', flags: { i: 'db2:3306' }, paths: ['instance/db2/3306'], out: '' },
  { command: 'which-gtid-errant', flags: { i: 'db2:3306' }, paths: ['instance/db2/3306'], out: '\n' },
  { command: 'topology', flags: { alias: 'orders' }, paths: ['topology/orders'], out: `${tree}\n` },
  {
    command: 'topology-tabulated',
    flags: { i: 'db1:3306' },
    paths: ['topology-tabulated/db1:3306'],
    out: ['db1:3306  |0s|ok|10.11.6-MariaDB-log|rw|ROW|>>     |primary|', '+ db2:3306|0s|ok|10.11.6-MariaDB-log|ro|ROW|>>,GTID|replica|', '+ db3:3306|0s|ok|10.11.6-MariaDB-log|ro|ROW|>>,GTID|replica|', ''].join('\n'),
  },
  { command: 'search', flags: { i: 'db3' }, paths: ['search?s=db3'], out: 'db3:3306\n' },
  { command: 'replication-analysis', paths: ['replication-analysis'], out: '' },
  { command: 'register-candidate', flags: { i: 'db2:3306', rule: 'prefer' }, paths: ['register-candidate/db2/3306/prefer'], out: 'db2:3306\n' },
  { command: 'begin-downtime', flags: { i: 'db3:3306', owner: 'ops team', reason: 'kernel upgrade', duration: '15m' }, paths: ['begin-downtime/db3/3306/ops%20team/kernel%20upgrade/15m'], out: 'db3:3306\n' },
  { command: 'downtimed', paths: ['downtimed/'], out: 'db3:3306\n' },
  { command: 'downtimed', flags: { alias: 'orders' }, paths: ['downtimed/orders'], out: 'db3:3306\n' },
  { command: 'end-downtime', flags: { i: 'db3:3306' }, paths: ['end-downtime/db3/3306'], out: 'db3:3306\n' },
  { command: 'disable-global-recoveries', paths: ['disable-global-recoveries'], out: 'disabled\n' },
  { command: 'check-global-recoveries', paths: ['check-global-recoveries'], out: 'disabled\n' },
  { command: 'enable-global-recoveries', paths: ['enable-global-recoveries'], out: 'enabled\n' },
  { command: 'ack-cluster-recoveries', flags: { alias: 'orders', reason: 'looked at it' }, paths: ['ack-recovery/cluster/orders?comment=looked%20at%20it'], out: '1\n' },
  { command: 'ack-all-recoveries', flags: { reason: 'all seen' }, paths: ['ack-all-recoveries?comment=all%20seen'], out: '0\n' },
  // topology operations, each undone by the next: db3 below db2, up again, db3 below db2 with its siblings, back
  { command: 'relocate', flags: { i: 'db3:3306', d: 'db2' }, paths: ['relocate/db3/3306/db2/3306'], out: 'db3:3306<db2:3306\n' },
  { command: 'move-up', flags: { i: 'db3:3306' }, paths: ['move-up/db3/3306'], out: 'db3:3306<db1:3306\n' },
  { command: 'relocate-replicas', flags: { i: 'db1:3306', d: 'db2:3306' }, paths: ['relocate-replicas/db1/3306/db2/3306'], out: 'db3:3306\n' },
  { command: 'relocate-replicas', flags: { i: 'db2:3306', d: 'db1:3306' }, paths: ['relocate-replicas/db2/3306/db1/3306'], out: 'db3:3306\n' },
  { command: 'set-read-only', flags: { i: 'db3:3306' }, paths: ['set-read-only/db3/3306'], out: 'db3:3306\n' },
  { command: 'begin-maintenance', flags: { i: 'db2:3306', owner: 'ops team', reason: 'rebuild' }, paths: ['begin-maintenance/db2/3306/ops%20team/rebuild'], out: 'db2:3306\n' },
  { command: 'end-maintenance', flags: { i: 'db2:3306' }, paths: ['end-maintenance/db2/3306'], out: 'db2:3306\n' },
  { command: 'discover', flags: { i: 'db2:3306' }, paths: ['discover/db2/3306'], out: 'db2:3306\n' },
  { command: 'force-master-failover', flags: { alias: 'orders' }, paths: ['force-master-failover/orders'], out: 'db2:3306\n' },
  { command: 'graceful-master-takeover', flags: { alias: 'orders', d: 'db2' }, paths: ['graceful-master-takeover/orders/db2/3306'], out: 'db2:3306\n' },
  { command: 'graceful-master-takeover-auto', flags: { alias: 'orders' }, paths: ['graceful-master-takeover-auto/orders'], out: 'db2:3306\n' },
  { command: 'force-master-takeover', flags: { alias: 'orders', d: 'db2:3306' }, paths: ['force-master-takeover/orders/db2/3306'], out: 'db2:3306\n' },
  { command: 'forget', flags: { i: 'db1:3306' }, paths: ['forget/db1/3306'], out: '' },
];

test('every supported orchestrator-client command: its exact request with basic auth, and the fields it reads', async (t) => {
  const h = await harness(t);
  h.audit.rows.push(recoveryRecord({ id: 1, uid: 'rec-1' }));
  for (const c of healthyCases) {
    const run = await orchestratorClient(h, c.command, c.flags);
    assert.deepEqual({ code: run.code, err: run.err, paths: run.paths, out: run.out }, { code: 0, err: '', paths: c.paths, out: c.out }, `-c ${c.command} ${JSON.stringify(c.flags ?? {})}`);
  }
  // who asked is the basic-auth user, on every state-changing command
  assert.ok(h.commands.published.length >= 9);
  for (const p of h.commands.published) assert.equal(p.command.requestedBy, `api:${USER}`, p.command.kind);
  assert.equal((await orchestratorClient(h, 'forget-cluster', { alias: '10.0.0.5:3306' })).code, 0);
  const covered = new Set([...healthyCases.map((c) => c.command), 'forget-cluster', 'recover', 'set-writeable']);
  assert.deepEqual(supportedCommands.filter((c) => !covered.has(c)), [], 'every supported command is driven');
});

test('a dead primary: replication-analysis, which-broken-replicas, is-replication-stopped and recover as orchestrator-client prints them', async (t) => {
  const h = await harness(t, {}, deadPrimarySnapshot());
  assert.deepEqual(await orchestratorClient(h, 'replication-analysis'), {
    code: 0,
    err: '',
    paths: ['replication-analysis'],
    out: 'db1:3306 (cluster orders): DeadMaster\ndb2:3306 (cluster orders): FirstTierReplicaFailingToConnectToMaster\ndb3:3306 (cluster orders): FirstTierReplicaFailingToConnectToMaster\n',
  });
  assert.equal((await orchestratorClient(h, 'which-broken-replicas', { i: 'db1:3306' })).out, 'db2:3306\ndb3:3306\n');
  assert.equal((await orchestratorClient(h, 'is-replicating', { i: 'db2:3306' })).out, '');
  assert.equal((await orchestratorClient(h, 'is-replication-stopped', { i: 'db2:3306' })).out, '', 'the SQL thread still runs: not strictly stopped');
  assert.deepEqual(await orchestratorClient(h, 'recover', { i: 'db1:3306' }), { code: 0, err: '', paths: ['recover/db1/3306'], out: 'db2:3306\n' });
  assert.equal(h.commands.published.at(-1)?.command.requestedBy, `api:${USER}`);
});

test('errors as orchestrator-client sees them: Message on stderr, Details on stdout, exit 1', async (t) => {
  const h = await harness(t);
  assert.deepEqual(await orchestratorClient(h, 'which-master', { i: 'db9:3306' }), {
    code: 1,
    err: 'Unknown instance db9:3306: no cluster lists it\n',
    out: '{"Hostname":"db9","Port":3306}\n',
    paths: ['instance/db9/3306'],
  });
  const badPort = await orchestratorClient(h, 'which-replicas', { i: 'db1:99999' });
  assert.equal(badPort.code, 1);
  assert.match(badPort.err, /^bad parameter port: /);
  assert.equal((await orchestratorClient(h, 'which-cluster', { alias: 'nope' })).err, 'Unable to determine cluster name for hint nope\n');
  // a wrong ORCHESTRATOR_AUTH_PASSWORD: the probe passes (reads are open), the state-changing command is refused
  const wrong = `Basic ${Buffer.from(`${USER}:not-the-token`).toString('base64')}`;
  const refused = await h.app.inject({ method: 'GET', url: '/api/disable-global-recoveries', headers: { authorization: wrong } });
  assert.equal(refused.statusCode, 401);
  assert.deepEqual(refused.json(), { Code: 'ERROR', Message: 'Unauthorized: wrong api token', Details: null });
  assert.deepEqual(h.commands.published, []);
});

test('topology operations as orchestrator-client sees them: the refusals it prints, maintenance in the Instance JSON', async (t) => {
  const h = await harness(t);
  // the primary's read_only, and set-writeable anywhere, need ?force=true, which orchestrator-client cannot send: refused, exit 1
  const primary = await orchestratorClient(h, 'set-read-only', { i: 'db1:3306' });
  assert.equal(primary.code, 1);
  assert.match(primary.err, /^set-read-only refused: db1:3306 is the cluster.?s primary: read_only=1 stops the cluster.?s writes \(a fence\); add \?force=true/);
  assert.equal(primary.out, '{"Hostname":"db1","Port":3306,"RequestId":"req-1","Refused":"primary","Failed":[]}\n');
  const writeable = await orchestratorClient(h, 'set-writeable', { i: 'db2:3306' });
  assert.deepEqual({ code: writeable.code, paths: writeable.paths }, { code: 1, paths: ['set-writeable/db2/3306'] });
  assert.match(writeable.err, /^set-writeable refused: db2:3306 is a replica/);
  // forced through `-c api`: the Instance JSON with ReadOnly as the executor left it
  const forced = await orchestratorClient(h, 'api', { path: 'set-writeable/db2/3306?force=true' });
  assert.equal(forced.code, 0);
  assert.equal((JSON.parse(forced.out) as { Details: { ReadOnly: boolean } }).Details.ReadOnly, false);
  // maintenance: shown in the Instance JSON, relocate refused while it lasts, a second begin refused
  assert.equal((await orchestratorClient(h, 'begin-maintenance', { i: 'db3:3306', owner: 'ops', reason: 'rebuild' })).code, 0);
  const shown = await orchestratorClient(h, 'api', { path: 'instance/db3/3306' });
  const row = JSON.parse(shown.out) as Record<string, unknown>;
  assert.deepEqual([row['IsMaintenance'], row['MaintenanceOwner'], row['MaintenanceReason']], [true, 'ops', 'rebuild']);
  const blocked = await orchestratorClient(h, 'relocate', { i: 'db3:3306', d: 'db2:3306' });
  assert.equal(blocked.code, 1);
  assert.match(blocked.err, /^relocate refused: db3:3306 is under maintenance/);
  assert.equal((await orchestratorClient(h, 'begin-maintenance', { i: 'db3:3306', owner: 'ops', reason: 'again' })).err, 'begin-maintenance refused: db3:3306 is already under maintenance\n');
  assert.equal((await orchestratorClient(h, 'end-maintenance', { i: 'db3:3306' })).out, 'db3:3306\n');
  assert.equal((await orchestratorClient(h, 'end-maintenance', { i: 'db3:3306' })).code, 1, 'no maintenance left to end');
  assert.equal((await orchestratorClient(h, 'relocate', { i: 'db3:3306', d: 'db2:3306' })).out, 'db3:3306<db2:3306\n');
  // every operation carried the basic-auth user and its own request id
  const ops = h.commands.published.filter((p) => 'requestId' in p.command && p.command.kind !== 'recover');
  assert.ok(ops.length >= 9);
  for (const p of ops) assert.equal(p.command.requestedBy, `api:${USER}`);
});

test('the README lists exactly the supported commands', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = /## orchestrator-client\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  const listed = [...section.matchAll(/`([a-z-]+)`/g)].map((m) => m[1] as string).filter((w) => (supportedCommands as readonly string[]).includes(w) || /^(which|is|all|ack|begin|end|force|register|clusters|topology|forget|check|enable|disable)-/.test(w));
  assert.deepEqual([...new Set(listed)].sort(), [...supportedCommands].sort());
});
