// The `summary` event: exactly one per resolved recovery, right after its `resolved` step, with
// everything an alert needs (successor, outcome, lost replicas with reasons, the loss report,
// phases, timestamps), valid against the recovery-event contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope, encodeMessage, topics, type RecoveryEventOf } from '@baton/contracts';
import { analysisOf, deadPrimaryCluster, harness, healthyCluster, type Harness } from './fakes.ts';

interface Case {
  name: string;
  env?: Record<string, string>;
  arrange(h: Harness): void;
  analysis?: () => ReturnType<typeof analysisOf>;
  expect: { outcome: string; status: string; successor: string | null; lost: string[]; lossReport: boolean; promoted: boolean };
}

const crossDc = { primaryDataCenter: 'east', dataCenters: ['west', 'west', 'west'] };
const cases: Case[] = [
  {
    name: 'a failover with a replica that could not be moved',
    arrange: (h) => {
      h.topology.refreshed = () => deadPrimaryCluster({ seqs: [105, 100, 100] });
      h.topology.failMoves.add('db4:3306');
    },
    expect: { outcome: 'successful', status: 'succeeded', successor: 'db2:3306', lost: ['db4:3306'], lossReport: true, promoted: true },
  },
  {
    name: 'no candidate (cross data center refused): failed, nobody promoted',
    env: { BATON__RECOVERY__PREVENT_CROSS_DATA_CENTER_MASTER_FAILOVER: 'true' },
    arrange: (h) => void (h.topology.refreshed = () => deadPrimaryCluster(crossDc)),
    analysis: () => analysisOf(deadPrimaryCluster(crossDc)),
    expect: { outcome: 'failed', status: 'failed', successor: null, lost: [], lossReport: false, promoted: false },
  },
  {
    name: 'the problem was gone on the executor\u2019s own probes',
    arrange: (h) => void (h.topology.refreshed = () => healthyCluster()),
    expect: { outcome: 'not-needed', status: 'skipped', successor: null, lost: [], lossReport: false, promoted: false },
  },
];

for (const c of cases) {
  test(`summary: ${c.name}`, async () => {
    const h = harness(c.env ? { env: c.env } : {});
    c.arrange(h);
    h.executor.handleAnalysis((c.analysis ?? (() => analysisOf(deadPrimaryCluster())))(), 'det-1');
    await h.settle();
    const steps = h.steps();
    assert.equal(steps.filter((s) => s.startsWith('summary:')).length, 1, steps.join(' '));
    assert.equal(steps[steps.indexOf(`summary:${c.expect.status}`) - 1]?.split(':')[0], 'resolved', 'right after the resolving step');
    const summary = h.events.find((e): e is RecoveryEventOf<'summary'> => e.step === 'summary');
    assert.ok(summary);
    const d = summary.details;
    assert.equal(summary.clusterId, 'c1');
    assert.equal(d.outcome, c.expect.outcome);
    assert.equal(d.successor, c.expect.successor);
    assert.equal(d.failed, 'db1:3306');
    assert.equal(d.analysisCode, 'DeadMaster');
    assert.equal(d.detectionUid, 'det-1');
    assert.deepEqual(d.lostReplicas.map((l) => l.instance), c.expect.lost);
    for (const l of d.lostReplicas) assert.ok(l.kind !== '' && l.reason !== '', 'every lost replica has its reason');
    assert.equal(d.lostTransactions !== null, c.expect.lossReport);
    if (d.lostTransactions) assert.equal(d.lostTransactions.complete, false, 'the dead primary is not examined yet');
    assert.ok(Date.parse(d.startedAt) <= Date.parse(d.endedAt));
    assert.equal(summary.recoveryUid !== '', true);
    // the trail's phases (metrics.ts reads the same): claimed and resolved were seen here
    assert.notEqual(d.phases.detectionToClaimMs, null);
    assert.notEqual(d.phases.totalMs, null);
    assert.equal(d.phases.claimToPromotedMs !== null, c.expect.promoted);
    // what the executor publishes passes the contract
    assert.doesNotThrow(() => encodeMessage(topics.recoveryEvents, createEnvelope('recovery-event', summary, { producer: 'test' })));
    for (const e of h.events) encodeMessage(topics.recoveryEvents, createEnvelope('recovery-event', e, { producer: 'test' }));
  });
}
