/**
 * The `baton` CLI (libs/cli) against a real api listening on 127.0.0.1 (a random port), built on
 * the route tests' fakes: the topology tree, every command's human output, --json, and the exit
 * codes scripts rely on (0 OK, 1 ERROR or unreachable, 2 usage). One run goes through the real
 * bin (bin/baton.mjs) as a user would.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { main, type CliIo } from '@baton/cli';
import { deadPrimarySnapshot, harness, TOKEN, type Harness } from './harness.ts';
import { recoveryRecord } from './fakes.ts';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function listening(t: TestContext, h: Harness): Promise<string> {
  const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => h.app.close());
  return address;
}

function cli(url: string, token: string | null = TOKEN) {
  return async (...argv: string[]): Promise<Run> => {
    let out = '';
    let err = '';
    const io: CliIo = {
      out: (text) => void (out += text),
      err: (text) => void (err += text),
      readFile: () => '',
      env: { BATON_API_URL: url, ...(token === null ? {} : { BATON_API_TOKEN: token }), USER: 'tester' },
    };
    const code = await main(argv, io);
    return { code, out, err };
  };
}

const tree = [
  'db1:3306    [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>]       primary',
  '+ db2:3306  [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]  replica',
  '+ db3:3306  [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]  replica',
].join('\n');

test('baton topology CLUSTER prints the tree with role, replication state, lag and flags (real bin)', async (t) => {
  const h = await harness(t);
  const url = await listening(t, h);
  const baton = cli(url);
  assert.deepEqual(await baton('topology', 'orders'), { code: 0, out: `${tree}\n`, err: '' });
  assert.deepEqual(await baton('topology', 'db3:3306'), { code: 0, out: `${tree}\n`, err: '' });

  const bin = fileURLToPath(new URL('../../../libs/cli/bin/baton.mjs', import.meta.url));
  const real = await new Promise<Run>((resolve) => {
    execFile(process.execPath, [bin, 'topology', 'orders', '--api', url], { timeout: 60_000, env: { ...process.env, BATON_API_URL: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
  assert.deepEqual(real, { code: 0, out: `${tree}\n`, err: '' });
});

test('a dead primary: topology shows it, analysis lists it, recover promotes and prints the successor', async (t) => {
  const h = await harness(t, {}, deadPrimarySnapshot());
  const baton = cli(await listening(t, h));
  const topo = await baton('topology', 'orders');
  assert.equal(topo.code, 0);
  assert.match(topo.out, /^db1:3306 +\[unknown,invalid,.*\] +primary +DeadMaster\n\+ db2:3306 +\[null,nonreplicating,/);
  assert.deepEqual(await baton('analysis'), {
    code: 0,
    out: 'db1:3306 (cluster orders): DeadMaster\ndb2:3306 (cluster orders): FirstTierReplicaFailingToConnectToMaster\ndb3:3306 (cluster orders): FirstTierReplicaFailingToConnectToMaster\n',
    err: '',
  });
  assert.deepEqual(await baton('recover', 'db1:3306', '--candidate', 'db3:3306'), { code: 0, out: 'Recovery executed on db1:3306: promoted db2:3306\n', err: '' });
  assert.equal(h.commands.published[0]?.command.requestedBy, 'api:tester');
  const audit = await baton('audit');
  assert.equal(audit.code, 0);
  assert.match(audit.out, /^ID +UID +CLUSTER +FAILED +ANALYSIS +PROMOTED +RESULT +STARTED +ACK\n100 +rec-100 +orders +db1:3306 +DeadMaster +db2:3306 +successful +2026-11-26T19:30:01\.000Z +no\n$/);
  const json = await baton('recover', 'db1:3306', '--json');
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.out), { Code: 'OK', Message: 'Recovery executed on db1:3306', Details: { Hostname: 'db2', Port: 3306 } });

  h.commands.recoverBehaviour = { kind: 'fail', errors: ['every replica lags'] };
  const failed = await baton('recover', 'db1:3306', '--skip-hooks');
  assert.deepEqual(failed, { code: 1, out: '', err: 'baton recover: Recovery attempted but no instance promoted\n' });
  const healthy = await baton('recover', 'db2:3306');
  assert.deepEqual(healthy, { code: 1, out: '', err: 'baton recover: Recovery not attempted (FirstTierReplicaFailingToConnectToMaster has no recovery)\n' });
});

test('clusters, recoveries, register-candidate, downtime, ack, discover and forget', async (t) => {
  const h = await harness(t);
  const baton = cli(await listening(t, h));
  assert.deepEqual(await baton('clusters'), {
    code: 0,
    out: 'CLUSTER        ALIAS   INSTANCES  LAG  AUTO-RECOVERY\n10.0.0.5:3306  -       2          0s   off\norders         orders  3          0s   off\n',
    err: '',
  });
  assert.deepEqual(JSON.parse((await baton('clusters', '--json')).out).map((c: { ClusterName: string }) => c.ClusterName), ['10.0.0.5:3306', 'orders']);
  assert.deepEqual(await baton('recoveries', 'check'), { code: 0, out: 'enabled\n', err: '' });
  assert.deepEqual(await baton('recoveries', 'disable'), { code: 0, out: 'disabled\n', err: '' });
  assert.deepEqual(await baton('check-global-recoveries'), { code: 0, out: 'disabled\n', err: '' });
  assert.deepEqual(await baton('enable-global-recoveries'), { code: 0, out: 'enabled\n', err: '' });
  assert.deepEqual(await baton('register-candidate', 'db2:3306', 'prefer'), { code: 0, out: 'Registered candidate: db2:3306 prefer\n', err: '' });

  const begun = await baton('downtime', 'begin', 'db3:3306', '--owner', 'ops', '--reason', 'kernel upgrade', '--duration', '1h');
  assert.equal(begun.code, 0, begun.err);
  assert.match(begun.out, /^Downtime begun: db3:3306 until 2026-11-26T20:30:00\.500Z\n$/);
  const list = await baton('downtime', 'list');
  assert.match(list.out, /^INSTANCE +CLUSTER +OWNER +REASON +ENDS\ndb3:3306 +orders +ops +kernel upgrade +2026-11-26T20:30:00\.500Z\n$/);
  assert.deepEqual(await baton('downtime', 'end', 'db3:3306'), { code: 0, out: 'Downtime ended: db3:3306\n', err: '' });
  assert.deepEqual(await baton('downtime', 'list', 'orders'), { code: 0, out: 'no downtimed instances\n', err: '' });

  h.audit.rows.push(recoveryRecord({ id: 1, uid: 'rec-1' }));
  h.audit.stepRows.push({ id: 1, recoveryUid: 'rec-1', seq: 1, at: new Date('2026-11-26T19:30:01.100Z'), step: 'promoted', message: 'db2:3306 promoted', ok: true, details: {} });
  const one = await baton('audit', '--uid', 'rec-1');
  assert.match(one.out, /rec-1 +orders +db1:3306 +DeadMaster +db2:3306 +successful/);
  assert.match(one.out, /\n\n# +AT +STEP +RESULT +MESSAGE\n1 +2026-11-26T19:30:01\.100Z +promoted +ok +db2:3306 promoted\n$/);
  assert.deepEqual(await baton('ack', 'orders', '--comment', 'looked at it'), { code: 0, out: 'Acknowledged 1 recoveries on orders\n', err: '' });
  assert.equal(h.audit.rows[0]?.acknowledgedComment, 'looked at it');

  assert.deepEqual(await baton('discover', 'db2:3306', '--alias', 'orders'), { code: 0, out: 'Instance discovered: db2:3306\n', err: '' });
  assert.deepEqual(h.commands.published.at(-1)?.command, { kind: 'discover', requestedBy: 'api:tester', instance: { host: 'db2', port: 3306 }, alias: 'orders' });
  assert.deepEqual(await baton('forget', 'orders'), { code: 0, out: 'Cluster forgotten: orders\n', err: '' });
});

test('exit codes: 1 for an ERROR answer, a refused token or an unreachable api; 2 for bad usage', async (t) => {
  const h = await harness(t);
  const url = await listening(t, h);
  const baton = cli(url);
  const unknown = await baton('topology', 'nope');
  assert.deepEqual(unknown, { code: 1, out: '', err: 'baton topology: Unable to determine cluster name for hint nope\n' });
  const unknownJson = await baton('topology', 'nope', '--json');
  assert.equal(unknownJson.code, 1);
  assert.equal(JSON.parse(unknownJson.out).Code, 'ERROR');

  const noToken = await cli(url, null)('recoveries', 'disable');
  assert.equal(noToken.code, 1);
  assert.match(noToken.err, /^baton recoveries: Unauthorized: send the api token/);
  assert.equal((await baton('recoveries', 'disable', '--token', 'wrong-token-0123456789')).code, 1);

  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as AddressInfo;
      server.close(() => resolve(free));
    });
  });
  const closed = await cli(`http://127.0.0.1:${port}`)('clusters');
  assert.equal(closed.code, 1);
  assert.equal(closed.err, `baton clusters: cannot reach the api at http://127.0.0.1:${port} (ECONNREFUSED); set --api or BATON_API_URL\n`);

  for (const argv of [
    ['topology'],
    ['topology', 'a', 'b'],
    ['recover', 'db1'],
    ['recover', 'db1:3306', '--candidate', 'x'],
    ['ack', 'orders'],
    ['ack', '--comment', 'x'],
    ['ack', 'orders', '--all', '--comment', 'x'],
    ['register-candidate', 'db2:3306', 'must'],
    ['downtime', 'sideways', 'db1:3306'],
    ['downtime', 'begin', 'db1:3306', '--owner', 'me'],
    ['downtime', 'begin', 'db1:3306', '--owner', 'me', '--reason', 'x', '--duration', 'soon'],
    ['recoveries', 'maybe'],
    ['audit', '--page', 'two'],
    ['clusters', '--api', 'not a url'],
    ['clusters', '--bogus'],
  ]) {
    const r = await baton(...argv);
    assert.equal(r.code, 2, `baton ${argv.join(' ')}: ${r.err}`);
    assert.equal(r.out, '');
  }
  assert.deepEqual(h.commands.published, [], 'nothing was published by refused or malformed commands');
  const help = await baton('recover', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: baton recover HOST:PORT/);
});
