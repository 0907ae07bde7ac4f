/**
 * recover, recover-lite and force-master-failover: the command published (requestId, candidate,
 * skipProcesses, commandHint), then orchestrator's answers from the executor's outcome — promoted
 * key, "Recovery not attempted" (from the api's own analysis, from the executor's event, or from a
 * not-needed row), "Recovery attempted but no instance promoted", and 504 when nobody answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadPrimarySnapshot, harness } from './harness.ts';

test('recover on a dead primary publishes a recover command and answers the promoted key', async (t) => {
  const h = await harness(t, {}, deadPrimarySnapshot());
  const r = await h.get('/api/recover/db1/3306', { headers: { 'x-baton-user': 'oncall' } });
  assert.deepEqual(r.body, { Code: 'OK', Message: 'Recovery executed on db1:3306', Details: { Hostname: 'db2', Port: 3306 } });
  assert.deepEqual(h.commands.published, [
    {
      key: 'orders',
      command: { kind: 'recover', requestedBy: 'api:oncall', clusterId: 'orders', instance: { host: 'db1', port: 3306 }, skipProcesses: false, commandHint: '', requestId: 'req-1' },
      correlationId: 'req-1',
    },
  ]);
  const audit = (await h.get('/api/audit-recovery')).json as Array<Record<string, unknown>>;
  assert.equal(audit[0]?.['UID'], 'rec-100');
});

test('a candidate, recover-lite and ?skipProcesses=true reach the command', async (t) => {
  const h = await harness(t, {}, deadPrimarySnapshot());
  h.commands.recoverBehaviour = { kind: 'promote', successor: { host: 'db3', port: 3306 } };
  const withCandidate = await h.post('/api/recover/db1/3306/db3/3306?skipProcesses=true');
  assert.deepEqual(withCandidate.body.Details, { Hostname: 'db3', Port: 3306 });
  await h.get('/api/recover-lite/db1/3306');
  await h.get('/api/recover-lite/db1/3306/db2/3306');
  const sent = h.commands.published.map((p) => p.command as { candidate?: unknown; skipProcesses: boolean });
  assert.deepEqual(sent.map((c) => [c.candidate ?? null, c.skipProcesses]), [
    [{ host: 'db3', port: 3306 }, true],
    [null, true],
    [{ host: 'db2', port: 3306 }, true],
  ]);
  assert.equal((await h.get('/api/recover/db1/3306/db9/3306')).status, 404, 'an unknown candidate');
});

test('recover on an instance without a recoverable problem is "Recovery not attempted" at once, without a command', async (t) => {
  const h = await harness(t);
  const r = await h.get('/api/recover/db2/3306');
  assert.equal(r.status, 409);
  assert.equal(r.body.Message, 'Recovery not attempted');
  assert.deepEqual(r.body.Details, { Hostname: 'db2', Port: 3306, Analysis: 'NoProblem', Reason: 'NoProblem has no recovery' });
  assert.deepEqual(h.commands.published, []);
  assert.equal((await h.get('/api/recover/db9/3306')).status, 404);
});

test('the executor declining (its recover-not-attempted event) is "Recovery not attempted" with its reason', async (t) => {
  const h = await harness(t, {}, deadPrimarySnapshot());
  h.commands.recoverBehaviour = { kind: 'not-attempted', reason: 'no recent snapshot of cluster orders' };
  const r = await h.get('/api/recover/db1/3306');
  assert.equal(r.status, 409);
  assert.equal(r.body.Message, 'Recovery not attempted');
  assert.equal((r.body.Details as { Reason: string }).Reason, 'no recent snapshot of cluster orders');
});

test('a failed recovery is "Recovery attempted but no instance promoted" with its errors', async (t) => {
  const h = await harness(t, {}, deadPrimarySnapshot());
  h.commands.recoverBehaviour = { kind: 'fail', errors: ['no candidate: every replica lags'] };
  const r = await h.get('/api/recover/db1/3306');
  assert.equal(r.status, 500);
  assert.equal(r.body.Message, 'Recovery attempted but no instance promoted');
  assert.deepEqual(r.body.Details, { Hostname: 'db1', Port: 3306, RecoveryUID: 'rec-100', AllErrors: ['no candidate: every replica lags'] });
});

test('no answer within api.recoverWaitMs is a 504 naming the request', async (t) => {
  const h = await harness(t, { recoverWaitMs: 100 }, deadPrimarySnapshot());
  h.commands.recoverBehaviour = { kind: 'silent' };
  const r = await h.get('/api/recover/db1/3306');
  assert.equal(r.status, 504);
  assert.match(r.body.Message as string, /No recovery-executor answered the recover request req-1 \(command cmd-1\) within 100 ms/);
});

test('force-master-failover targets the primary with its command hint and answers the TopologyRecovery', async (t) => {
  const h = await harness(t);
  const r = await h.get('/api/force-master-failover/db3:3306');
  assert.equal(r.body.Code, 'OK');
  assert.equal(r.body.Message, 'Master failed over');
  const details = r.body.Details as Record<string, unknown>;
  assert.deepEqual(details['SuccessorKey'], { Hostname: 'db2', Port: 3306 });
  assert.equal(details['IsSuccessful'], true);
  assert.deepEqual(h.commands.published[0]?.command, {
    kind: 'recover',
    requestedBy: 'api:anonymous',
    clusterId: 'orders',
    instance: { host: 'db1', port: 3306 },
    skipProcesses: false,
    commandHint: 'force-master-failover',
    requestId: 'req-1',
  });
  h.commands.recoverBehaviour = { kind: 'not-attempted', reason: 'command hint force-master-failover is not supported by this executor' };
  const declined = await h.get('/api/force-master-failover/orders');
  assert.equal(declined.status, 409);
  assert.equal(declined.body.Message, 'Master not failed over');
  assert.match((declined.body.Details as { Reason: string }).Reason, /not supported/);
  assert.equal((await h.get('/api/force-master-failover/nope')).status, 404);
});

test('a recover refused because another recovery of the cluster is running is 409 naming it (RunningRecoveryUID)', async (t) => {
  const h = await harness(t, {}, deadPrimarySnapshot());
  h.commands.recoverBehaviour = { kind: 'not-attempted', reason: 'recovery-running', runningRecoveryUid: 'rec-run' };
  const r = await h.get('/api/recover/db1/3306');
  assert.equal(r.status, 409);
  assert.equal(r.body.Message, 'Recovery not attempted');
  assert.deepEqual(r.body.Details, { Hostname: 'db1', Port: 3306, Reason: 'recovery-running', RecoveryUID: '', RunningRecoveryUID: 'rec-run' });

  const forced = await h.get('/api/force-master-failover/orders');
  assert.equal(forced.status, 409);
  assert.equal(forced.body.Message, 'Master not failed over');
  assert.deepEqual(forced.body.Details, { Reason: 'recovery-running', RunningRecoveryUID: 'rec-run' });
});

test('graceful-master-takeover to a designated replica: the recover command with the hint and the candidate, answered with the TopologyRecovery', async (t) => {
  const h = await harness(t);
  h.commands.recoverBehaviour = { kind: 'promote', successor: { host: 'db3', port: 3306 } };
  const r = await h.post('/api/graceful-master-takeover/orders/db3/3306', { headers: { 'x-baton-user': 'dba' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.Message, 'graceful-master-takeover: successor promoted');
  assert.deepEqual((r.body.Details as Record<string, unknown>)['SuccessorKey'], { Hostname: 'db3', Port: 3306 });
  assert.deepEqual(h.commands.published[0]?.command, {
    kind: 'recover',
    requestedBy: 'api:dba',
    clusterId: 'orders',
    instance: { host: 'db1', port: 3306 },
    candidate: { host: 'db3', port: 3306 },
    skipProcesses: false,
    commandHint: 'graceful-master-takeover',
    requestId: 'req-1',
  });
});

test('graceful-master-takeover refused at once from the cached snapshot: no target named among several replicas, or one that is not a direct replica', async (t) => {
  const h = await harness(t);
  const unnamed = await h.post('/api/graceful-master-takeover/orders');
  assert.equal(unnamed.status, 409);
  assert.equal(unnamed.body.Message, 'graceful-master-takeover: not attempted');
  assert.match((unnamed.body.Details as { Reason: string }).Reason, /^target instance not indicated: db1:3306 has \d direct replicas/);
  const stranger = await h.post('/api/graceful-master-takeover/orders/db1/3306');
  assert.equal(stranger.status, 409);
  assert.match((stranger.body.Details as { Reason: string }).Reason, /db1:3306 must be directly replicating from the primary db1:3306/);
  assert.deepEqual(h.commands.published, [], 'nothing sent');
  assert.equal((await h.post('/api/graceful-master-takeover/nope')).status, 404);
  assert.equal((await h.post('/api/graceful-master-takeover/orders/db2/notaport')).status, 400, 'a bad parameter names the field');
});

test('graceful-master-takeover-auto sends no candidate; force-master-takeover its hint; a failed switchover is 500 with its errors', async (t) => {
  const h = await harness(t);
  const auto = await h.post('/api/graceful-master-takeover-auto/orders');
  assert.equal(auto.status, 200, JSON.stringify(auto.body));
  const sent = h.commands.published[0]?.command as { candidate?: unknown; commandHint: string };
  assert.equal(sent.commandHint, 'graceful-master-takeover-auto');
  assert.equal(sent.candidate, undefined);
  await h.post('/api/force-master-takeover/orders/db2/3306');
  assert.equal((h.commands.published[1]?.command as { commandHint: string }).commandHint, 'force-master-takeover');

  h.commands.recoverBehaviour = { kind: 'fail', errors: ['graceful-master-takeover: db2:3306 did not apply db1:3306\'s final position within 20000 ms; nothing promoted'] };
  const failed = await h.post('/api/graceful-master-takeover/orders/db2/3306');
  assert.equal(failed.status, 500);
  assert.match(failed.body.Message as string, /^graceful-master-takeover: failed: graceful-master-takeover: db2:3306 did not apply/);
  h.commands.recoverBehaviour = { kind: 'not-attempted', reason: 'recovery-running', runningRecoveryUid: 'rec-run' };
  const busy = await h.post('/api/graceful-master-takeover/orders/db2/3306');
  assert.equal(busy.status, 409);
  assert.deepEqual(busy.body.Details, { Reason: 'recovery-running', RunningRecoveryUID: 'rec-run' });
});
