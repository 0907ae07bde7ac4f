/**
 * Planned switchovers (graceful-master-takeover, -auto; reference §2.8) on a real semi-sync 1+3
 * MariaDB topology under the application writer, with every invariant of the chaos suite checked
 * (runScenario: the split-brain sampler on every instance throughout, every acknowledged write on
 * the final primary, one writable primary with every replica under it at the end, no recovery
 * left running). Each scenario's own checks:
 *
 *   - graceful-master-takeover to a designated replica: it is the primary, the old primary
 *     replicates from it (read-only), its steps in the protocol's order, no downtime left on it;
 *   - graceful-master-takeover-auto: the best candidate promoted, the old primary replicating;
 *   - the designated replica lags beyond ReasonableMaintenanceReplicationLagSeconds (its SQL
 *     thread held by a table lock): refused before anything changed, the primary never fenced;
 *   - PreGracefulTakeoverProcesses fails: nothing fenced, nothing promoted, the cluster as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { RecoveryEvent } from '@baton/contracts';
import { testDatabase, waitFor, type MariaDbInstance } from '@baton/testing';
import { recoveries, runScenario, stepsOf, type ScenarioContext } from '../support/chaos-scenario.ts';

const idOf = (i: { host: string; port: number }): string => `${i.host}:${i.port}`;

/** Publishes the switchover of the topology's first primary (the `recover` command the api's route sends); returns when it was sent. */
async function sendSwitchover(c: ScenarioContext, hint: 'graceful-master-takeover' | 'graceful-master-takeover-auto', designated: MariaDbInstance | null): Promise<number> {
  const old = c.topology.primary;
  const at = Date.now();
  await c.env.command({
    kind: 'recover',
    requestedBy: 'chaos-test',
    clusterId: c.clusterId,
    instance: { host: old.host, port: old.port },
    ...(designated ? { candidate: { host: designated.host, port: designated.port } } : {}),
    skipProcesses: false,
    commandHint: hint,
    requestId: `${hint}-${at}`,
  });
  return at;
}

const resolvedSince = (c: ScenarioContext, at: number, what: string): Promise<RecoveryEvent> =>
  c.env.waitForEvent((e) => e.clusterId === c.clusterId && e.step === 'resolved', { afterMs: at, timeoutMs: 60_000, description: `${what} resolved` });

/** Publishes the switchover and waits for its recovery's `resolved` event. */
async function switchover(c: ScenarioContext, hint: 'graceful-master-takeover' | 'graceful-master-takeover-auto', designated: MariaDbInstance | null): Promise<RecoveryEvent> {
  return resolvedSince(c, await sendSwitchover(c, hint, designated), hint);
}

async function replicationOf(instance: MariaDbInstance): Promise<{ source: string; io: string; sql: string } | null> {
  const s = await instance.slaveStatus();
  return s ? { source: `${String(s['Master_Host'])}:${String(s['Master_Port'])}`, io: String(s['Slave_IO_Running']), sql: String(s['Slave_SQL_Running']) } : null;
}

async function readOnlyOf(instance: MariaDbInstance): Promise<number> {
  const [row] = await instance.query<{ ro: number } & RowDataPacket>('SELECT @@GLOBAL.read_only AS ro');
  return Number(row?.ro);
}

/** The old primary replicates from `successor`, read-only, both threads running. */
async function expectReattached(old: MariaDbInstance, successor: string): Promise<void> {
  await waitFor(async () => (await replicationOf(old))?.source === successor, { description: `${idOf(old)} replicating from ${successor}`, timeoutMs: 10_000 });
  assert.deepEqual(await replicationOf(old), { source: successor, io: 'Yes', sql: 'Yes' });
  assert.equal(await readOnlyOf(old), 1, 'the old primary is read-only');
}

test('graceful-master-takeover to a designated replica under write load: it is the primary, the old one replicates from it, no acked write lost', async (t) => {
  let designated: MariaDbInstance | null = null;
  await runScenario(t, {
    name: 'graceful-designated',
    fault: async (c) => {
      designated = c.topology.replicas[1] as MariaDbInstance;
      const resolved = await switchover(c, 'graceful-master-takeover', designated);
      assert.equal(resolved.details['outcome'], 'successful', resolved.message);
      assert.equal(resolved.details['successor'], idOf(designated));
      await expectReattached(c.topology.primary, idOf(designated));
    },
    verify: async (c, final) => {
      const primary = final.instances.find((i) => i.writable === true && i.replicatingFrom === null);
      assert.equal(primary?.id, idOf(designated as unknown as MariaDbInstance));
      const steps = stepsOf(c.env, c.clusterId);
      const order = ['takeover-target', 'pre-graceful-takeover-hooks', 'fenced', 'replicas-synced', 'replicas-stopped', 'promoted', 'replicas-moved', 'old-primary-reattached', 'resolved'];
      const at = order.map((s) => steps.indexOf(s));
      assert.ok(at.every((i, k) => k === 1 || (i >= 0 && (k === 0 || i > Math.max(...at.slice(0, k))))), `steps in order ${order.join(', ')}: ${steps.join(', ')}`);
      assert.ok(!steps.includes('old-primary-not-moved'));
      const [row] = await recoveries(c);
      assert.equal(row?.outcome, 'successful');
      const downtime = await c.env.infra.redis.get(c.env.infra.keys.downtime(c.clusterId, idOf(c.topology.primary)));
      assert.equal(downtime, null, 'no downtime on the old primary (orchestrator downtimes it for a year)');
      const block = await c.env.infra.redis.get(c.env.infra.keys.recoveryBlock(c.clusterId));
      assert.equal(block, null, 'no anti-flapping block after a planned switchover: a death of the new primary is failed over');
    },
  });
});

test('graceful-master-takeover-auto: the best candidate promoted, the old primary replicates from it', async (t) => {
  await runScenario(t, {
    name: 'graceful-auto',
    fault: async (c) => {
      const resolved = await switchover(c, 'graceful-master-takeover-auto', null);
      assert.equal(resolved.details['outcome'], 'successful', resolved.message);
      const successor = String(resolved.details['successor']);
      assert.ok(c.topology.replicas.some((r) => idOf(r) === successor), `a replica was promoted: ${successor}`);
      await expectReattached(c.topology.primary, successor);
    },
  });
});

test('graceful-master-takeover to a replica lagging beyond ReasonableMaintenanceReplicationLagSeconds: refused before anything changed', async (t) => {
  let lock: Connection | null = null;
  await runScenario(t, {
    name: 'graceful-lagging',
    env: { env: { BATON__RECOVERY__REASONABLE_MAINTENANCE_REPLICATION_LAG_SECONDS: '2' } },
    fault: async (c) => {
      const designated = c.topology.replicas[0] as MariaDbInstance;
      // the SQL thread waits on a table lock: Seconds_Behind_Master grows while the writer goes on
      lock = await designated.connection();
      await lock.query(`LOCK TABLES ${testDatabase}.writes WRITE`);
      await waitFor(async () => Number((await designated.slaveStatus())?.['Seconds_Behind_Master'] ?? 0) >= 4, { description: 'the designated replica lags 4 s', timeoutMs: 20_000 });
      try {
        const resolved = await switchover(c, 'graceful-master-takeover', designated);
        assert.equal(resolved.details['outcome'], 'not-attempted', resolved.message);
        assert.match(resolved.message, /lags \d+ s behind .*beyond ReasonableMaintenanceReplicationLagSeconds \(2 s\)/);
      } finally {
        await lock.query('UNLOCK TABLES');
        lock.destroy();
      }
    },
    verify: async (c, final) => {
      const primary = final.instances.find((i) => i.writable === true && i.replicatingFrom === null);
      assert.equal(primary?.id, idOf(c.topology.primary), 'the primary did not change');
      const steps = stepsOf(c.env, c.clusterId);
      assert.ok(steps.includes('takeover-target'), steps.join(' '));
      for (const s of ['pre-graceful-takeover-hooks', 'fenced', 'replicas-stopped', 'promoted']) assert.ok(!steps.includes(s), `no ${s}: ${steps.join(' ')}`);
    },
  });
});

test('PreGracefulTakeoverProcesses fails: nothing fenced or promoted, the cluster as it was', async (t) => {
  await runScenario(t, {
    name: 'graceful-vetoed',
    env: {
      env: {
        BATON__RECOVERY__PRE_GRACEFUL_TAKEOVER_PROCESSES: JSON.stringify([{ name: 'proxy-drain', argv: ['false'], timeoutMs: 5000 }]),
        BATON__RECOVERY__POST_GRACEFUL_TAKEOVER_PROCESSES: JSON.stringify([{ name: 'proxy-resume', argv: ['true'], timeoutMs: 5000 }]),
      },
    },
    fault: async (c) => {
      const resolved = await switchover(c, 'graceful-master-takeover', c.topology.replicas[2] as MariaDbInstance);
      assert.equal(resolved.details['outcome'], 'failed', resolved.message);
      assert.match(resolved.message, /PreGracefulTakeoverProcesses failed: no topology change made/);
    },
    verify: async (c, final) => {
      const primary = final.instances.find((i) => i.writable === true && i.replicatingFrom === null);
      assert.equal(primary?.id, idOf(c.topology.primary), 'the primary did not change');
      for (const r of c.topology.replicas) assert.deepEqual(await replicationOf(r), { source: idOf(c.topology.primary), io: 'Yes', sql: 'Yes' });
      const steps = stepsOf(c.env, c.clusterId);
      for (const s of ['fenced', 'replicas-stopped', 'promoted']) assert.ok(!steps.includes(s), `no ${s}: ${steps.join(' ')}`);
      assert.ok(steps.includes('post-graceful-takeover-hooks'), 'the drain point is told the switchover is over');
    },
  });
});

/**
 * The executor running the switchover SIGKILLs itself at `point` (BATON_FAULT_EXIT_AT); the next
 * one takes the recovery over. Before the promotion (after-fence) the switchover is undone — the
 * target's replication restarted, the old primary writable again; after it (after-read-only-off)
 * it is rolled forward onto the target and the old primary re-attached under it.
 */
async function switchoverExecutorDiesAt(t: import('node:test').TestContext, point: 'after-fence' | 'after-read-only-off'): Promise<void> {
  let designated: MariaDbInstance | null = null;
  await runScenario(t, {
    name: `graceful-${point}`,
    env: { executors: 0 },
    fault: async (c) => {
      const doomed = await c.env.startExecutor({ label: `doomed-${point}`, env: { BATON_FAULT_EXIT_AT: point }, waitWarm: true });
      designated = c.topology.replicas[0] as MariaDbInstance;
      const old = c.topology.primary;
      const at = await sendSwitchover(c, 'graceful-master-takeover', designated);
      const exit = await Promise.race([doomed.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
      assert.ok(exit && exit.signal === 'SIGKILL', `the executor reached ${point} and died (${JSON.stringify(exit)})`);
      await c.env.startExecutor({ label: 'successor' });
      const resolved = await resolvedSince(c, at, 'the switchover taken over by the successor');
      if (point === 'after-fence') {
        assert.equal(resolved.details['outcome'], 'failed', resolved.message);
        assert.match(resolved.message, /taken over before any promotion: it is undone/);
      } else {
        assert.equal(resolved.details['outcome'], 'successful', resolved.message);
        assert.equal(resolved.details['successor'], idOf(designated));
        await expectReattached(old, idOf(designated));
      }
    },
    verify: async (c, final) => {
      const primary = final.instances.find((i) => i.writable === true && i.replicatingFrom === null);
      assert.equal(primary?.id, point === 'after-fence' ? idOf(c.topology.primary) : idOf(designated as unknown as MariaDbInstance));
      const [rows] = await c.env.backend.query('SELECT attempt FROM recoveries');
      assert.ok((rows as Array<{ attempt: number }>).every((r) => r.attempt >= 2), 'finished by a takeover');
    },
  });
}

test('graceful-master-takeover whose executor dies after the fence, before the promotion: the successor undoes it (the old primary writable again)', (t) => switchoverExecutorDiesAt(t, 'after-fence'));
test('graceful-master-takeover whose executor dies right after the promotion: the successor rolls it forward and re-attaches the old primary', (t) => switchoverExecutorDiesAt(t, 'after-read-only-off'));
