/**
 * The refusal logic of the topology operations (operations/refusals.ts), table-driven on pure
 * snapshots: db1 primary; db2, db3 its replicas; db4 below db3 — MariaDB GTID replicas, all answering.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicationState, unknownInstance, type ClusterSnapshot, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { moveUpTarget, readOnlyRefusal, relocateRefusal, relocateReplicasPlan, TopologyView, type OperationPolicy, type RefusalCode } from '../src/operations/refusals.ts';

const at = '2026-11-26T19:30:00.000Z';
let serverId = 0;
function server(host: string, over: Partial<InstanceObservation> = {}): InstanceObservation {
  serverId += 1;
  return unknownInstance(host, 3306, {
    lastSeenAt: at,
    lastCheckedAt: at,
    lastAttemptedAt: at,
    serverId,
    serverUuid: `uuid-${host}`,
    version: '10.11.6-MariaDB-log',
    flavour: 'mariadb',
    readOnly: true,
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: 'ROW',
    ...over,
  });
}
const below = (host: string, source: string, over: Partial<InstanceObservation> = {}, repl: Parameters<typeof replicationState>[1] = {}) =>
  server(host, { replication: replicationState({ host: source, port: 3306 }, repl), ...over });

function snapshot(mod: (i: InstanceObservation) => InstanceObservation = (i) => i): TopologyView {
  const instances = [server('db1', { readOnly: false }), below('db2', 'db1'), below('db3', 'db1'), below('db4', 'db3')].map(mod);
  const s: ClusterSnapshot = { clusterId: 'orders', clusterAlias: 'orders', observedAt: at, detectorId: 'test', sequence: 1, reason: 'recovery-refresh', pollIntervalMs: 1000, instances };
  return new TopologyView(s);
}
const key = (host: string): InstanceKey => ({ host, port: 3306 });
const policy = (maintenance: string[] = []): OperationPolicy => ({ maintenance: new Set(maintenance), reasonableMaintenanceReplicationLagSeconds: 20 });
const only = (host: string, over: Partial<InstanceObservation>) => (i: InstanceObservation) => (i.host === host ? { ...i, ...over } : i);

test('relocate: every refusal, and what may move', () => {
  const cases: Array<{ name: string; view?: TopologyView; instance: string; target: string; maintenance?: string[]; code: RefusalCode | null; reason?: RegExp }> = [
    { name: 'a replica below its sibling', instance: 'db2', target: 'db3', code: null },
    { name: 'a replica below a cousin deeper down', instance: 'db2', target: 'db4', code: null },
    { name: 'a deep replica below the primary', instance: 'db4', target: 'db1', code: null },
    { name: 'below its current source (a no-op move)', instance: 'db2', target: 'db1', code: null },
    { name: 'unknown instance', instance: 'db9', target: 'db2', code: 'unknown-instance', reason: /db9:3306 is not a member/ },
    { name: 'unknown target', instance: 'db2', target: 'db9', code: 'unknown-instance', reason: /target db9:3306/ },
    { name: 'target not answering', view: snapshot(only('db3', { lastError: 'connect ECONNREFUSED' })), instance: 'db2', target: 'db3', code: 'not-answering', reason: /ECONNREFUSED/ },
    { name: 'below itself', instance: 'db2', target: 'db2', code: 'cycle' },
    { name: 'below its own replica: a cycle', instance: 'db3', target: 'db4', code: 'cycle', reason: /db4:3306 replicates from db3:3306/ },
    { name: 'the primary below a replica', instance: 'db1', target: 'db2', code: 'not-replica', reason: /failover/ },
    { name: 'under maintenance', instance: 'db2', target: 'db3', maintenance: ['db2:3306'], code: 'maintenance' },
    { name: 'maintenance of the target alone does not refuse', instance: 'db2', target: 'db3', maintenance: ['db3:3306'], code: null },
    {
      name: 'MariaDB file/position replication',
      view: snapshot((i) => (i.host === 'db2' ? { ...i, replication: { ...(i.replication as NonNullable<InstanceObservation['replication']>), usingGtid: 'No' } } : i)),
      instance: 'db2',
      target: 'db3',
      code: 'not-gtid',
      reason: /file\/position \(Using_Gtid=No\)/,
    },
    { name: 'target without a binary log', view: snapshot(only('db3', { logBin: false })), instance: 'db2', target: 'db3', code: 'cannot-replicate', reason: /no binary log/ },
    { name: 'target not logging what it replicates', view: snapshot(only('db3', { logSlaveUpdates: false })), instance: 'db2', target: 'db3', code: 'cannot-replicate', reason: /log_slave_updates/ },
    { name: 'target of a newer major version', view: snapshot(only('db3', { version: '11.4.2-MariaDB' })), instance: 'db2', target: 'db3', code: 'cannot-replicate', reason: /older/ },
    { name: 'same server_id', view: snapshot((i) => (i.host === 'db2' || i.host === 'db3' ? { ...i, serverId: 4242 } : i)), instance: 'db2', target: 'db3', code: 'cannot-replicate', reason: /server_id/ },
  ];
  for (const c of cases) {
    const refusal = relocateRefusal(c.view ?? snapshot(), key(c.instance), key(c.target), policy(c.maintenance));
    assert.equal(refusal?.code ?? null, c.code, `${c.name}: ${refusal?.reason ?? 'allowed'}`);
    if (c.reason) assert.match(refusal?.reason ?? '', c.reason, c.name);
  }
});

test('relocate: MySQL needs auto-position', () => {
  const mysql = (i: InstanceObservation): InstanceObservation => ({
    ...i,
    flavour: 'mysql',
    version: '8.0.36',
    replication: i.replication ? { ...i.replication, usingGtid: '', autoPosition: i.host !== 'db2' } : null,
  });
  assert.equal(relocateRefusal(snapshot(mysql), key('db2'), key('db3'), policy())?.code, 'not-gtid');
  assert.equal(relocateRefusal(snapshot(mysql), key('db4'), key('db2'), policy()), null);
});

test('move-up: the source of the source, or why not', () => {
  assert.deepEqual(moveUpTarget(snapshot(), key('db4')), { ok: true, below: key('db1') });
  const cases: Array<[string, RefusalCode]> = [
    ['db2', 'no-grandparent'],
    ['db1', 'not-replica'],
    ['db9', 'unknown-instance'],
  ];
  for (const [host, code] of cases) {
    const up = moveUpTarget(snapshot(), key(host));
    assert.equal(up.ok ? null : up.refusal.code, code, host);
  }
});

test('relocate-replicas: the target stays, its siblings move, the refused ones are named', () => {
  const all = relocateReplicasPlan(snapshot(), key('db1'), key('db2'), policy());
  assert.deepEqual(all, { ok: true, plan: { move: [key('db3')], refused: [] } });
  // db3's replica below db2; under maintenance it is named, not moved
  const held = relocateReplicasPlan(snapshot(), key('db3'), key('db2'), policy(['db4:3306']));
  assert.ok(held.ok);
  assert.deepEqual(held.plan.move, []);
  assert.deepEqual(held.plan.refused.map((r) => [r.instance, r.refusal.code]), [['db4:3306', 'maintenance']]);
  // moving db1's replicas below db4 would put db3 below its own replica: db3 refused, db2 moved
  const cycle = relocateReplicasPlan(snapshot(), key('db1'), key('db4'), policy());
  assert.ok(cycle.ok);
  assert.deepEqual(cycle.plan.move, [key('db2')]);
  assert.deepEqual(cycle.plan.refused.map((r) => [r.instance, r.refusal.code]), [['db3:3306', 'cycle']]);
  // no replicas: nothing to do, nothing refused
  assert.deepEqual(relocateReplicasPlan(snapshot(), key('db2'), key('db3'), policy()), { ok: true, plan: { move: [], refused: [] } });
  const itself = relocateReplicasPlan(snapshot(), key('db1'), key('db1'), policy());
  assert.equal(itself.ok ? null : itself.refusal.code, 'cycle');
  const gone = relocateReplicasPlan(snapshot(only('db2', { lastError: 'timeout' })), key('db1'), key('db2'), policy());
  assert.equal(gone.ok ? null : gone.refusal.code, 'not-answering');
});

test('set-read-only / set-writeable: the primary and writable replicas need force', () => {
  const cases: Array<{ host: string; readOnly: boolean; force: boolean; maintenance?: string[]; code: RefusalCode | null; reason?: RegExp }> = [
    { host: 'db2', readOnly: true, force: false, code: null },
    { host: 'db1', readOnly: true, force: false, code: 'primary', reason: /a fence.*force=true/ },
    { host: 'db1', readOnly: true, force: true, code: null },
    { host: 'db2', readOnly: false, force: false, code: 'replica', reason: /second writer/ },
    { host: 'db2', readOnly: false, force: true, code: null },
    { host: 'db1', readOnly: false, force: false, code: 'primary', reason: /fenced/ },
    { host: 'db1', readOnly: false, force: true, code: null },
    { host: 'db2', readOnly: true, force: true, maintenance: ['db2:3306'], code: 'maintenance' },
    { host: 'db9', readOnly: true, force: true, code: 'unknown-instance' },
  ];
  for (const c of cases) {
    const refusal = readOnlyRefusal(snapshot(), key(c.host), c.readOnly, c.force, policy(c.maintenance));
    assert.equal(refusal?.code ?? null, c.code, `${c.host} readOnly=${c.readOnly} force=${c.force}: ${refusal?.reason ?? 'allowed'}`);
    if (c.reason) assert.match(refusal?.reason ?? '', c.reason);
  }
  // a lone instance is its cluster's primary
  const lone = new TopologyView({ clusterId: 'solo', clusterAlias: 'solo', observedAt: at, detectorId: 't', sequence: 1, reason: 'recovery-refresh', pollIntervalMs: 1000, instances: [server('db7', { readOnly: false })] });
  assert.equal(readOnlyRefusal(lone, key('db7'), true, false, policy())?.code, 'primary');
});
