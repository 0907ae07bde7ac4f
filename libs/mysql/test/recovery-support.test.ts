/** Redaction, error mapping, the concurrency limiter, detach host names and fence reasons. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatonError, ProbeAuthError, ProbeTimeoutError } from '@baton/errors';
import {
  attachedHost,
  detachedHost,
  fence,
  mapWithConcurrency,
  RecoveryStepError,
  recoveryErrorCodes,
  repoint,
  scrubSecrets,
  type InstanceConnectOptions,
} from '../src/index.ts';
import { mariadbModel, ScriptedConnection } from './recovery-fakes.ts';

test('scrubSecrets removes the secret and every quoted span from message, sqlMessage and stack along the cause chain', () => {
  const secret = 'hunter2-hunter2-hunter2';
  const inner = Object.assign(new Error(`String '${secret.slice(0, 10)}...' is too long for MASTER_PASSWORD (should be no longer than 96)`), {
    sqlMessage: `String '${secret.slice(0, 10)}...' is too long`,
  });
  const outer = new BatonError('BATON_MYSQL_ERROR', `wrapped: ${secret}`, { cause: inner });
  scrubSecrets(outer, [secret]);
  const all = [outer.message, outer.stack, inner.message, inner.stack, inner.sqlMessage].join('\n');
  assert.doesNotMatch(all, /hunter/);
  assert.match(inner.message, /String '\[redacted\]' is too long for MASTER_PASSWORD/);
  // Without a secret nothing is touched (statements that carry none keep their messages).
  const plain = new Error("Unknown table 'x'");
  scrubSecrets(plain, ['']);
  assert.equal(plain.message, "Unknown table 'x'");
});

test('a statement error becomes a RecoveryStepError: timeout → retryable STATEMENT_TIMEOUT, else STATEMENT_FAILED as retryable as its cause', async () => {
  const timeout = new ScriptedConnection(mariadbModel({ failOn: { prefix: 'STOP SLAVE', error: new ProbeTimeoutError('mysql query timed out') } }));
  await assert.rejects(repoint(timeout, { host: 'db', port: 3306 }, { replicationUser: 'r', replicationPassword: 'p' }), (e: unknown) => {
    assert.ok(e instanceof RecoveryStepError);
    assert.equal(e.code, recoveryErrorCodes.statementTimeout);
    assert.equal(e.retryable, true);
    assert.equal(e.statement, 'STOP SLAVE');
    assert.equal(e.instance, timeout.instance);
    return true;
  });
  const denied = Object.assign(new BatonError('BATON_MYSQL_ERROR', 'Access denied; you need (at least one of) the REPLICATION SLAVE ADMIN privilege(s)'), {
    errno: 1227,
    mysqlCode: 'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  });
  const refused = new ScriptedConnection(mariadbModel({ failOn: { prefix: 'CHANGE MASTER', error: denied } }));
  await assert.rejects(repoint(refused, { host: 'db', port: 3306 }, { replicationUser: 'r', replicationPassword: 'p' }), (e: unknown) => {
    assert.ok(e instanceof RecoveryStepError);
    assert.equal(e.code, recoveryErrorCodes.statementFailed);
    assert.equal(e.retryable, false);
    assert.equal(e.errno, 1227);
    assert.equal(e.mysqlCode, 'ER_SPECIFIC_ACCESS_DENIED_ERROR');
    assert.equal(e.step, 'repoint');
    assert.equal(e.statement, 'CHANGE MASTER TO');
    assert.equal(e.cause, denied);
    return true;
  });
});

test('mapWithConcurrency: never more than the limit in flight, results in input order, failures settled', async () => {
  let inFlight = 0;
  let peak = 0;
  const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, n));
    inFlight -= 1;
    if (n === 4) throw new Error('four');
    return n * 10;
  });
  assert.equal(peak, 2);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    [50, 10, 'four', 20, 30, 0],
  );
  assert.deepEqual(await mapWithConcurrency([], 3, async () => 1), []);
  await assert.rejects(mapWithConcurrency([1], 0, async () => 1), RangeError);
});

test("detach host names: '//' prefix added once, stripped once", () => {
  assert.equal(detachedHost('db1'), '//db1');
  assert.equal(detachedHost('//db1'), '//db1');
  assert.equal(attachedHost('//db1'), 'db1');
  assert.equal(attachedHost('db1'), 'db1');
});

const target = { host: '10.0.0.1', port: 3306, user: 'baton', password: 'sekret' };

test('fence reasons from the connect: refused or timed out → unreachable, refused login → access-denied; never throws', async () => {
  const refused = await fence(target, {
    connect: async () => {
      throw new BatonError('BATON_MYSQL_ERROR', 'connect ECONNREFUSED 10.0.0.1:3306', { retryable: true, mysqlCode: 'ECONNREFUSED' });
    },
  });
  assert.equal(refused.fenced, false);
  assert.equal(refused.reason, 'unreachable');
  assert.match(refused.error ?? '', /ECONNREFUSED/);
  let budget: InstanceConnectOptions | undefined;
  const hung = await fence(target, {
    timeoutMs: 250,
    connect: async (o) => {
      budget = o;
      throw new ProbeTimeoutError('mysql connect timed out');
    },
  });
  assert.equal(hung.reason, 'unreachable');
  assert.equal(budget?.connectTimeoutMs, 250);
  const auth = await fence(target, {
    connect: async () => {
      throw new ProbeAuthError('mysql access denied');
    },
  });
  assert.equal(auth.reason, 'access-denied');
  assert.doesNotMatch(JSON.stringify([refused, hung, auth]), /sekret/);
});

test('fence after connecting: kills every client but replication (Baton\'s own account\'s other sessions too) before read_only and again after; timeout; not-verified', async () => {
  const model = mariadbModel({
    readOnly: 0,
    processlist: [
      { id: 11, user: 'app' },
      { id: 12, user: 'baton' },
      { id: 13, user: 'reporting' },
    ],
  });
  const live = new ScriptedConnection(model);
  const fenced = await fence(target, { connect: async () => live });
  assert.equal(fenced.fenced, true);
  assert.equal(fenced.reason, 'fenced');
  assert.equal(fenced.readOnly, true);
  // the scripted processlist does not shrink: both passes see all three
  assert.equal(fenced.killedConnections, 6);
  assert.equal(fenced.killedBeforeReadOnly, 3);
  assert.deepEqual(live.calls.filter((c) => c.sql.startsWith('KILL')).map((c) => c.values[0]), [11, 12, 13, 11, 12, 13]);
  const order = live.calls.map((c) => c.sql).filter((sql) => sql.startsWith('KILL') || sql.startsWith('SET GLOBAL read_only'));
  assert.equal(order.indexOf('SET GLOBAL read_only = 1'), 3, `read_only after the first kills: ${order.join(' | ')}`);
  const spared = new ScriptedConnection(mariadbModel({ readOnly: 0, processlist: [{ id: 11, user: 'app' }, { id: 12, user: 'baton' }] }));
  await fence(target, { connect: async () => spared, spareUsers: ['baton'] });
  assert.deepEqual(spared.calls.filter((c) => c.sql.startsWith('KILL')).map((c) => c.values[0]), [11, 11], 'spareUsers are never killed');
  assert.equal(live.closed, true);

  const hung = new ScriptedConnection(mariadbModel({ failOn: { prefix: 'SET GLOBAL read_only', error: new ProbeTimeoutError('mysql query timed out') } }));
  const timedOut = await fence(target, { connect: async () => hung });
  assert.equal(timedOut.fenced, false);
  assert.equal(timedOut.reason, 'timeout');

  // a connection that ended between the list and its KILL (1094) is gone, not left unkilled; any other KILL failure is counted
  const processlist = [{ id: 21, user: 'app' }];
  const ended = await fence(target, {
    connect: async () => new ScriptedConnection(mariadbModel({ readOnly: 0, processlist, failOn: { prefix: 'KILL', error: Object.assign(new Error('Unknown thread id: 21'), { errno: 1094 }) } })),
  });
  assert.deepEqual([ended.fenced, ended.killedConnections, ended.unkilledConnections], [true, 0, 0]);
  const refusedKill = await fence(target, {
    connect: async () => new ScriptedConnection(mariadbModel({ readOnly: 0, processlist, failOn: { prefix: 'KILL', error: Object.assign(new Error('You are not owner of thread 21'), { errno: 1095 }) } })),
  });
  assert.deepEqual([refusedKill.fenced, refusedKill.killedConnections, refusedKill.unkilledConnections], [true, 0, 1]);

  const stuck = await fence(target, { connect: async () => new ScriptedConnection(mariadbModel({ stuckReadOnly: 0 })) });
  assert.equal(stuck.fenced, false);
  assert.equal(stuck.reason, 'not-verified');
  assert.equal(stuck.readOnly, false);
});
