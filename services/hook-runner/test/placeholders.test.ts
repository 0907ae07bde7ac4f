import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HookRequest } from '@baton/contracts';
import { batonEnvName, expandArgv, placeholderTable, resolveHookValues } from '../src/placeholders.ts';

function request(values: Record<string, string>, overrides: Partial<HookRequest> = {}): HookRequest {
  return { requestId: 'req-1', hookKind: 'PostFailoverProcesses', clusterId: 'orders', recoveryUid: 'uid-7', failOnError: false, values, ...overrides };
}

test('BATON_* names are the placeholder names in SCREAMING_SNAKE', () => {
  const table: Array<[string, string]> = [
    ['failedHost', 'BATON_FAILED_HOST'],
    ['recoveryUID', 'BATON_RECOVERY_UID'],
    ['isCoMaster', 'BATON_IS_CO_MASTER'],
    ['failureClusterAlias', 'BATON_FAILURE_CLUSTER_ALIAS'],
    ['successorBinlogCoordinates', 'BATON_SUCCESSOR_BINLOG_COORDINATES'],
    ['countLostReplicas', 'BATON_COUNT_LOST_REPLICAS'],
    ['fencedBySql', 'BATON_FENCED_BY_SQL'],
    ['sqlFenceResult', 'BATON_SQL_FENCE_RESULT'],
  ];
  for (const [name, env] of table) assert.equal(batonEnvName(name), env);
});

test('every placeholder gets its BATON_* and (where orchestrator has one) ORC_* variable, empty without a value', () => {
  const values = resolveHookValues(request({ failedHost: 'db1', failedPort: '3306', slaveHosts: 'r1:3306,r2:3306', countSlaves: '2' }), { hostname: 'runner-1' });
  for (const spec of placeholderTable) {
    assert.ok(batonEnvName(spec.name) in values.env, spec.name);
    if (spec.orcEnv) assert.ok(spec.orcEnv in values.env, spec.orcEnv);
  }
  assert.equal(values.env['ORC_FAILED_HOST'], 'db1');
  assert.equal(values.env['BATON_FAILED_PORT'], '3306');
  assert.equal(values.env['ORC_REPLICA_HOSTS'], 'r1:3306,r2:3306', 'alias slaveHosts fills replicaHosts');
  assert.equal(values.env['ORC_COUNT_REPLICAS'], '2');
  assert.equal(values.env['ORC_SUCCESSOR_HOST'], '', 'no successor: empty, not the placeholder text');
  assert.equal(values.lookup('successorHost')?.value, '');
  assert.equal(values.lookup('countSlaves')?.envName, 'BATON_COUNT_REPLICAS');
  assert.equal(values.lookup('nope'), undefined);
});

test('the fence hook\'s own values: {fencedBySql} and {sqlFenceResult} as BATON_* variables (orchestrator has no ORC_* for them)', () => {
  const values = resolveHookValues(request({ failedHost: 'db1', fencedBySql: 'false', sqlFenceResult: 'unreachable' }, { hookKind: 'fenceProcesses' }), { hostname: 'h' });
  assert.equal(values.env['BATON_FENCED_BY_SQL'], 'false');
  assert.equal(values.env['BATON_SQL_FENCE_RESULT'], 'unreachable');
  assert.equal(values.env['BATON_HOOK_KIND'], 'fenceProcesses');
  assert.equal(values.lookup('fencedBySql')?.envName, 'BATON_FENCED_BY_SQL');
  assert.deepEqual(Object.keys(values.env).filter((k) => /FENCE/.test(k)).sort(), ['BATON_FENCED_BY_SQL', 'BATON_SQL_FENCE_RESULT']);
  assert.equal(values.warnings.length, 0);
});

test('defaults: the cluster id, the recovery uid and this host fill their placeholders when the request leaves them out', () => {
  const values = resolveHookValues(request({}), { hostname: 'runner-1' });
  assert.equal(values.env['ORC_FAILURE_CLUSTER'], 'orders');
  assert.equal(values.env['ORC_RECOVERY_UID'], 'uid-7');
  assert.equal(values.env['ORC_ORCHESTRATOR_HOST'], 'runner-1');
  assert.equal(values.env['BATON_HOOK_KIND'], 'PostFailoverProcesses');
  assert.equal(values.env['BATON_REQUEST_ID'], 'req-1');
  const given = resolveHookValues(request({ failureCluster: 'db1:3306', recoveryUID: 'other' }), { hostname: 'runner-1' });
  assert.equal(given.env['ORC_FAILURE_CLUSTER'], 'db1:3306');
  assert.equal(given.env['ORC_RECOVERY_UID'], 'other');
});

test('extra request values are placeholders too; NUL bytes are removed with a warning', () => {
  const values = resolveHookValues(request({ myTicket: 'OPS-1', 'bad name': 'x', failedHost: 'a\0b' }), { hostname: 'h' });
  assert.equal(values.env['BATON_MY_TICKET'], 'OPS-1');
  assert.equal(values.lookup('myTicket')?.value, 'OPS-1');
  assert.equal(values.env['BATON_FAILED_HOST'], 'ab');
  assert.equal(values.byName['bad name'], 'x');
  assert.equal(values.warnings.length, 2);
});

test('argv: a placeholder is replaced inside its element, which stays one element; argv[0] is never expanded', () => {
  const hostile = "db1; touch /tmp/x $(id) 'q' \"d\"\nline2";
  const values = resolveHookValues(request({ failedHost: hostile, failedPort: '3306' }), { hostname: 'h' });
  const { argv, warnings } = expandArgv(['/usr/bin/{failedHost}', '{failedHost}', '--target={failedHost}:{failedPort}', '{successorHost}', '{unknown}', '${failedHost}'], values);
  assert.deepEqual(argv, ['/usr/bin/{failedHost}', hostile, `--target=${hostile}:3306`, '', '{unknown}', '${failedHost}']);
  assert.deepEqual(warnings, ['placeholders in the program name (argv[0]) are not expanded', 'unknown placeholder {unknown} left as written']);
});
