/**
 * The recoveries of issue 16 beyond the dead primary, each on a real MariaDB topology with
 * Baton's services as processes, under the application writer, with every invariant of the chaos
 * suite checked (runScenario: no two writable instances in any sample, every acknowledged write
 * on the final primary, one writable primary with every replica reaching it, no recovery left
 * running, one promotion per failure):
 *
 *   - kill -9 of an intermediate primary (primary → intermediate → 2 replicas, and a sibling): its
 *     replicas relocated under the sibling or the primary, nothing promoted;
 *   - kill -9 of the writable co-primary of a pair (each with a replica): the other co-primary
 *     promoted, every replica under it;
 *   - a semi-sync primary whose only acknowledger is killed (it waits an hour for acks rather than
 *     fall back): another replica switched to semi-sync, commits flow again, no failover.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { waitFor, type MariaDbInstance } from '@baton/testing';
import { recoveries, runScenario, stepsOf, type ScenarioContext } from '../support/chaos-scenario.ts';

const idOf = (i: { host: string; port: number }): string => `${i.host}:${i.port}`;

const resolvedAfter = (c: ScenarioContext, at: number) => c.env.waitForEvent((e) => e.clusterId === c.clusterId && e.step === 'resolved', { afterMs: at, timeoutMs: 60_000, description: `resolved on ${c.clusterId}` });

async function statusOf(i: MariaDbInstance, name: string): Promise<string> {
  const [row] = await i.query<{ Value: string } & RowDataPacket>(`SHOW GLOBAL STATUS LIKE '${name}'`);
  return String(row?.Value ?? '');
}

test('kill -9 of an intermediate primary: its replicas relocated under the sibling or the primary, nothing promoted', async (t) => {
  await runScenario(t, {
    name: 'intermediate',
    topology: { replicas: [{ name: 'intermediate', replicas: 2 }, { name: 'sibling' }] },
    semiSync: false,
    chained: true,
    env: { env: { BATON__RECOVERY__RECOVER_INTERMEDIATE_MASTER_CLUSTER_FILTERS: '["*"]' } },
    fault: async (c) => {
      const intermediate = c.topology.instance('intermediate');
      const at = Date.now();
      await intermediate.kill();
      const resolved = await resolvedAfter(c, at);
      assert.equal(resolved.details['outcome'], 'successful', resolved.message);
      assert.ok([idOf(c.topology.instance('sibling')), idOf(c.topology.primary)].includes(String(resolved.details['successor'])), resolved.message);
    },
    verify: async (c, final) => {
      assert.equal(final.instances.find((i) => i.writable === true)?.id, idOf(c.topology.primary), 'the primary did not change');
      const steps = stepsOf(c.env, c.clusterId);
      assert.ok(!steps.includes('promoted') && !steps.includes('fenced'), steps.join(' '));
      const [row] = await recoveries(c);
      assert.equal(row?.outcome, 'successful');
    },
  });
});

test('kill -9 of the writable co-primary: the other co-primary promoted, every replica under it', async (t) => {
  await runScenario(t, {
    name: 'comaster',
    topology: { replicas: [{ name: 'b', replicas: 1 }, { name: 'a-replica' }] },
    semiSync: false,
    fault: async (c) => {
      const a = c.topology.primary;
      const b = c.topology.instance('b');
      const repl = c.topology.credentials.replication;
      await a.query('CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = current_pos, MASTER_CONNECT_RETRY = 1', [b.host, b.port, repl.user, repl.password]);
      await a.query('START SLAVE');
      // the analyzer sees the pair before the crash
      await waitFor(async () => (await c.env.snapshot(c.clusterId))?.instances.some((i) => i.port === a.port && i.replication?.sourcePort === b.port && i.replication.ioThread === 'Yes') ?? false, {
        description: 'the co-primary pair seen',
        timeoutMs: 15_000,
      });
      const at = Date.now();
      await a.kill();
      const resolved = await resolvedAfter(c, at);
      assert.equal(resolved.details['outcome'], 'successful', resolved.message);
      assert.equal(resolved.details['successor'], idOf(b), 'the other co-primary is promoted');
    },
    verify: async (c) => {
      const [rows] = await c.env.backend.query("SELECT analysis FROM recoveries WHERE outcome = 'successful'");
      assert.deepEqual((rows as Array<{ analysis: string }>).map((r) => r.analysis.replace(/AndSomeReplicas$/, '')), ['DeadCoMaster']);
    },
  });
});

test('a semi-sync primary locked by the death of its only acknowledger: another replica acknowledges, commits flow, no failover', async (t) => {
  await runScenario(t, {
    name: 'lockedsemisync',
    semiSync: { timeoutMs: 3_600_000 },
    env: { env: { BATON__RECOVERY__RECOVER_LOCKED_SEMI_SYNC_MASTER: 'true', BATON__RECOVERY__REASONABLE_LOCKED_SEMI_SYNC_MASTER_SECONDS: '2' } },
    fault: async (c) => {
      const [r1, ...others] = c.topology.replicas as MariaDbInstance[];
      for (const r of others) {
        await r.query('SET GLOBAL rpl_semi_sync_slave_enabled = OFF');
        await r.query('STOP SLAVE IO_THREAD');
        await r.query('START SLAVE IO_THREAD');
      }
      await waitFor(async () => (await statusOf(c.topology.primary, 'Rpl_semi_sync_master_clients')) === '1', { description: 'one acknowledger left', timeoutMs: 10_000 });
      const at = Date.now();
      await (r1 as MariaDbInstance).kill();
      const resolved = await resolvedAfter(c, at);
      assert.equal(resolved.details['outcome'], 'successful', resolved.message);
      assert.equal(resolved.details['successor'], idOf(c.topology.primary), 'resolved in place');
      assert.equal(await statusOf(c.topology.primary, 'Rpl_semi_sync_master_status'), 'ON', 'still semi-sync');
    },
    verify: async (c, final) => {
      assert.equal(final.instances.find((i) => i.writable === true)?.id, idOf(c.topology.primary), 'no failover');
      const steps = stepsOf(c.env, c.clusterId);
      assert.ok(steps.includes('semi-sync-replicas') && !steps.includes('promoted') && !steps.includes('fenced'), steps.join(' '));
    },
  });
});
