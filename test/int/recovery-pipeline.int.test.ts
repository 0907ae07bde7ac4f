/**
 * Issue 5's end-to-end cases: real MariaDB topologies watched by the whole pipeline in-process —
 * detector → analyzer → recovery executor → hook-runner — through the real broker, Redis and
 * backend. One pipeline serves every case; each case registers its own topology as its own
 * cluster. Waits are bounded; nothing asserts on timings (the figures go to the test output).
 *
 * Hooks: every list appends one line of its ORC_* / BATON_* values to a file (hookLineFormat), so
 * the order and the values the hooks saw can be read back. PreFailoverProcesses fails for the
 * cluster `prefail` only. Baton's fence hook (fenceProcesses) also appends what it was told about
 * the failed primary and the SQL fence to a file of its own (fenceFile). PreFailoverProcesses also
 * prints a line on stdout and one on stderr, the latter with the value of a variable the
 * hook-runner holds as a secret (hookSecret): both reach the audit, the secret redacted.
 *
 * Data centers: all instances listen on 127.0.0.1, so a DataCenterPattern on the host name cannot
 * tell them apart. The data center comes from DetectDataCenterQuery instead, reading the instance's
 * own name out of its data directory (`…/dc-east-primary/data/` → `east`); instances without a
 * `dc-` name are all in `local`, which keeps PreventCrossDataCenterMasterFailover (on for the whole
 * file) neutral for every other case (an unknown data center would make every replica ineligible).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi } from '@baton/api';
import { formatCandidateValue, setFlag } from '@baton/state';
import { uniqueName, waitFor, withTopology, type MariaDbInstance, type Topology } from '@baton/testing';
import { startPipeline, testLogger, type Pipeline } from '../support/pipeline.ts';
import { ackedWritesMissing, hookLineFormat, hookLines, idOf, key, recoveries, rowsOf, sourcesOf, stepNames, waitReplicating, writableInstances } from '../support/failover.ts';

const admin = { user: 'baton', password: 'baton-pass' };
const hookDir = mkdtempSync(join(tmpdir(), 'baton-hooks-'));
const hookFile = join(hookDir, 'hooks.log');
const fenceFile = join(hookDir, 'fence.log');
const fenceLine = 'echo "$ORC_FAILURE_CLUSTER|$BATON_FAILED_HOST:$BATON_FAILED_PORT|$BATON_FENCED_BY_SQL|$BATON_SQL_FENCE_RESULT|$BATON_HOOK_KIND"';
const hook = (name: string, tail = ''): string => JSON.stringify([{ name, argv: ['sh', '-c', `${hookLineFormat} >> '${hookFile}'${tail}`], timeoutMs: 5000 }]);
// a secret-looking variable of the hook-runner's (it inherits this process's environment): hooks do
// not get it, and a hook that prints its value anyway has it redacted in the audit
const hookSecret = { name: 'RECOVERY_PIPELINE_TEST_API_TOKEN', value: 'pipeline-secret-4f9c' };
process.env[hookSecret.name] = hookSecret.value;
const preOutput = `; echo "pre-stdout $ORC_FAILURE_CLUSTER"; echo "pre-stderr token=${hookSecret.value}" >&2`;
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipeline({
    admin,
    label: 'recover',
    executors: 1,
    hookRunner: true,
    env: {
      BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]',
      BATON__RECOVERY__PREVENT_CROSS_DATA_CENTER_MASTER_FAILOVER: 'true',
      BATON__RECOVERY__DETECT_DATA_CENTER_QUERY: "SELECT COALESCE(NULLIF(REGEXP_SUBSTR(@@datadir, '(?<=/dc-)[a-z]+'), ''), 'local')",
      BATON__RECOVERY__ON_FAILURE_DETECTION_PROCESSES: hook('detection'),
      BATON__RECOVERY__PRE_FAILOVER_PROCESSES: hook('pre', `${preOutput}; [ "$ORC_FAILURE_CLUSTER" != prefail ]`),
      BATON__RECOVERY__POST_MASTER_FAILOVER_PROCESSES: hook('post-master'),
      BATON__RECOVERY__POST_FAILOVER_PROCESSES: hook('post'),
      BATON__RECOVERY__POST_UNSUCCESSFUL_FAILOVER_PROCESSES: hook('post-unsuccessful'),
      BATON__RECOVERY__FENCE_PROCESSES: hook('fence', `; ${fenceLine} >> '${fenceFile}'`),
    },
  });
});
after(async () => {
  await pipeline?.stop();
  rmSync(hookDir, { recursive: true, force: true });
});

const fenceLines = (cluster: string): string[] =>
  existsSync(fenceFile) ? readFileSync(fenceFile, 'utf8').split('\n').filter((l) => l.startsWith(`${cluster}|`)) : [];

const resolvedFor = (clusterId: string, afterMs: number, timeoutMs = 60_000) =>
  pipeline.waitForEvent((e) => e.clusterId === clusterId && e.step === 'resolved', { afterMs, timeoutMs, description: `a resolved recovery of ${clusterId}` });

const instanceById = (topology: Topology, id: string): MariaDbInstance => {
  const found = topology.instances.find((i) => idOf(i) === id);
  if (!found) throw new Error(`${id} is not an instance of the topology`);
  return found;
};

/** One writable primary, every other running replica replicating from it. */
async function assertFailedOverTo(topology: Topology, successor: MariaDbInstance, others: readonly MariaDbInstance[]): Promise<void> {
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), [successor.name], 'exactly one writable primary');
  assert.equal(await successor.slaveStatus(), null, 'the new primary replicates from nobody');
  for (const r of others) await waitReplicating(r, successor);
}

test('kill -9 of a semi-sync 1+3 primary under write load: one new writable primary, every replica under it, no acked write lost, hooks in order (the fence hook included)', async (t) => {
  const topology = await withTopology(t, { replicas: 3, semiSync: true });
  await pipeline.register(topology, 'crash');
  const writer = await topology.startWriter({ semisync: true });
  await waitFor(() => writer.ackedCount >= 200, { description: '200 acked semi-sync writes', timeoutMs: 30_000 });
  const crashedAt = Date.now();
  await topology.primary.kill();
  const written = await writer.stop();

  const resolved = await resolvedFor('crash', crashedAt);
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  const successor = instanceById(topology, String(resolved.details['successor']));
  await assertFailedOverTo(topology, successor, topology.replicas.filter((r) => r !== successor));
  assert.deepEqual(await ackedWritesMissing(successor, written.writer, written.acked), [], 'every acknowledged write is on the new primary');

  const uid = resolved.recoveryUid;
  await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'released', { description: 'lock released' });
  const [row, ...more] = await recoveries(pipeline.backend, 'crash');
  assert.equal(more.length, 0, 'one recovery');
  assert.equal(row?.outcome, 'successful');
  assert.equal(Number(row?.successor_port), successor.port);
  assert.equal(row?.fencing_result, 'unreachable; hook succeeded', 'the crashed primary refused SQL; the fence hook ran');
  await waitFor(async () => (await stepNames(pipeline.backend, uid)).includes('released'), { description: 'step rows written', timeoutMs: 10_000 });
  const steps = await stepNames(pipeline.backend, uid);
  for (const s of ['registered', 'claimed', 'refreshed', 're-checked', 'pre-failover-hooks', 'replicas-stopped', 'candidate-chosen', 'promoted', 'replicas-moved', 'resolved', 'post-failover-hooks']) {
    assert.ok(steps.includes(s), `step ${s} recorded (${steps.join(', ')})`);
  }

  await waitFor(() => hookLines(hookFile, 'crash').some((h) => h.kind === 'PostFailoverProcesses'), { description: 'PostFailover hook ran', timeoutMs: 20_000 });
  const lines = hookLines(hookFile, 'crash');
  assert.equal(lines[0]?.kind, 'OnFailureDetectionProcesses', 'the detection hook first');
  assert.deepEqual(
    lines.filter((h) => h.recoveryUid === uid).map((h) => h.kind),
    ['PreFailoverProcesses', 'fenceProcesses', 'PostMasterFailoverProcesses', 'PostFailoverProcesses'],
    'then the recovery\'s hooks, in order: the fence hook before the promotion\'s post hooks',
  );
  assert.equal(lines.filter((h) => h.kind === 'OnFailureDetectionProcesses').length, 1, 'one detection, one detection hook');
  const failed = idOf(topology.primary);
  for (const h of lines) {
    assert.equal(h.failed, failed);
    assert.equal(h.failureType, 'DeadMaster');
    assert.equal(h.replicaHosts.split(',').sort().join(','), topology.replicas.map(idOf).sort().join(','));
  }
  const [pre, fence, postMaster, post] = lines.filter((h) => h.recoveryUid === uid);
  for (const h of [pre, fence]) {
    assert.equal(h?.successor, ':', 'no successor before the promotion');
    assert.equal(h?.isSuccessful, 'false');
    assert.equal(h?.recoveryUid, uid);
  }
  // the fence hook got the failed primary and the SQL fence's outcome (refused: the primary is dead)
  assert.deepEqual(fenceLines('crash'), [`crash|${failed}|false|unreachable|fenceProcesses`]);
  const fenced = await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'fenced');
  assert.equal(fenced.status, 'succeeded', fenced.message);
  assert.equal(fenced.details['fencedBySql'], false);
  assert.equal((fenced.details['hook'] as { status?: string } | null)?.status, 'succeeded');
  for (const h of [postMaster, post]) {
    assert.equal(h?.successor, idOf(successor));
    assert.equal(h?.isSuccessful, 'true');
    assert.equal(h?.countLostReplicas, '0');
    assert.equal(h?.recoveryUid, uid);
  }
  // what the PreFailover hook printed: in its step's details, on the topic, in the backend row and the api
  const expectedRun = { stdout: 'pre-stdout crash\n', stderr: 'pre-stderr token=[redacted]\n', outputTruncated: false };
  const runOf = (details: unknown): Record<string, unknown> | undefined => ((details as { runs?: Array<Record<string, unknown>> } | null)?.runs ?? [])[0];
  const preEvent = await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'pre-failover-hooks');
  assert.deepEqual(pick(runOf(preEvent.details), expectedRun), expectedRun, 'recovery event');
  const [preRow] = await rowsOf(pipeline.backend, "SELECT details FROM recovery_steps WHERE recovery_uid = ? AND step = 'pre-failover-hooks'", [uid]);
  const rowDetails: unknown = typeof preRow?.['details'] === 'string' ? JSON.parse(preRow['details']) : preRow?.['details'];
  assert.deepEqual(pick(runOf(rowDetails), expectedRun), expectedRun, 'recovery_steps row');
  const api = await startApi(pipeline.config, testLogger('api'), { port: 0 });
  t.after(() => api.stop());
  const answer = await fetch(`${api.url}/api/audit-recovery-steps/${uid}`);
  assert.equal(answer.status, 200);
  const apiSteps = (await answer.json()) as Array<{ Step: string; Details: unknown }>;
  assert.deepEqual(pick(runOf(apiSteps.find((s) => s.Step === 'pre-failover-hooks')?.Details), expectedRun), expectedRun, 'api audit-recovery-steps');
  assert.doesNotMatch(JSON.stringify([preEvent, rowDetails, apiSteps]), new RegExp(hookSecret.value), 'the secret is nowhere in the audit');

  const promoted = await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'promoted');
  t.diagnostic(`crash → promoted (writable) ${Date.parse(promoted.at) - crashedAt} ms, → resolved ${Date.parse(resolved.at) - crashedAt} ms; acked ${written.acked.length}`);
});

/** The keys of `shape` taken from `value` (undefined when it has none). */
function pick(value: Record<string, unknown> | undefined, shape: Record<string, unknown>): Record<string, unknown> | undefined {
  return value && Object.fromEntries(Object.keys(shape).map((k) => [k, value[k]]));
}

/** Gtid_IO_Pos of a replica: what it has received (applied or not). */
const receivedOf = async (i: MariaDbInstance): Promise<string> => (await i.slaveStatus())?.Gtid_IO_Pos ?? '';

test('unequal replicas: the complete one is promoted, not the must_not one further ahead nor the prefer one behind; every acked write kept, the choice in the steps', async (t) => {
  // lagging: its SQL thread stopped, but it has received everything (complete by what it holds);
  // ahead: must_not, has applied everything; behind: prefer, stopped early, and it logs in MIXED,
  // so it cannot replicate from (nor catch up from) a ROW source. The rules require `lagging`:
  // must_not bans `ahead`; `behind` would lose what the others hold (completeness before the rule).
  const topology = await withTopology(t, { replicas: [{ name: 'lagging' }, { name: 'ahead' }, { name: 'behind' }] });
  const [lagging, ahead, behind] = topology.replicas as [MariaDbInstance, MariaDbInstance, MariaDbInstance];
  await pipeline.register(topology, 'unequal');
  await topology.sync({ gtid: await topology.writeRows(20) });
  await setFlag(pipeline.redis, pipeline.keys.candidate('unequal', idOf(ahead)), 600_000, { value: formatCandidateValue({ promotionRule: 'must_not' }) });
  await setFlag(pipeline.redis, pipeline.keys.candidate('unequal', idOf(behind)), 600_000, { value: formatCandidateValue({ promotionRule: 'prefer' }) });
  await lagging.query('STOP SLAVE SQL_THREAD');

  const writer = await topology.startWriter();
  await waitFor(() => writer.ackedCount >= 40, { description: '40 acked writes', timeoutMs: 30_000 });
  await behind.query('STOP SLAVE');
  await behind.query("SET GLOBAL binlog_format = 'MIXED'");
  await waitFor(() => writer.ackedCount >= 80, { description: '80 acked writes', timeoutMs: 30_000 });
  const written = await writer.stop();
  const final = await topology.primary.gtidBinlogPos();
  await ahead.waitForGtid(final);
  await waitFor(async () => (await receivedOf(lagging)) === final, { description: 'lagging has received everything', timeoutMs: 15_000 });
  assert.notEqual(await receivedOf(behind), final, 'behind misses the last writes');
  assert.notDeepEqual(await ackedWritesMissing(behind, written.writer, written.acked), [], 'behind lacks acked writes');
  // the detector sees the rules and the binlog format before the primary dies
  await waitFor(
    () => {
      const seen = new Map((pipeline.detectors[0]?.clusterInstances('unequal') ?? []).map((i) => [i.port, i]));
      return seen.get(ahead.port)?.promotionRule === 'must_not' && seen.get(behind.port)?.promotionRule === 'prefer' && seen.get(behind.port)?.binlogFormat === 'MIXED';
    },
    { description: 'rules and binlog format detected', timeoutMs: 20_000 },
  );

  const crashedAt = Date.now();
  await topology.primary.kill();
  const resolved = await resolvedFor('unequal', crashedAt);
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  assert.equal(resolved.details['successor'], idOf(lagging), 'the complete replica, not the must_not one ahead nor the prefer one behind');
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), ['lagging'], 'exactly one writable primary');
  assert.equal(await lagging.slaveStatus(), null, 'the new primary replicates from nobody');
  await waitReplicating(ahead, lagging);
  assert.deepEqual(await ackedWritesMissing(lagging, written.writer, written.acked), [], 'every acknowledged write is on the new primary (its relay log applied first)');

  const uid = resolved.recoveryUid;
  const chosen = await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'candidate-chosen');
  const ranking = chosen.details['ranking'] as Array<{ replica: { port: number }; eligible: boolean; ineligibleReasons: string[]; holdsAll: boolean; lossFree: boolean; catchUpFrom: unknown; promotionRule: string }>;
  const rankOf = (i: MariaDbInstance) => ranking.find((r) => r.replica.port === i.port);
  assert.deepEqual(ranking.map((r) => r.replica.port), [lagging.port, ahead.port, behind.port], 'the candidate order, best first');
  assert.deepEqual([rankOf(lagging)?.eligible, rankOf(lagging)?.holdsAll, rankOf(lagging)?.lossFree], [true, true, true]);
  assert.equal(rankOf(ahead)?.eligible, false);
  assert.ok(rankOf(ahead)?.ineligibleReasons.includes('banned: promotion rule must_not'), JSON.stringify(rankOf(ahead)));
  assert.equal(rankOf(ahead)?.holdsAll, true, 'the banned replica holds everything too');
  assert.equal(rankOf(behind)?.eligible, true);
  assert.equal(rankOf(behind)?.promotionRule, 'prefer');
  assert.deepEqual([rankOf(behind)?.holdsAll, rankOf(behind)?.lossFree, rankOf(behind)?.catchUpFrom], [false, false, null], 'behind could not catch up from a ROW source');
  // the replica that cannot follow is named lost, with the reason, in the step and the recovery
  const lost = chosen.details['lost'] as Array<{ replica: { port: number }; kind: string; reason: string }>;
  assert.deepEqual(lost.map((l) => [l.replica.port, l.kind]), [[behind.port, 'cannot-replicate']]);
  assert.match(lost[0]?.reason ?? '', /binlog format MIXED is smaller than .*'s ROW/);
  const [row] = await recoveries(pipeline.backend, 'unequal');
  assert.equal(Number(row?.successor_port), lagging.port);
  assert.match(JSON.stringify(row?.lost_replicas ?? null), new RegExp(`${behind.port}`), 'the lost replica is in the recovery row');
  const steps = await stepNames(pipeline.backend, uid);
  assert.ok(steps.includes('sql-thread-applied') || steps.includes('replicas-stopped'), steps.join(', '));
});

test('a must_not replica that alone holds the last writes is not promoted: the recovery fails, says why, and nothing is writable', async (t) => {
  // banned: must_not, has everything; reporting: has everything but logs none of it
  // (log_slave_updates off), so it can neither be promoted nor serve a catch-up; left: stopped
  // early, logs in MIXED, so it cannot catch up from banned (ROW). Without the ban, banned would be
  // the choice (complete, reporting follows it); with it there is no loss-free candidate, and
  // Baton fails rather than lose writes.
  const topology = await withTopology(t, { replicas: [{ name: 'banned' }, { name: 'reporting', options: { 'log-slave-updates': false } }, { name: 'left' }] });
  const [banned, reporting, left] = topology.replicas as [MariaDbInstance, MariaDbInstance, MariaDbInstance];
  await pipeline.register(topology, 'banned');
  await topology.sync({ gtid: await topology.writeRows(20) });
  await setFlag(pipeline.redis, pipeline.keys.candidate('banned', idOf(banned)), 600_000, { value: formatCandidateValue({ promotionRule: 'must_not' }) });
  await left.query('STOP SLAVE');
  await left.query("SET GLOBAL binlog_format = 'MIXED'");
  const last = await topology.writeRows(10);
  await banned.waitForGtid(last);
  await reporting.waitForGtid(last);
  await waitFor(
    () => {
      const seen = new Map((pipeline.detectors[0]?.clusterInstances('banned') ?? []).map((i) => [i.port, i]));
      return seen.get(banned.port)?.promotionRule === 'must_not' && seen.get(left.port)?.binlogFormat === 'MIXED' && seen.get(reporting.port)?.logSlaveUpdates === false;
    },
    { description: 'the rule and the binlog format detected', timeoutMs: 20_000 },
  );

  const crashedAt = Date.now();
  await topology.primary.kill();
  const resolved = await resolvedFor('banned', crashedAt);
  assert.equal(resolved.status, 'failed', JSON.stringify(resolved.details));
  const errors = JSON.stringify(resolved.details['errors']);
  assert.match(errors, new RegExp(`${idOf(left)} \\(the best eligible candidate\\) lacks transactions`), errors);
  assert.match(errors, /cannot catch up from .*binlog format MIXED is smaller/, errors);
  const candidate = await pipeline.waitForEvent((e) => e.recoveryUid === resolved.recoveryUid && e.step === 'candidate');
  const ranking = candidate.details['ranking'] as Array<{ replica: { port: number }; ineligibleReasons: string[] }>;
  assert.ok(ranking.find((r) => r.replica.port === banned.port)?.ineligibleReasons.includes('banned: promotion rule must_not'), JSON.stringify(ranking));
  assert.deepEqual(await writableInstances(topology), [], 'nothing promoted');
  for (const [name, source] of await sourcesOf([banned, reporting])) assert.equal(source.port, topology.primary.port, `${name} still points at the failed primary`);
});

test('PreventCrossDataCenterMasterFailover with no candidate in the failed primary\'s data center: recovery failed, no replica moved', async (t) => {
  const topology = await withTopology(t, { primary: { name: 'dc-east-primary' }, replicas: [{ name: 'dc-west-r1' }, { name: 'dc-west-r2' }, { name: 'dc-west-r3' }] });
  await pipeline.register(topology, 'geo');
  // the data centers as the detector reads them (DetectDataCenterQuery)
  await waitFor(
    () => {
      const seen = pipeline.detectors[0]?.clusterInstances('geo') ?? [];
      return seen.length === 4 && seen.every((i) => i.dataCenter === (i.port === topology.primary.port ? 'east' : 'west'));
    },
    { description: 'data centers east and west detected', timeoutMs: 20_000 },
  );
  const crashedAt = Date.now();
  await topology.primary.kill();
  const resolved = await resolvedFor('geo', crashedAt);
  assert.equal(resolved.status, 'failed');
  assert.match(JSON.stringify(resolved.details['errors']), /data center/);
  const uid = resolved.recoveryUid;
  await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'released', { description: 'lock released' });
  const steps = await stepNames(pipeline.backend, uid);
  assert.ok(steps.includes('candidate') && steps.includes('replication-restarted') && !steps.includes('promoted'), steps.join(', '));
  const sources = await sourcesOf(topology.replicas);
  for (const [name, s] of sources) assert.equal(s.port, topology.primary.port, `${name} still points at the failed primary`);
  assert.deepEqual(await writableInstances(topology), [], 'nothing promoted');
  await waitFor(() => hookLines(hookFile, 'geo').some((h) => h.kind === 'PostUnsuccessfulFailoverProcesses'), { description: 'PostUnsuccessful hook', timeoutMs: 20_000 });
});

test('a hung primary (SIGSTOP, heartbeats every 0.5 s): failed over on the replicas\' evidence, one recovery row, successful; fenced when it wakes', async (t) => {
  const topology = await withTopology(t, { replicas: 3, heartbeat: { periodSeconds: 0.5, netTimeoutSeconds: 30 } });
  await pipeline.register(topology, 'hung');
  await topology.sync({ gtid: await topology.writeRows(10) });
  // every replica's heartbeat count read at least twice by the detector before the freeze
  await waitFor(() => (pipeline.detectors[0]?.clusterInstances('hung') ?? []).filter((i) => i.replication?.sourceSilentMs != null).length === 3, {
    description: 'silence tracked on every replica',
    timeoutMs: 20_000,
  });
  const frozenAt = Date.now();
  await topology.primary.freeze();
  let thawed = false;
  t.after(() => (thawed ? undefined : topology.primary.thaw()));
  const resolved = await resolvedFor('hung', frozenAt);
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  const successor = instanceById(topology, String(resolved.details['successor']));
  const uid = resolved.recoveryUid;
  const promoted = await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'promoted');
  t.diagnostic(`SIGSTOP → promoted ${Date.parse(promoted.at) - frozenAt} ms, → resolved ${Date.parse(resolved.at) - frozenAt} ms`);
  for (const r of topology.replicas.filter((x) => x !== successor)) await waitReplicating(r, successor);
  // later analyses of the old primary (it is DeadMasterWithoutReplicas now) register nothing more
  await waitFor(async () => (await stepNames(pipeline.backend, uid)).includes('released'), { description: 'lock released', timeoutMs: 10_000 });
  const since = Date.now();
  await waitFor(() => pipeline.analyses.filter((a) => a.payload.clusterId === 'hung' && Date.parse(a.payload.analyzedAt) > since).length >= 3, {
    description: 'three more analyses of the cluster',
    timeoutMs: 20_000,
  });
  const rows = await recoveries(pipeline.backend, 'hung');
  assert.deepEqual(rows.map((r) => r.outcome), ['successful'], 'one recovery row, successful');
  // the old primary wakes up: fenced (read_only) by the keeper, never a second writable primary
  await topology.primary.thaw();
  thawed = true;
  await waitFor(async () => Number((await topology.primary.query<{ ro: number }>('SELECT @@read_only AS ro'))[0]?.ro) === 1, { description: 'the woken primary fenced', timeoutMs: 20_000 });
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), [successor.name]);
});

test('a topology restarted on other ports with the same server_ids under the same cluster: every new instance watched, the failover moves every replica', async (t) => {
  // the first run's instances, then dead: the detector still holds them (as a restarted detector
  // starts from the cached snapshot), each with the server_id the new run reuses
  const before = await withTopology(t, { replicas: 3 });
  await pipeline.register(before, 'ghost');
  for (const i of before.instances) await i.kill();
  const restarted = await withTopology(t, { replicas: 3 });
  assert.ok(restarted.instances.every((i) => !before.instances.some((b) => b.port === i.port)), 'other ports');
  await pipeline.command({ kind: 'discover', requestedBy: 'test', instance: key(restarted.primary), alias: 'ghost' });
  // answering, with its data center known (PreventCrossDataCenterMasterFailover is on in this file)
  const watched = () => pipeline.detectors.flatMap((d) => d.clusterInstances('ghost') ?? []).filter((i) => i.lastError === null && i.dataCenter !== '');
  const allWatched = () => restarted.instances.every((r) => watched().some((i) => i.port === r.port));
  const members = () => pipeline.detectors.flatMap((d) => d.clusterInstances('ghost') ?? []).map((i) => `${i.port}:${i.serverId}:${i.lastError ?? 'ok'}`).join(' ');
  await waitFor(allWatched, { description: 'every instance of the restarted topology watched and answering', timeoutMs: 30_000 }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; watched: ${members()}`);
  });
  // and still watched three snapshots later (a second name is dropped after the run that found it)
  const seen = pipeline.snapshotsSeen.get('ghost') ?? 0;
  await waitFor(() => (pipeline.snapshotsSeen.get('ghost') ?? 0) >= seen + 3, { description: 'three more snapshots', timeoutMs: 20_000 });
  assert.ok(allWatched(), `every instance still watched: ${members()}`);
  await restarted.sync({ gtid: await restarted.writeRows(5) });
  const crashedAt = Date.now();
  await restarted.primary.kill();
  const resolved = await resolvedFor('ghost', crashedAt);
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  const successor = instanceById(restarted, String(resolved.details['successor']));
  await assertFailedOverTo(restarted, successor, restarted.replicas.filter((r) => r !== successor));
  assert.deepEqual(resolved.details['lostReplicas'], [], 'no replica lost');
});

test('a failing PreFailover hook: no topology change, the recovery resolved as failed, PostUnsuccessful ran', async (t) => {
  const topology = await withTopology(t, { replicas: 3 });
  await pipeline.register(topology, 'prefail');
  const crashedAt = Date.now();
  await topology.primary.kill();
  const resolved = await resolvedFor('prefail', crashedAt);
  assert.equal(resolved.status, 'failed');
  assert.match(JSON.stringify(resolved.details['errors']), /PreFailoverProcesses/);
  await waitFor(() => hookLines(hookFile, 'prefail').some((h) => h.kind === 'PostUnsuccessfulFailoverProcesses'), { description: 'PostUnsuccessful hook', timeoutMs: 20_000 });
  // a primary killed while it answers a probe can be UnreachableMaster for a moment before it is
  // DeadMaster: each detection runs OnFailureDetectionProcesses, as orchestrator does (its detection
  // index includes is_actionable), so there may be one or two of them before the recovery's hooks
  const kinds = hookLines(hookFile, 'prefail').map((h) => h.kind);
  const detections = kinds.filter((k) => k === 'OnFailureDetectionProcesses').length;
  assert.ok(detections === 1 || detections === 2, `detection hooks: ${kinds.join(', ')}`);
  assert.deepEqual(kinds.slice(detections), ['PreFailoverProcesses', 'PostUnsuccessfulFailoverProcesses']);
  assert.deepEqual(kinds.slice(0, detections), Array(detections).fill('OnFailureDetectionProcesses'));
  const [row] = await recoveries(pipeline.backend, 'prefail');
  assert.equal(row?.outcome, 'failed');
  assert.ok(!(await stepNames(pipeline.backend, resolved.recoveryUid)).includes('replicas-stopped'), 'no replica was even stopped');
  for (const [name, s] of await sourcesOf(topology.replicas)) assert.equal(s.port, topology.primary.port, `${name} untouched`);
  assert.deepEqual(await writableInstances(topology), []);
});

test('the primary cut off from the detector only: no failover', async (t) => {
  const topology = await withTopology(t, { replicas: 3 });
  await pipeline.register(topology, 'cutoff');
  const since = Date.now();
  await topology.primary.cutOffFromMonitor();
  t.after(() => topology.primary.restore());
  await pipeline.waitForCode('cutoff', key(topology.primary), 'UnreachableMaster', { afterMs: since, timeoutMs: 30_000 });
  const seen = pipeline.snapshotsSeen.get('cutoff') ?? 0;
  await waitFor(() => (pipeline.snapshotsSeen.get('cutoff') ?? 0) >= seen + 5, { description: 'five more snapshots', timeoutMs: 30_000 });
  assert.deepEqual(await recoveries(pipeline.backend, 'cutoff'), []);
  assert.ok(!pipeline.events.some((e) => e.payload.clusterId === 'cutoff' && e.payload.step === 'promoted'));
  const [ro] = await topology.primary.query<{ ro: number }>('SELECT @@read_only AS ro');
  assert.equal(Number(ro?.ro), 0, 'the primary is still the writable primary');
  for (const r of topology.replicas) await waitReplicating(r, topology.primary);
});

test('a second death within the block period is blocked and recorded; after an acknowledgement it is recovered', async (t) => {
  const topology = await withTopology(t, { replicas: 3 });
  await pipeline.register(topology, 'flap');
  const firstAt = Date.now();
  await topology.primary.kill();
  const first = await resolvedFor('flap', firstAt);
  assert.equal(first.status, 'succeeded');
  const s1 = instanceById(topology, String(first.details['successor']));
  const rest = topology.replicas.filter((r) => r !== s1);
  await assertFailedOverTo(topology, s1, rest);
  // the detector follows the new topology before the second death: s1 seen as a primary (an older
  // probe of it as a replica would make its death a DeadIntermediateMaster), both replicas under it
  await waitFor(
    () => {
      const seen = pipeline.detectors[0]?.clusterInstances('flap') ?? [];
      const s1Seen = seen.find((i) => i.port === s1.port);
      return s1Seen?.replication === null && seen.filter((i) => i.replication?.sourcePort === s1.port && i.replication.ioThread === 'Yes').length === 2;
    },
    { description: 'the new primary and both replicas under it seen', timeoutMs: 30_000 },
  );

  const secondAt = Date.now();
  await s1.kill();
  // (an analysis still about the first failover may be blocked too: only s1's counts here)
  const blocked = await pipeline.waitForEvent((e) => e.clusterId === 'flap' && e.step === 'blocked' && e.details['failed'] === idOf(s1), {
    afterMs: secondAt,
    description: 'the second recovery blocked',
  });
  assert.equal(blocked.details['reason'], 'recently-promoted');
  assert.equal(blocked.details['blockingUid'], first.recoveryUid);
  await waitFor(async () => (await rowsOf(pipeline.backend, 'SELECT reason FROM blocked_recoveries WHERE cluster_id = ? AND port = ?', ['flap', s1.port])).length === 1, {
    description: 'blocked attempt recorded',
    timeoutMs: 10_000,
  });
  assert.equal((await recoveries(pipeline.backend, 'flap')).length, 1, 'no second recovery yet');

  const ackAt = Date.now();
  await pipeline.command({ kind: 'ack-recoveries', requestedBy: 'test', scope: 'cluster', clusterId: 'flap', comment: 'flapping checked' });
  const second = await resolvedFor('flap', ackAt);
  assert.equal(second.status, 'succeeded', JSON.stringify(second.details));
  const s2 = instanceById(topology, String(second.details['successor']));
  await assertFailedOverTo(topology, s2, rest.filter((r) => r !== s2));
  const rows = await recoveries(pipeline.backend, 'flap');
  assert.equal(rows.length, 2);
  assert.equal(Number((await rowsOf(pipeline.backend, 'SELECT acknowledged FROM recoveries WHERE uid = ?', [first.recoveryUid]))[0]?.['acknowledged']), 1);
});

test('two executors watching the same analyses: one recovery, never two promotions', async (t) => {
  const other = await pipeline.startExecutor({ groupId: uniqueName('other-executor'), label: 'executor-2' });
  await waitFor(() => other.executor.warmedUp() && pipeline.executors.every((e) => e.executor.warmedUp()), { description: 'both executors warmed up', timeoutMs: 20_000 });
  const topology = await withTopology(t, { replicas: 3 });
  await pipeline.register(topology, 'twins');
  const crashedAt = Date.now();
  await topology.primary.kill();
  const resolved = await resolvedFor('twins', crashedAt);
  assert.equal(resolved.status, 'succeeded');
  // the executor that did not recover saw the same analyses and was stopped by the one that did's block
  const [row] = await recoveries(pipeline.backend, 'twins');
  const loser = pipeline.executors.find((e) => e.owner !== row?.processing_node);
  assert.ok(loser, `the recovery ran on one of the executors (${row?.processing_node})`);
  // blocked while the winner's recovery runs, or skipped as already recovered once it has resolved
  await pipeline.waitForEvent(
    (e) => e.clusterId === 'twins' && e.details['owner'] === loser.owner && (e.step === 'blocked' || (e.step === 'recovery-skipped' && e.details['reason'] === 'already-recovered')),
    { afterMs: crashedAt, description: 'the other executor blocked or skipped' },
  );
  const successor = instanceById(topology, String(resolved.details['successor']));
  await assertFailedOverTo(topology, successor, topology.replicas.filter((r) => r !== successor));
  assert.equal((await recoveries(pipeline.backend, 'twins')).length, 1);
  const promotions = pipeline.events.filter((e) => e.payload.clusterId === 'twins' && e.payload.step === 'promoted');
  assert.equal(promotions.length, 1, 'one promotion');
  // a result is kept once the recovery's post hooks are done, a moment after its 'resolved' event
  const twinsResults = () => pipeline.executors.flatMap((e) => e.executor.results()).filter((r) => r.clusterId === 'twins');
  await waitFor(() => twinsResults().length > 0, { description: 'the recovery result kept', timeoutMs: 30_000 });
  const ran = twinsResults();
  assert.deepEqual(ran.map((r) => r.outcome), ['successful'], 'one executor ran one recovery; the other never got past registration');
});

test('recoveries disabled globally: the detection is registered, no recovery runs; a forced recover still works', async (t) => {
  const topology = await withTopology(t, { replicas: 3 });
  await pipeline.register(topology, 'disabled');
  await pipeline.command({ kind: 'disable-global-recoveries', requestedBy: 'test' });
  t.after(() => pipeline.command({ kind: 'enable-global-recoveries', requestedBy: 'test' }));
  await waitFor(async () => (await pipeline.redis.exists(pipeline.keys.recoveriesDisabled())) === 1, { description: 'switch off', timeoutMs: 10_000 });
  const crashedAt = Date.now();
  await topology.primary.kill();
  const skipped = await pipeline.waitForEvent((e) => e.clusterId === 'disabled' && e.step === 'recovery-skipped', { afterMs: crashedAt, description: 'recovery skipped' });
  assert.equal(skipped.details['reason'], 'recoveries-disabled');
  await waitFor(async () => (await rowsOf(pipeline.backend, 'SELECT uid FROM failure_detections WHERE cluster_id = ? AND port = ?', ['disabled', topology.primary.port])).length === 1, {
    description: 'the detection registered',
    timeoutMs: 10_000,
  });
  assert.deepEqual(await recoveries(pipeline.backend, 'disabled'), []);
  const switched = await rowsOf(pipeline.backend, 'SELECT enabled, changed_by FROM global_recovery_switch_history ORDER BY id DESC LIMIT 1');
  assert.equal(Number(switched[0]?.['enabled']), 0);

  const forcedAt = Date.now();
  await pipeline.command({ kind: 'recover', requestedBy: 'test', clusterId: 'disabled', instance: key(topology.primary), skipProcesses: false, commandHint: '', requestId: 'force-1' });
  const resolved = await resolvedFor('disabled', forcedAt);
  assert.equal(resolved.status, 'succeeded');
  const successor = instanceById(topology, String(resolved.details['successor']));
  await assertFailedOverTo(topology, successor, topology.replicas.filter((r) => r !== successor));
  const [row] = await recoveries(pipeline.backend, 'disabled');
  assert.equal(Number(row?.forced), 1);
  assert.equal(row?.request_id, 'force-1');
});
