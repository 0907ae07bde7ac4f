import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterSnapshot, Envelope } from '@baton/contracts';
import { silentLogger } from '@baton/logging';
import { waitFor } from '@baton/testing';
import { SnapshotAnalyzer, type AnalysisPublisher, type ChangelogRow, type SnapshotAnalyzerOptions } from '../src/index.ts';
import { T0, deadPrimaryCluster, deadPrimaryOneReplicaDeadCluster, healthyCluster, lockedSemiSyncCluster } from './snapshots.ts';

interface Harness {
  analyzer: SnapshotAnalyzer;
  published: Array<{ key: string; envelope: Envelope<'analysis'> }>;
  cached: ClusterSnapshot[];
  changelog: ChangelogRow[];
  /** what happened, in order: publish / cache / changelog */
  events: string[];
  /** the next publish rejects with this error */
  failNextPublish(error: Error): void;
}

function harness(over: Partial<SnapshotAnalyzerOptions> = {}): Harness {
  const published: Harness['published'] = [];
  const cached: ClusterSnapshot[] = [];
  const changelog: ChangelogRow[] = [];
  const events: string[] = [];
  let failure: Error | undefined;
  let ids = 0;
  const publisher: AnalysisPublisher = {
    async publish(key, envelope) {
      if (failure) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      events.push('publish');
      published.push({ key, envelope });
    },
  };
  const analyzer = new SnapshotAnalyzer({
    policy: { includeDowntimed: true },
    publisher,
    cache: {
      async put(snapshot) {
        events.push('cache');
        cached.push(snapshot);
      },
    },
    changelog: {
      async append(rows) {
        events.push('changelog');
        changelog.push(...rows);
      },
    },
    logger: silentLogger(),
    clock: () => new Date(T0 + 5),
    newDetectionId: () => `det-${++ids}`,
    ...over,
  });
  return { analyzer, published, cached, changelog, events, failNextPublish: (e) => (failure = e) };
}

let messages = 0;
const meta = () => ({ messageId: `m-${++messages}` });
const at = (n: number) => ({ observedAt: T0 + n * 1000, sequence: n + 1 });

test('a healthy cluster publishes nothing, but is cached; no change-log row for a first NoProblem', async () => {
  const h = harness();
  const outcome = await h.analyzer.handle(healthyCluster(), meta());
  assert.equal(outcome.kind, 'analysed');
  assert.equal(h.published.length, 0);
  await h.analyzer.drain();
  assert.equal(h.cached.length, 1);
  assert.deepEqual(h.changelog, []);
});

test('a dead primary is published keyed by cluster, at the snapshot time, with a detection id as correlationId', async () => {
  const h = harness();
  const outcome = await h.analyzer.handle(deadPrimaryCluster(), meta());
  assert.equal(outcome.kind, 'published');
  const [sent] = h.published;
  assert.ok(sent);
  assert.equal(sent.key, 'c1');
  assert.equal(sent.envelope.type, 'analysis');
  assert.equal(sent.envelope.producer, 'analyzer');
  assert.equal(sent.envelope.correlationId, 'det-1');
  const a = sent.envelope.payload;
  assert.equal(a.hasProblem, true);
  assert.equal(a.snapshotObservedAt, new Date(T0).toISOString());
  assert.equal(a.analyzedAt, new Date(T0 + 5).toISOString());
  assert.equal(sent.envelope.occurredAt, a.analyzedAt);
  assert.deepEqual(
    a.entries.map((e) => [e.instance.host, e.code]),
    [
      ['db1', 'DeadMaster'],
      ['db2', 'FirstTierReplicaFailingToConnectToMaster'],
      ['db3', 'FirstTierReplicaFailingToConnectToMaster'],
    ],
  );
  assert.equal(a.entries[0]?.isActionable, true);
  assert.equal(a.entries[0]?.flags?.['IsClusterMaster'], true);
  await h.analyzer.drain();
  assert.deepEqual(
    h.changelog.map((r) => [r.clusterId, r.host, r.port, r.analysis, r.countReplicas]),
    [
      ['c1', 'db1', 3306, 'DeadMaster', 2],
      ['c1', 'db2', 3306, 'FirstTierReplicaFailingToConnectToMaster', 0],
      ['c1', 'db3', 3306, 'FirstTierReplicaFailingToConnectToMaster', 0],
    ],
  );
});

test('the detection id holds while the problem set holds, changes with it, and the all-clear carries the last one', async () => {
  const h = harness();
  await h.analyzer.handle(healthyCluster(at(0)), meta());
  await h.analyzer.handle(deadPrimaryCluster(at(1)), meta());
  await h.analyzer.handle(deadPrimaryCluster(at(2)), meta());
  await h.analyzer.handle(deadPrimaryOneReplicaDeadCluster(at(3)), meta());
  await h.analyzer.handle(healthyCluster(at(4)), meta());
  await h.analyzer.handle(healthyCluster(at(5)), meta());
  assert.deepEqual(
    h.published.map((p) => [p.envelope.correlationId, p.envelope.payload.hasProblem, p.envelope.payload.entries[0]?.code ?? null]),
    [
      ['det-1', true, 'DeadMaster'],
      ['det-1', true, 'DeadMaster'],
      ['det-2', true, 'DeadMasterAndSomeReplicas'],
      ['det-2', false, null],
    ],
  );
  assert.equal(h.analyzer.detectionOf('c1'), undefined);
  await h.analyzer.drain();
  assert.deepEqual(
    h.changelog.filter((r) => r.host === 'db1').map((r) => r.analysis),
    ['DeadMaster', 'DeadMasterAndSomeReplicas', 'NoProblem'],
    'one row per change of the primary, none for a repeat',
  );
});

test('clusters are independent: each has its own detection', async () => {
  const h = harness();
  await h.analyzer.handle(deadPrimaryCluster({ clusterId: 'a' }), meta());
  await h.analyzer.handle(deadPrimaryCluster({ clusterId: 'b' }), meta());
  await h.analyzer.handle(healthyCluster({ clusterId: 'a', ...at(1) }), meta());
  assert.deepEqual(
    h.published.map((p) => [p.key, p.envelope.correlationId, p.envelope.payload.hasProblem]),
    [
      ['a', 'det-1', true],
      ['b', 'det-2', true],
      ['a', 'det-1', false],
    ],
  );
  assert.equal(h.analyzer.detectionOf('b'), 'det-2');
});

test('a redelivered message and an older snapshot of the same detector are skipped; another detector is heard', async () => {
  const h = harness();
  const first = { messageId: 'same' };
  await h.analyzer.handle(deadPrimaryCluster(at(5)), first);
  assert.deepEqual(await h.analyzer.handle(deadPrimaryCluster(at(5)), first), { kind: 'skipped', reason: 'duplicate-message' });
  assert.deepEqual(await h.analyzer.handle(healthyCluster(at(4)), meta()), { kind: 'skipped', reason: 'older-snapshot' });
  // a restarted detector starts its sequence again, a skewed one may be behind: both still count
  assert.equal((await h.analyzer.handle(deadPrimaryCluster({ observedAt: T0 + 6000, sequence: 1 }), meta())).kind, 'published');
  assert.equal((await h.analyzer.handle(healthyCluster({ detectorId: 'd2', observedAt: T0, sequence: 1 }), meta())).kind, 'published');
  assert.equal(h.published.length, 3);
  assert.equal(h.analyzer.stats().skipped, 2);
});

test('publish first; the cache and change-log writes are not awaited', async () => {
  let releaseCache!: () => void;
  const h = harness({
    cache: { put: () => new Promise<void>((resolve) => (releaseCache = resolve)) },
  });
  const outcome = await h.analyzer.handle(deadPrimaryCluster(), meta());
  assert.equal(outcome.kind, 'published', 'handle resolved while the cache write hangs');
  assert.deepEqual(h.events.slice(0, 1), ['publish']);
  assert.equal(await h.analyzer.drain(50), false, 'the cache write is still pending');
  releaseCache();
  assert.equal(await h.analyzer.drain(), true);
});

test('cache and change-log failures are logged, never thrown back', async () => {
  const h = harness({
    cache: { put: async () => Promise.reject(new Error('redis down')) },
    changelog: { append: async () => Promise.reject(new Error('backend down')) },
  });
  const outcome = await h.analyzer.handle(deadPrimaryCluster(), meta());
  assert.equal(outcome.kind, 'published');
  await h.analyzer.drain();
  assert.deepEqual(h.analyzer.stats().background, { started: 2, failed: 2, dropped: 0 });
});

test('a failed publish leaves the cluster as it was: the retry publishes, nothing is cached or logged twice', async () => {
  const h = harness();
  h.failNextPublish(new Error('broker away'));
  const snapshot = deadPrimaryCluster();
  const m = meta();
  await assert.rejects(h.analyzer.handle(snapshot, m), /broker away/);
  await h.analyzer.drain();
  assert.deepEqual(h.events, [], 'no cache or change-log write before the analysis is out');
  const retry = await h.analyzer.handle(snapshot, m);
  assert.equal(retry.kind, 'published', 'the same message is not taken for a duplicate');
  await h.analyzer.drain();
  assert.equal(h.changelog.filter((r) => r.host === 'db1').length, 1);
});

test('a downtimed dead primary is still published (IncludeDowntimed), marked skippable', async () => {
  const h = harness();
  await h.analyzer.handle(deadPrimaryCluster({}, { downtime: { owner: 'ops', reason: 'maintenance', endsAt: null } }), meta());
  const entry = h.published[0]?.envelope.payload.entries[0];
  assert.equal(entry?.code, 'DeadMaster');
  assert.equal(entry?.isDowntimed, true);
  assert.equal(entry?.skippableDueToDowntime, true);
});

test('stale binlog coordinates are remembered per cluster between snapshots', async () => {
  const h = harness({ policy: { reasonableReplicationLagSeconds: 10 } });
  await h.analyzer.handle(lockedSemiSyncCluster(at(0)), meta());
  await h.analyzer.handle(lockedSemiSyncCluster({ clusterId: 'other', ...at(0) }), meta());
  await h.analyzer.handle(lockedSemiSyncCluster(at(11)), meta());
  const codes = h.published.map((p) => [p.key, p.envelope.payload.entries[0]?.code]);
  assert.deepEqual(codes, [
    ['c1', 'LockedSemiSyncMasterHypothesis'],
    ['other', 'LockedSemiSyncMasterHypothesis'],
    ['c1', 'LockedSemiSyncMaster'],
  ]);
  assert.equal(h.published[2]?.envelope.payload.entries[0]?.flags?.['IsStaleBinlogCoordinates'], true);
  assert.notEqual(h.published[2]?.envelope.correlationId, h.published[0]?.envelope.correlationId, 'Hypothesis → Locked is a new problem');
});

test('structure warnings alone are published once when they change, with hasProblem false', async () => {
  const h = harness();
  const readOnlyPrimary = healthyCluster({}, { readOnly: true });
  const outcome = await h.analyzer.handle(readOnlyPrimary, meta());
  assert.equal(outcome.kind, 'published');
  assert.equal(h.published.length, 1);
  assert.equal(h.published[0]?.envelope.payload.hasProblem, false);
  assert.deepEqual(h.published[0]?.envelope.payload.entries[0]?.structureWarnings, ['NoWriteableMasterStructureWarning']);
  await h.analyzer.handle(healthyCluster({}, { readOnly: true }), meta());
  assert.equal(h.published.length, 1, 'the same warnings are not published again');
  await waitFor(() => h.changelog.length === 1, { description: 'a change-log row for the warning' });
  assert.deepEqual(h.changelog[0]?.structureWarnings, ['NoWriteableMasterStructureWarning']);
});

test('RecoveryIgnoreHostnameFilters hide an instance from the message and the change log', async () => {
  const h = harness({ policy: { includeDowntimed: true, recoveryIgnoreHostnameFilters: ['^db1$'] } });
  await h.analyzer.handle(deadPrimaryCluster(), meta());
  assert.deepEqual(h.published[0]?.envelope.payload.entries.map((e) => e.instance.host), ['db2', 'db3']);
  await h.analyzer.drain();
  assert.ok(h.changelog.every((r) => r.host !== 'db1'));
});
