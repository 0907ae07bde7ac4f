import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRegistration, Envelope, InstanceKey, TopicName } from '@baton/contracts';
import type { DiscoveredTopology } from '@baton/mysql';
import { forgetCluster, registerCluster, resolveRegistration } from '../src/register-cluster.ts';
import { createLogger } from '@baton/logging';
import { key, registration } from './fakes.ts';

const now = new Date('2026-03-01T00:00:00.000Z');

function topology(primary: InstanceKey, replicas: InstanceKey[]): DiscoveredTopology {
  return {
    instances: [primary, ...replicas],
    primary,
    edges: replicas.map((r) => ({ source: primary, replica: r })),
    unreachable: [],
    aliases: [],
    truncated: false,
  };
}

const [p, r1, r2] = [key('db1', 3306), key('db2', 3306), key('db3', 3306)];

test('first discovery: the id is the alias, else the primary host:port', () => {
  const t = topology(p, [r1]);
  const plain = resolveRegistration({ topology: t, existing: new Map(), registeredBy: 'cli', now });
  assert.equal(plain.registration.clusterId, 'db1:3306');
  assert.equal(plain.registration.alias, 'db1:3306');
  assert.deepEqual(plain.registration.seeds, [p, r1]);
  assert.equal(plain.changed, true);
  const aliased = resolveRegistration({ topology: t, alias: 'orders', existing: new Map(), registeredBy: 'cli', now });
  assert.equal(aliased.registration.clusterId, 'orders');
});

test('after a failover the same cluster keeps its id; the same registration is not rewritten', () => {
  const existing = new Map([['db1:3306', registration('db1:3306', [p, r1, r2])]]);
  // db2 was promoted; db1 is gone
  const after = resolveRegistration({ topology: topology(r1, [r2]), existing, registeredBy: 'config seed', now });
  assert.equal(after.registration.clusterId, 'db1:3306');
  assert.equal(after.reusedClusterId, true);
  assert.equal(after.changed, true, 'the seeds changed');
  const again = resolveRegistration({ topology: topology(p, [r1, r2]), existing, registeredBy: 'config seed', now });
  assert.equal(again.changed, false);
});

test('an active registration lends its id, a forgotten one does not; a registered alias takes that id', () => {
  const existing = new Map([
    ['old', registration('old', [p], { status: 'forgotten', registeredAt: '2025-01-01T00:00:00.000Z' })],
    ['live', registration('live', [p, r1])],
    ['orders', registration('orders', [key('elsewhere', 1)])],
  ]);
  assert.equal(resolveRegistration({ topology: topology(p, [r1]), existing, registeredBy: 't', now }).registration.clusterId, 'live');
  const other = resolveRegistration({ topology: topology(key('new', 1), []), alias: 'orders', existing, registeredBy: 't', now });
  assert.equal(other.registration.clusterId, 'orders');
  // the hosts of a forgotten cluster now serve a new one: a fresh id
  const reused = new Map([['old', registration('old', [p, r1], { status: 'forgotten' })]]);
  assert.equal(resolveRegistration({ topology: topology(p, [r1]), alias: 'fresh', existing: reused, registeredBy: 't', now }).registration.clusterId, 'fresh');
  assert.equal(resolveRegistration({ topology: topology(p, [r1]), existing: reused, registeredBy: 't', now }).registration.clusterId, 'db1:3306');
  // forgotten, then discovered again under its own alias: the same id, active again
  const back = resolveRegistration({ topology: topology(p, [r1]), alias: 'old', existing: reused, registeredBy: 't', now });
  assert.equal(back.registration.clusterId, 'old');
  assert.equal(back.changed, true);
});

test('a seed that does not answer is a discovery failure, not retryable', () => {
  const t: DiscoveredTopology = { instances: [], edges: [], unreachable: [{ key: p, error: 'ECONNREFUSED' }], aliases: [], truncated: false };
  assert.throws(
    () => resolveRegistration({ topology: t, existing: new Map(), registeredBy: 't', now }),
    (e: unknown) => (e as { code?: string }).code === 'BATON_DISCOVERY_FAILED' && (e as { retryable?: boolean }).retryable === false,
  );
});

function recorder() {
  const published: Array<{ topic: TopicName; key: string; envelope: Envelope }> = [];
  return {
    published,
    publisher: {
      publish: async (topic: TopicName, k: string, envelope: Envelope) => {
        published.push({ topic, key: k, envelope });
        return [];
      },
    },
  };
}

test('registerCluster publishes a valid registration keyed by cluster id, and nothing when unchanged', async () => {
  const { published, publisher } = recorder();
  const registry = new Map<string, ClusterRegistration>();
  const options = {
    credentials: { user: 'u', password: 'p' },
    connectTimeoutMs: 10,
    queryTimeoutMs: 10,
    publisher,
    registrations: async () => registry,
    discover: async () => topology(p, [r1]),
    now: () => now,
  };
  const first = await registerCluster('db1:3306', { ...options, alias: 'orders' });
  assert.equal(first.published, true);
  assert.equal(published.length, 1);
  assert.equal(published[0]?.topic, 'baton.cluster-registry');
  assert.equal(published[0]?.key, 'orders');
  assert.equal(published[0]?.envelope.type, 'cluster-registration');
  registry.set('orders', first.registration);
  const second = await registerCluster({ host: 'db2', port: 3306 }, { ...options, alias: 'orders' });
  assert.equal(second.published, false);
  assert.equal(published.length, 1);

  const forgotten = await forgetCluster('orders', { publisher, registrations: async () => registry, now: () => now });
  assert.equal(forgotten?.status, 'forgotten');
  assert.deepEqual(forgotten?.seeds, first.registration.seeds);
  assert.equal(published.length, 2);
  registry.set('orders', forgotten as ClusterRegistration);
  assert.equal(await forgetCluster('orders', { publisher, registrations: async () => registry }), null, 'forgetting twice is a no-op');
  assert.equal(await forgetCluster('nope', { publisher, registrations: async () => registry }), null);
});

test('an alias outside the safe set is not used: the default id and alias, and a warning naming the seed and the value', async () => {
  const hostile = ['$(touch${IFS}pwned)', '`touch pwned`', 'a;b', 'a\nb', '{failedHost}', 'x'.repeat(129)];
  for (const alias of hostile) {
    const resolved = resolveRegistration({ topology: topology(p, [r1]), alias, existing: new Map(), registeredBy: 't', now });
    assert.equal(resolved.registration.clusterId, 'db1:3306', JSON.stringify(alias));
    assert.equal(resolved.registration.alias, 'db1:3306');
    assert.equal(resolved.refusedAlias, alias);
  }
  // a registered cluster keeps its id and alias when rediscovered with a refused alias
  const existing = new Map([['orders', registration('orders', [p, r1])]]);
  const again = resolveRegistration({ topology: topology(p, [r1]), alias: 'a;b', existing, registeredBy: 't', now });
  assert.equal(again.registration.clusterId, 'orders');
  assert.equal(again.registration.alias, existing.get('orders')?.alias);
  assert.equal(resolveRegistration({ topology: topology(p, [r1]), alias: 'db-1.eu_2:x', existing: new Map(), registeredBy: 't', now }).refusedAlias, undefined);

  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ service: 'test', level: 'warn', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  const { published, publisher } = recorder();
  const result = await registerCluster('db1:3306', {
    credentials: { user: 'u', password: 'p' },
    connectTimeoutMs: 10,
    queryTimeoutMs: 10,
    publisher,
    discover: async () => topology(p, [r1]),
    now: () => now,
    logger,
    alias: '$(touch${IFS}pwned)',
  });
  assert.equal(result.clusterId, 'db1:3306');
  assert.equal(published[0]?.key, 'db1:3306');
  const warning = lines.find((l) => l['refusedAlias'] !== undefined);
  assert.ok(warning, JSON.stringify(lines));
  assert.equal(warning['seed'], 'db1:3306');
  assert.equal(warning['refusedAlias'], '$(touch${IFS}pwned)');
  assert.match(String(warning['msg']), /cluster alias refused/);
});
