/**
 * A hung primary from the replicas' own evidence: replicas whose IO thread still says Yes, but which
 * have received nothing (no event, no heartbeat) for `silentSourceHeartbeats` heartbeat periods,
 * count as not replicating. With the primary not answering and every replica agreeing, that is
 * DeadMaster before slave_net_timeout; a primary that is merely slow still feeds its replicas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceObservation } from '@baton/contracts';
import { analyze, isReplicating, isSourceSilent, type AnalysisPolicyInput } from '../src/index.ts';
import { NOW, dead, primary, replica, snapshot, type Mod } from './builders.ts';

/** IO and SQL threads Yes; nothing received for `silentMs` with a heartbeat every `period` s. */
const silentFor =
  (silentMs: number | null, period: number | null = 0.5): Mod =>
  (i) => ({ ...i, replication: i.replication && { ...i.replication, heartbeatPeriodSeconds: period, receivedHeartbeats: 40, sourceSilentMs: silentMs } });

function primaryCode(instances: InstanceObservation[], policy: AnalysisPolicyInput = {}): string | undefined {
  return analyze(snapshot(instances), NOW, policy).find((e) => e.instance.host === 'p1')?.code;
}

const cluster = (p: InstanceObservation, ...silences: Mod[]) => [p, ...silences.map((s, n) => replica(`r${n + 1}`, p, s))];

test('isSourceSilent: at least n heartbeat periods of silence, with the IO thread running; no evidence is not silence', () => {
  const p = primary('p1');
  const r = (mod: Mod) => replica('r1', p, mod).replication;
  assert.equal(isSourceSilent(r(silentFor(1000)), 2), true, '2 × 0.5 s');
  assert.equal(isSourceSilent(r(silentFor(999)), 2), false);
  assert.equal(isSourceSilent(r(silentFor(1999, 1)), 2), false, 'periods of the replica\'s own heartbeat');
  assert.equal(isSourceSilent(r(silentFor(2000, 1)), 2), true);
  assert.equal(isSourceSilent(r(silentFor(null)), 2), false, 'unknown');
  assert.equal(isSourceSilent(r(silentFor(60_000, 0)), 2), false, 'heartbeats off: an idle source sends nothing');
  assert.equal(isSourceSilent(r(silentFor(60_000, null)), 2), false);
  assert.equal(isSourceSilent(r(silentFor(60_000)), 0), false, 'the rule off');
  const connecting = replica('r1', p, silentFor(60_000), (i) => ({ ...i, replication: i.replication && { ...i.replication, ioThread: 'Connecting' as const } })).replication;
  assert.equal(isSourceSilent(connecting, 2), false, 'an IO thread that gave up says so itself');
  assert.equal(isReplicating(r(silentFor(1000)), 2), false);
  assert.equal(isReplicating(r(silentFor(1000)), 0), true, 'without the rule: both threads run');
  assert.equal(isReplicating(r(silentFor(999)), 2), true);
});

// The primary's probe failed (a hung server times out; `dead` is a failed probe either way).
test('a primary that does not answer, whose replicas all went silent, is DeadMaster before their IO threads give up', () => {
  const p = primary('p1', dead);
  assert.equal(primaryCode(cluster(p, silentFor(1200), silentFor(1000), silentFor(5000))), 'DeadMaster');
});

test('near misses: one replica still hears its source, or the rule is off, or there is no heartbeat evidence → UnreachableMaster', () => {
  const p = primary('p1', dead);
  assert.equal(primaryCode(cluster(p, silentFor(1200), silentFor(999), silentFor(5000))), 'UnreachableMaster', 'one replica received something within 2 periods');
  assert.equal(primaryCode(cluster(p, silentFor(1200), silentFor(1000), silentFor(5000)), { silentSourceHeartbeats: 0 }), 'UnreachableMaster', 'the rule off');
  assert.equal(primaryCode(cluster(p, silentFor(9000, 0), silentFor(9000, 0), silentFor(9000, 0))), 'UnreachableMaster', 'heartbeats off');
  assert.equal(primaryCode(cluster(p, silentFor(null), silentFor(null), silentFor(null))), 'UnreachableMaster', 'silence unknown');
});

test('a slow primary (its probe times out) that still feeds its replicas is never DeadMaster', () => {
  const p = primary('p1', dead);
  assert.equal(primaryCode(cluster(p, silentFor(0), silentFor(300), silentFor(450))), 'UnreachableMaster');
});

test('a primary that answers while its replicas hear nothing from it: the replicas are not replicating, no DeadMaster', () => {
  const p = primary('p1');
  const code = primaryCode(cluster(p, silentFor(1200), silentFor(1000), silentFor(5000)));
  assert.notEqual(code?.startsWith('DeadMaster'), true, String(code));
  assert.equal(code, 'AllMasterReplicasNotReplicating');
});
