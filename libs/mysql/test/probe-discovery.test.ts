import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceKey } from '@baton/contracts';
import { discoverTopology, type DiscoveryOptions } from '../src/index.ts';
import { fakeNetwork, mariadbServer, type FakeServer } from './probe-fakes.ts';

const k = (host: string, port = 3306): InstanceKey => ({ host, port });
const id = (key: InstanceKey): string => `${key.host}:${key.port}`;
const creds = { user: 'baton', password: 'x' };
const [P, I, L1, L2, R] = [k('p'), k('i'), k('l1'), k('l2'), k('r')];

function discover(servers: Record<string, FakeServer>, seed: InstanceKey, options: Partial<DiscoveryOptions> = {}) {
  const net = fakeNetwork(servers);
  return discoverTopology(seed, creds, { connectTimeoutMs: 100, queryTimeoutMs: 100, connect: net.connect, ...options }).then((t) => ({ ...t, net }));
}

/** p → i → {l1, l2}, p → r */
function chain(): Record<string, FakeServer> {
  return {
    [id(P)]: mariadbServer({ serverId: 1, replicas: [I, R] }),
    [id(I)]: mariadbServer({ serverId: 2, source: P, replicas: [L1, L2] }),
    [id(L1)]: mariadbServer({ serverId: 3, source: I }),
    [id(L2)]: mariadbServer({ serverId: 4, source: I }),
    [id(R)]: mariadbServer({ serverId: 5, source: P }),
  };
}

const edge = (source: InstanceKey, replica: InstanceKey) => ({ source, replica });

test('from a leaf of a chain: up to the primary, then down everywhere; every instance read once', async () => {
  const t = await discover(chain(), L2);
  assert.deepEqual(t.primary, P);
  assert.deepEqual(t.instances, [P, I, L1, L2, R]);
  assert.deepEqual(t.edges, [edge(I, L1), edge(I, L2), edge(P, I), edge(P, R)]);
  assert.deepEqual(t.unreachable, []);
  assert.equal(t.truncated, false);
  assert.equal(t.net.attempts.length, 5);
});

test('dead primary: kept as the top (referenced), reported unreachable; what hangs below the seed path is found', async () => {
  const servers = chain();
  (servers[id(P)] as FakeServer).down = true;
  const t = await discover(servers, L1);
  assert.deepEqual(t.primary, P);
  assert.deepEqual(t.instances, [P, I, L1, L2]);
  assert.deepEqual(t.unreachable.map((u) => u.key), [P]);
  assert.match(t.unreachable[0]?.error ?? '', /ECONNREFUSED/);
  assert.deepEqual(t.edges, [edge(I, L1), edge(I, L2), edge(P, I)]);
});

test('an unreachable replica listed by its source is kept, with the edge from the source side', async () => {
  const servers = chain();
  (servers[id(L1)] as FakeServer).down = true;
  const t = await discover(servers, P);
  assert.deepEqual(t.instances, [P, I, L1, L2, R]);
  assert.deepEqual(t.unreachable.map((u) => u.key), [L1]);
  assert.ok(t.edges.some((e) => e.source.host === 'i' && e.replica.host === 'l1'));
});

test('a replica whose IO thread is down (not in SHOW SLAVE HOSTS) is found from the seed side', async () => {
  const servers = chain();
  servers[id(P)] = mariadbServer({ serverId: 1, replicas: [I] }); // r not connected
  const t = await discover(servers, R);
  assert.deepEqual(t.instances, [P, I, L1, L2, R]);
  assert.ok(t.edges.some((e) => e.source.host === 'p' && e.replica.host === 'r'));
});

test('co-master pair: the writable member is the top, the pair is reported', async () => {
  const [A, B, C] = [k('a'), k('b'), k('c')];
  const t = await discover(
    {
      [id(A)]: mariadbServer({ serverId: 1, source: B, replicas: [B, C], readOnly: false }),
      [id(B)]: mariadbServer({ serverId: 2, source: A, replicas: [A], readOnly: true }),
      [id(C)]: mariadbServer({ serverId: 3, source: A }),
    },
    C,
  );
  assert.deepEqual(t.primary, A);
  assert.deepEqual(t.coPrimaries?.slice().sort((x, y) => x.host.localeCompare(y.host)), [A, B]);
  assert.deepEqual(t.instances, [A, B, C]);
  assert.deepEqual(t.edges, [edge(A, B), edge(A, C), edge(B, A)]);
});

test('the seed given under another name: the topology name wins, the seed name is an alias', async () => {
  const servers = chain();
  servers['db-p.internal:3306'] = servers[id(P)] as FakeServer;
  const t = await discover(servers, k('db-p.internal'));
  assert.deepEqual(t.primary, P);
  assert.deepEqual(t.instances, [P, I, L1, L2, R]);
  assert.deepEqual(t.aliases, [{ alias: k('db-p.internal'), key: P }]);
});

test('bounds: maxInstances and maxDepth stop the walk and say so', async () => {
  const few = await discover(chain(), P, { maxInstances: 3 });
  assert.equal(few.truncated, true);
  assert.equal(few.instances.length, 3);
  const shallow = await discover(chain(), P, { maxDepth: 1 });
  assert.equal(shallow.truncated, true);
  assert.deepEqual(shallow.instances, [P, I, R]);
  const up = await discover(chain(), L1, { maxDepth: 1 });
  assert.equal(up.truncated, true);
  // A bound that only cuts below the leaves truncates nothing.
  const exact = await discover(chain(), P, { maxDepth: 2 });
  assert.equal(exact.truncated, false);
  assert.equal(exact.instances.length, 5);
});

test('an unreachable seed: reported, no primary', async () => {
  const t = await discover({}, P);
  assert.deepEqual(t.instances, [P]);
  assert.equal(t.primary, undefined);
  assert.deepEqual(t.unreachable.map((u) => u.key), [P]);
});
