/**
 * A read-only primary with replicating replicas (NoWriteableMasterStructureWarning) and
 * RecoverNonWriteableMaster on, through the whole pipeline in-process against a real 1+2 MariaDB
 * topology: the executor sets read_only=0 on it (after PreFailoverProcesses), nobody is promoted,
 * the recovery is resolved with the primary itself and gives its block back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology } from '@baton/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { idOf, recoveries, stepNames, writableInstances } from '../support/failover.ts';

const admin = { user: 'baton', password: 'baton-pass' };
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipeline({
    admin,
    label: 'nonwriteable',
    executors: 1,
    env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]', BATON__RECOVERY__RECOVER_NON_WRITEABLE_MASTER: 'true' },
  });
});
after(async () => {
  await pipeline?.stop();
});

test('a primary set read-only by hand, its replicas replicating: made writable again, nobody promoted', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const { primary } = topology;
  await pipeline.register(topology, 'readonlyprimary');
  const at = Date.now();
  await primary.query('SET GLOBAL read_only = 1');
  const resolved = await pipeline.waitForEvent((e) => e.clusterId === 'readonlyprimary' && e.step === 'resolved', { afterMs: at, timeoutMs: 30_000, description: 'the non-writeable recovery resolved' });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  assert.equal(resolved.details['successor'], idOf(primary));
  await waitFor(async () => (await writableInstances(topology)).map((i) => i.name).join() === primary.name, { description: 'the primary writable, alone', timeoutMs: 5000 });
  const [row, ...more] = await recoveries(pipeline.backend, 'readonlyprimary');
  assert.equal(more.length, 0);
  assert.equal(row?.analysis, 'NoWriteableMasterStructureWarning');
  const steps = await stepNames(pipeline.backend, String(row?.uid));
  assert.ok(steps.includes('made-writable') && !steps.includes('promoted') && !steps.includes('fenced'), steps.join(' '));
  assert.equal(await pipeline.redis.get(pipeline.keys.recoveryBlock('readonlyprimary')), null, 'the block is given back');
});
