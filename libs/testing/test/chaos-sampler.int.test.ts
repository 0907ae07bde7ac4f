// The chaos sampler and app writer against real servers: a healthy topology has one writable
// instance, a replica set writable by hand is reported as a split brain, a frozen or restarted
// instance drops out of the samples (and comes back) without holding up the others, and the app
// writer follows a hand-made switchover with every acked write on the new primary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pointReplicaAt, testDatabase, waitFor, withTopology, type MariaDbInstance } from '../src/index.ts';
import {
  chaosInstances,
  checkAckedWrites,
  checkFinalTopology,
  checkSplitBrain,
  formatReport,
  instanceId,
  readFinalTopology,
  readPresentSeqs,
  startAppWriter,
  startInvariantSampler,
  type ChaosInstance,
  type InvariantSampler,
  type Sample,
} from '../src/chaos/index.ts';

const entry = (s: Sample, i: MariaDbInstance) => s.instances.find((x) => x.id === instanceId(i));
const allAnswered = (s: Sample): boolean => s.instances.every((i) => i.answered);
const writableIds = (s: Sample): string[] => s.instances.filter((i) => i.answered && i.writable).map((i) => i.id);

const asChaos = (i: MariaDbInstance): ChaosInstance => ({ id: instanceId(i), host: i.host, port: i.port });

function samplesSince(sampler: InvariantSampler, fromMs: number, untilMs = Infinity): Sample[] {
  return sampler.samples.filter((s) => s.atMs >= fromMs && s.atMs < untilMs);
}

test('healthy topology: exactly one writable instance; a replica made writable by hand is a split brain', async (t) => {
  const topo = await withTopology(t, { replicas: 2 });
  const instances = chaosInstances(topo.instances);
  const [primaryId, replicaId] = [instanceId(topo.primary), instanceId(topo.replicas[0] as MariaDbInstance)];
  const sampler = startInvariantSampler({ instances, ...topo.credentials.admin });
  t.after(() => sampler.stop());

  await waitFor(() => sampler.samples.filter(allAnswered).length >= 10, { description: '10 samples where every instance answered' });
  for (const s of sampler.samples) assert.deepEqual(writableIds(s).filter((id) => id !== primaryId), [], `only the primary is writable at ${s.atMs}`);
  for (const s of sampler.samples.filter(allAnswered)) assert.deepEqual(writableIds(s), [primaryId]);
  assert.deepEqual(checkSplitBrain(sampler.samples), []);
  await waitFor(async () => checkFinalTopology(await readFinalTopology(instances, topo.credentials.admin), instances.map((i) => i.id)).length === 0, {
    description: 'the healthy topology to pass checkFinalTopology',
  });

  const replica = topo.replicas[0] as MariaDbInstance;
  await replica.query('SET GLOBAL read_only = 0');
  await waitFor(() => sampler.samples.some((s) => entry(s, replica)?.writable === true && entry(s, topo.primary)?.writable === true), {
    description: 'a sample with the primary and the replica both writable',
  });
  const violations = checkSplitBrain(sampler.samples);
  assert.ok(violations.length >= 1, 'the split brain is reported');
  for (const v of violations) {
    assert.equal(v.invariant, 'split-brain');
    assert.deepEqual(new Set((v.details as { writable: string[] }).writable), new Set([primaryId, replicaId]));
    assert.ok(v.message.includes(primaryId) && v.message.includes(replicaId), v.message);
    assert.equal(typeof v.atMs, 'number');
  }
  const first = violations[0];
  const report = formatReport({ scenario: 'writable-replica-by-hand', faultAtMs: first?.atMs ?? 0, violations, samples: sampler.samples });
  assert.match(report, /\[split-brain\] at \+0 ms/);
  assert.match(report, new RegExp(`> \\+ +0 ms .*${primaryId}=RW.*${replicaId}=RW`));

  // The final-topology check sees it too: two writable instances.
  await waitFor(
    async () => checkFinalTopology(await readFinalTopology(instances, topo.credentials.admin)).some((v) => /2 answering instances are writable/.test(v.message)),
    { description: 'checkFinalTopology to report two writable instances' },
  );

  await replica.query('SET GLOBAL read_only = 1');
  const healedAt = Date.now();
  await waitFor(() => samplesSince(sampler, healedAt).some((s) => entry(s, replica)?.writable === false), { description: 'the replica read-only again' });
  await sampler.stop();
});

test('a frozen or restarted instance is not answered meanwhile, is answered again after, and never stalls the others', async (t) => {
  const topo = await withTopology(t, { replicas: 2 });
  const instances = chaosInstances(topo.instances);
  const staleAfterMs = 50;
  const sampler = startInvariantSampler({ instances, ...topo.credentials.admin, intervalMs: 25, staleAfterMs });
  t.after(() => sampler.stop());
  const replica2 = topo.replicas[1] as MariaDbInstance;
  const othersAnswered = (s: Sample, down: MariaDbInstance): boolean => topo.instances.filter((i) => i !== down).every((i) => entry(s, i)?.answered);
  await waitFor(() => sampler.samples.filter(allAnswered).length >= 5, { description: 'every instance answered' });

  // SIGSTOP the primary. A sample taken staleAfterMs after the freeze completed can only count
  // an answer to a query sent after it, which a stopped server cannot give.
  await topo.primary.freeze();
  const frozenAt = Date.now();
  await waitFor(() => samplesSince(sampler, frozenAt + staleAfterMs).filter((s) => othersAnswered(s, topo.primary)).length >= 10, {
    description: '10 samples with both replicas answered while the primary is frozen',
  });
  // The outstanding poll times out (1 s) and the poller goes on trying to reconnect.
  await waitFor(() => sampler.status().find((p) => p.id === instanceId(topo.primary))?.lastError, {
    description: 'the poll of the frozen primary to give up',
  });
  const thawAt = Date.now();
  const whileFrozen = samplesSince(sampler, frozenAt + staleAfterMs, thawAt);
  assert.ok(whileFrozen.length >= 10);
  for (const s of whileFrozen) assert.equal(entry(s, topo.primary)?.answered, false, `primary not answered at ${s.atMs}`);
  assert.ok(whileFrozen.filter((s) => othersAnswered(s, topo.primary)).length >= 10);
  topo.primary.thaw();
  await waitFor(() => samplesSince(sampler, thawAt).some((s) => entry(s, topo.primary)?.answered && entry(s, topo.primary)?.writable === true), {
    description: 'the thawed primary answered (writable) again',
  });

  // A crash and restart on the same port: a new connection finds it.
  await replica2.kill();
  const killedAt = Date.now();
  await waitFor(() => samplesSince(sampler, killedAt + staleAfterMs).filter((s) => othersAnswered(s, replica2)).length >= 5, {
    description: 'samples with the others answered while replica2 is down',
  });
  const restartAt = Date.now();
  for (const s of samplesSince(sampler, killedAt + staleAfterMs, restartAt)) assert.equal(entry(s, replica2)?.answered, false);
  await replica2.restart();
  await waitFor(() => samplesSince(sampler, restartAt).some((s) => entry(s, replica2)?.answered && entry(s, replica2)?.writable === false), {
    description: 'the restarted replica answered (read-only) again',
  });

  const samples = await sampler.stop();
  assert.deepEqual(checkSplitBrain(samples), []);
  assert.ok((sampler.status().find((p) => p.id === instanceId(topo.primary))?.connects ?? 0) >= 2, 'the primary was reconnected after the freeze');
});

test('the app writer follows a switchover: every acked write is on the new primary, and the final topology checks out', async (t) => {
  const topo = await withTopology(t, { replicas: 2 });
  const instances = chaosInstances(topo.instances);
  const [oldPrimary, newPrimary, other] = topo.instances as [MariaDbInstance, MariaDbInstance, MariaDbInstance];
  const writer = await startAppWriter({ instances, ...topo.credentials.app, database: testDatabase });
  t.after(() => writer.stop());
  assert.equal(writer.target, instanceId(oldPrimary));
  await waitFor(() => writer.ackedCount >= 100, { description: '100 acked writes' });

  // A switchover by hand: fence, catch up, promote replica1, then move the others under it.
  await oldPrimary.query('SET GLOBAL read_only = 1');
  await topo.sync({ gtid: await oldPrimary.gtidBinlogPos() });
  const ackedBefore = writer.ackedCount;
  await newPrimary.query('STOP SLAVE');
  await newPrimary.query('RESET SLAVE ALL');
  await newPrimary.query('SET GLOBAL read_only = 0');
  await waitFor(() => writer.target === instanceId(newPrimary) && writer.ackedCount >= ackedBefore + 100, {
    description: 'the writer on the new primary with 100 more acked writes',
  });

  // Before the old primary and replica2 are moved, the final topology is wrong and says so.
  const unfinished = await waitFor(
    async () => {
      const messages = checkFinalTopology(await readFinalTopology(instances, topo.credentials.admin)).map((v) => v.message);
      return messages.length === 2 ? messages : null;
    },
    { description: 'two final-topology violations' },
  );
  assert.ok(unfinished.some((m) => m.includes(`${instanceId(oldPrimary)} replicates from nobody`)), unfinished.join('\n'));
  assert.ok(unfinished.some((m) => m.includes(`${instanceId(other)} replicates from ${instanceId(oldPrimary)}, not from the primary`)), unfinished.join('\n'));

  await pointReplicaAt(other, newPrimary, { replication: topo.credentials.replication });
  await oldPrimary.query('SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos');
  await pointReplicaAt(oldPrimary, newPrimary, { replication: topo.credentials.replication });
  await waitFor(async () => checkFinalTopology(await readFinalTopology(instances, topo.credentials.admin), instances.map((i) => i.id)).length === 0, {
    description: 'the final topology to check out',
  });

  const result = await writer.stop();
  assert.equal(result.writer, writer.name);
  assert.ok(result.acked.length >= ackedBefore + 100);
  assert.ok(result.failed.length >= 1, 'the fence failed at least one insert');
  assert.ok(result.errors.includes('ER_OPTION_PREVENTS_STATEMENT'), result.errors.join(', '));
  assert.deepEqual(result.switches.map((s) => s.to), [instanceId(oldPrimary), instanceId(newPrimary)]);

  const present = await readPresentSeqs(asChaos(newPrimary), topo.credentials.app, result.writer);
  assert.equal(checkAckedWrites(result.acked, present), null);
  // And the checker does catch a write missing from what a server holds.
  const last = result.acked[result.acked.length - 1] as number;
  present.delete(last);
  assert.match(checkAckedWrites(result.acked, present)?.message ?? '', new RegExp(`^1 of ${result.acked.length} acked writes missing on the final primary: ${last}$`));
  await topo.sync({ source: newPrimary, instances: [oldPrimary, other] });
  for (const i of [oldPrimary, other]) {
    assert.equal(checkAckedWrites(result.acked, await readPresentSeqs(asChaos(i), topo.credentials.app, result.writer)), null, i.name);
  }
});

test('an instance whose switch to read-only waits behind a semi-sync ack is sampled closing, not writable: its new writes wait and then fail', async (t) => {
  const topology = await withTopology(t, { replicas: 1, semiSync: { timeoutMs: 6000 } });
  const primary = topology.primary;
  await topology.replicas[0]?.query('STOP SLAVE'); // no ack will come
  const admin = topology.credentials.admin;
  const sampler = startInvariantSampler({ instances: chaosInstances(topology.instances), user: admin.user, password: admin.password, intervalMs: 25 });
  t.after(() => sampler.stop());
  const app = await primary.connection({ account: 'app', database: testDatabase });
  app.on('error', () => undefined);
  t.after(() => app.destroy());
  const waiting = app.query("INSERT INTO writes (writer, seq) VALUES ('ack-waiter', 1)").catch(() => undefined);
  const fencer = await primary.connection({ account: 'admin' });
  t.after(() => fencer.destroy());
  await waitFor(async () => (await primary.query("SELECT ID FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for semi-sync ACK%'")).length === 1, { description: 'the commit waits for its ack', timeoutMs: 5000 });
  const pending = fencer.query('SET GLOBAL read_only = 1').catch(() => undefined);
  await waitFor(() => entry(sampler.samples.at(-1) as Sample, primary)?.closing === true, { description: 'sampled closing', timeoutMs: 3000 });
  const closing = entry(sampler.samples.at(-1) as Sample, primary);
  assert.equal(closing?.writable, false);
  assert.equal(closing?.readOnly, false, 'read_only still reads 0');
  const late = await primary.connection({ account: 'app', database: testDatabase });
  t.after(() => late.destroy());
  await assert.rejects(late.query("INSERT INTO writes (writer, seq) VALUES ('during', 1)"), (e: { code?: string }) => e.code === 'ER_OPTION_PREVENTS_STATEMENT', 'a write during the wait waits, then fails');
  await Promise.all([waiting, pending]);
});
