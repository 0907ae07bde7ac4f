/**
 * Issue 16's Done-when for a dead intermediate primary, through the whole pipeline in-process
 * (detector → analyzer → recovery executor → hook-runner) against the real broker, Redis, backend
 * and MariaDB: a chained topology — primary → intermediate → 2 replicas, and a sibling of the
 * intermediate under the primary — with a steady writer on the primary. kill -9 of the
 * intermediate: its replicas replicate from the sibling or the primary, the recovery is resolved
 * successful, PostIntermediateMasterFailoverProcesses ran (a hook appending its values to a file),
 * and every acknowledged write is on the relocated replicas.
 *
 * Only RecoverIntermediateMasterClusterFilters opts the cluster in (RecoverMasterClusterFilters
 * stays at its default, []): a dead intermediate primary is recovered on its own filter.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, withTopology } from '@baton/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { ackedWritesMissing, hookLineFormat, hookLines, idOf, recoveries, sourcesOf, stepNames } from '../support/failover.ts';

const admin = { user: 'baton', password: 'baton-pass' };
const hookDir = mkdtempSync(join(tmpdir(), 'baton-im-hooks-'));
const hookFile = join(hookDir, 'hooks.log');
const hook = (name: string): string => JSON.stringify([{ name, argv: ['sh', '-c', `${hookLineFormat} >> '${hookFile}'`], timeoutMs: 5000 }]);
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipeline({
    admin,
    label: 'intermediate',
    executors: 1,
    hookRunner: true,
    env: {
      BATON__RECOVERY__RECOVER_INTERMEDIATE_MASTER_CLUSTER_FILTERS: '["*"]',
      BATON__RECOVERY__PRE_FAILOVER_PROCESSES: hook('pre'),
      BATON__RECOVERY__POST_MASTER_FAILOVER_PROCESSES: hook('post-master'),
      BATON__RECOVERY__POST_INTERMEDIATE_MASTER_FAILOVER_PROCESSES: hook('post-intermediate'),
      BATON__RECOVERY__POST_FAILOVER_PROCESSES: hook('post'),
      BATON__RECOVERY__POST_UNSUCCESSFUL_FAILOVER_PROCESSES: hook('post-unsuccessful'),
    },
  });
});
after(async () => {
  await pipeline?.stop();
  rmSync(hookDir, { recursive: true, force: true });
});

test('kill -9 of an intermediate primary under write load: its replicas replicate from the sibling or the primary, resolved successful, PostIntermediateMasterFailover ran, no acked write lost', async (t) => {
  const topology = await withTopology(t, { replicas: [{ name: 'intermediate', replicas: 2 }, { name: 'sibling' }] });
  const intermediate = topology.instance('intermediate');
  const sibling = topology.instance('sibling');
  const moved = topology.childrenOf(intermediate);
  assert.equal(moved.length, 2);
  await pipeline.register(topology, 'chain');
  // the detector sees the whole chain before the crash (the intermediate's replicas included)
  await waitFor(() => (pipeline.detectors[0]?.clusterInstances('chain') ?? []).filter((i) => i.lastError === null).length === 5, {
    description: 'the five instances of the chain seen',
    timeoutMs: 30_000,
  });
  const writer = await topology.startWriter();
  await waitFor(() => writer.ackedCount >= 100, { description: '100 acked writes', timeoutMs: 30_000 });

  const killedAt = Date.now();
  await intermediate.kill();
  const resolved = await pipeline.waitForEvent((e) => e.clusterId === 'chain' && e.step === 'resolved', { afterMs: killedAt, timeoutMs: 60_000, description: 'the recovery of the intermediate resolved' });
  const resolvedAt = Date.now();
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  assert.deepEqual(resolved.details['lostReplicas'], []);
  const successor = String(resolved.details['successor']);
  assert.ok([idOf(sibling), idOf(topology.primary)].includes(successor), `the replicas went under the sibling or the primary (${successor})`);

  // both replicas replicate from the sibling or the primary
  const newSources = [sibling.port, topology.primary.port];
  await waitFor(
    async () => {
      const sources = await sourcesOf(moved);
      return moved.every((m) => {
        const s = sources.get(m.name);
        return s?.port !== null && s?.port !== undefined && newSources.includes(s.port) && s.io === 'Yes';
      });
    },
    { description: 'both replicas of the intermediate replicating from the sibling or the primary', timeoutMs: 20_000 },
  );
  const written = await writer.stop();
  assert.ok(written.acked.length >= 100);
  // every acknowledged write reaches the relocated replicas through their new source
  await topology.sync({ instances: [sibling, ...moved], timeoutMs: 20_000 });
  for (const m of moved) assert.deepEqual(await ackedWritesMissing(m, written.writer, written.acked), [], `every acknowledged write is on ${m.name}`);
  assert.deepEqual(await ackedWritesMissing(sibling, written.writer, written.acked), [], 'and on the sibling');
  const [ro] = await topology.primary.query<{ ro: number }>('SELECT @@read_only AS ro');
  assert.equal(Number(ro?.ro), 0, 'the primary is still the writable primary: nothing was promoted');

  // the same crash-safe, journaled, audited path as a dead primary's
  const uid = resolved.recoveryUid;
  await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'released', { description: 'lock released', timeoutMs: 30_000 });
  const [row, ...more] = await recoveries(pipeline.backend, 'chain');
  assert.equal(more.length, 0, 'one recovery');
  assert.equal(row?.outcome, 'successful');
  assert.equal(Number(row?.failed_port), intermediate.port);
  await waitFor(async () => (await stepNames(pipeline.backend, uid)).includes('released'), { description: 'step rows written', timeoutMs: 10_000 });
  const steps = await stepNames(pipeline.backend, uid);
  for (const s of ['registered', 'claimed', 'refreshed', 're-checked', 'pre-failover-hooks', 'replicas-stopped', 'relocation-planned', 'relocation-target-ready', 'replicas-moved', 'resolved', 'summary', 'post-intermediate-master-failover-hooks', 'post-failover-hooks']) {
    assert.ok(steps.includes(s), `step ${s} recorded (${steps.join(', ')})`);
  }
  for (const s of ['fenced', 'promoted', 'post-master-failover-hooks']) assert.ok(!steps.includes(s), `no ${s} step for an intermediate (${steps.join(', ')})`);
  const planned = await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'relocation-planned');
  const plannedMoves = planned.details['moves'] as Array<{ target: string; replicas: string[] }>;
  assert.deepEqual(plannedMoves.flatMap((m) => m.replicas).sort(), moved.map(idOf).sort(), planned.message);
  const summary = await pipeline.waitForEvent((e) => e.recoveryUid === uid && e.step === 'summary');
  t.diagnostic(`kill -9 → resolved seen after ${resolvedAt - killedAt} ms; ${planned.message}; ${resolved.message}`);
  assert.match(String(summary.details['analysisCode']), /^DeadIntermediateMaster/);

  // the hooks: PostIntermediateMasterFailover, then PostFailover, with the successor and the intermediate's values
  await waitFor(() => hookLines(hookFile, 'chain').some((h) => h.kind === 'PostFailoverProcesses'), { description: 'PostFailover hook ran', timeoutMs: 20_000 });
  const lines = hookLines(hookFile, 'chain').filter((h) => h.recoveryUid === uid);
  assert.deepEqual(
    lines.map((h) => h.kind),
    ['PreFailoverProcesses', 'PostIntermediateMasterFailoverProcesses', 'PostFailoverProcesses'],
  );
  const post = lines[1];
  assert.equal(post?.failed, idOf(intermediate));
  assert.equal(post?.successor, successor);
  assert.equal(post?.isSuccessful, 'true');
  assert.match(post?.failureType ?? '', /^DeadIntermediateMaster/);
  assert.equal(post?.replicaHosts.split(',').sort().join(','), moved.map(idOf).sort().join(','));
});


test('kill -9 of an intermediate primary whose sibling does not replicate: its replicas move up under the primary', async (t) => {
  const topology = await withTopology(t, { replicas: [{ name: 'intermediate', replicas: 2 }, { name: 'sibling' }] });
  const intermediate = topology.instance('intermediate');
  const sibling = topology.instance('sibling');
  const moved = topology.childrenOf(intermediate);
  await pipeline.register(topology, 'chain-up');
  await sibling.query('STOP SLAVE SQL_THREAD');
  await waitFor(
    () => {
      const seen = pipeline.detectors[0]?.clusterInstances('chain-up') ?? [];
      return seen.filter((i) => i.lastError === null).length === 5 && seen.some((i) => i.port === sibling.port && i.replication?.sqlThread === 'No');
    },
    { description: 'the chain seen, the sibling not replicating', timeoutMs: 30_000 },
  );
  const writer = await topology.startWriter();
  await waitFor(() => writer.ackedCount >= 50, { description: '50 acked writes', timeoutMs: 30_000 });
  const killedAt = Date.now();
  await intermediate.kill();
  const resolved = await pipeline.waitForEvent((e) => e.clusterId === 'chain-up' && e.step === 'resolved', { afterMs: killedAt, timeoutMs: 60_000, description: 'the recovery resolved' });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  assert.equal(resolved.details['successor'], idOf(topology.primary), 'up to the intermediate’s own source');
  const planned = await pipeline.waitForEvent((e) => e.recoveryUid === resolved.recoveryUid && e.step === 'relocation-planned');
  const siblings = planned.details['siblings'] as Array<{ sibling: string; eligible: boolean; reasons: string[] }>;
  assert.deepEqual(siblings.map((s) => [s.sibling, s.eligible]), [[idOf(sibling), false]]);
  assert.match(siblings[0]?.reasons.join() ?? '', /not replicating/);
  const written = await writer.stop();
  await topology.sync({ instances: moved, timeoutMs: 20_000 });
  for (const m of moved) {
    const s = (await sourcesOf([m])).get(m.name);
    assert.equal(s?.port, topology.primary.port, `${m.name} replicates from the primary`);
    assert.deepEqual(await ackedWritesMissing(m, written.writer, written.acked), [], `every acknowledged write is on ${m.name}`);
  }
  await waitFor(() => hookLines(hookFile, 'chain-up').some((h) => h.recoveryUid === resolved.recoveryUid && h.kind === 'PostIntermediateMasterFailoverProcesses'), {
    description: 'PostIntermediateMasterFailover ran',
    timeoutMs: 20_000,
  });
});
