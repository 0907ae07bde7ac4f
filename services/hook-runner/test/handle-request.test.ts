import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope, type HookRequest, type HookResult } from '@baton/contracts';
import type { MessageContext, Publisher } from '@baton/kafka';
import { silentLogger } from '@baton/logging';
import { createKeys } from '@baton/state';
import { createRequestHandler, processedKeys, type RequestHandlerOptions } from '../src/handle-request.ts';

/** The few Redis commands the handler uses, in memory (TTL ignored). */
function fakeRedis() {
  const data = new Map<string, string>();
  return {
    data,
    async set(key: string, value: string, _px: 'PX', _ttl: number, nx?: 'NX'): Promise<'OK' | null> {
      if (nx && data.has(key)) return null;
      data.set(key, value);
      return 'OK';
    },
    async get(key: string): Promise<string | null> {
      return data.get(key) ?? null;
    },
  };
}

const request: HookRequest = { requestId: 'req 1/é', hookKind: 'PreFailoverProcesses', clusterId: 'orders', recoveryUid: 'u1', failOnError: true, values: {} };

function context(attempt = 1): MessageContext {
  return {
    envelope: createEnvelope('hook-request', request, { producer: 'test', correlationId: 'det-1' }),
    topic: 'baton.hook-requests',
    physicalTopic: 'baton.hook-requests',
    partition: 0,
    offset: '0',
    key: 'orders',
    headers: {},
    timestamp: '0',
    attempt,
    signal: new AbortController().signal,
  };
}

function setup(overrides: Partial<RequestHandlerOptions> = {}) {
  const redis = fakeRedis();
  const published: Array<{ key: string; result: HookResult; correlationId: string | undefined }> = [];
  let failPublishes = 0;
  const publisher = {
    async publish(_topic: string, key: string, envelope: { payload: unknown; correlationId?: string }) {
      if (failPublishes > 0) {
        failPublishes -= 1;
        throw new Error('broker away');
      }
      published.push({ key, result: envelope.payload as HookResult, correlationId: envelope.correlationId });
      return [];
    },
  } as unknown as Publisher;
  let runs = 0;
  const handler = createRequestHandler({
    redis: redis as never,
    keys: createKeys('t'),
    publisher,
    logger: silentLogger(),
    ttlMs: 60_000,
    owner: 'test',
    pollMs: 5,
    worstCaseMs: () => 0,
    run: async (r) => {
      runs += 1;
      return { requestId: r.requestId, hookKind: r.hookKind, clusterId: r.clusterId, recoveryUid: r.recoveryUid, ok: true, runs: [], error: null };
    },
    ...overrides,
  });
  return { redis, handler, published, runs: () => runs, failNextPublish: () => (failPublishes += 1) };
}

test('the claim and the stored result sit next to each other under the processed-id key', () => {
  const keys = processedKeys(createKeys('t'), request.requestId);
  assert.equal(keys.claim, 't:baton:processed:hook-request:req%201%2F%C3%A9');
  assert.equal(keys.result, `${keys.claim}:result`);
});

test('first delivery runs and answers with the correlation id; a repeat replays the stored result', async () => {
  const s = setup();
  await s.handler.handle(context());
  await s.handler.handle(context());
  assert.equal(s.runs(), 1);
  assert.equal(s.published.length, 2);
  assert.equal(s.published[0]?.result.replayed, undefined);
  assert.equal(s.published[1]?.result.replayed, true);
  assert.equal(s.published[0]?.key, 'orders');
  assert.equal(s.published[0]?.correlationId, 'det-1');
  assert.deepEqual(s.handler.stats(), { ran: 1, replayed: 1, lost: 0 });
});

test('a retry after a failed publish answers from the run already done', async () => {
  const s = setup();
  s.failNextPublish();
  await assert.rejects(s.handler.handle(context(1)), /broker away/);
  await s.handler.handle(context(2));
  assert.equal(s.runs(), 1);
  assert.equal(s.published.length, 1);
  assert.equal(s.published[0]?.result.replayed, undefined);
});

test('a claim without a result past its deadline is answered as lost, and the hooks do not run', async () => {
  const s = setup();
  const keys = processedKeys(createKeys('t'), request.requestId);
  s.redis.data.set(keys.claim, JSON.stringify({ deadlineAt: Date.now() + 50, owner: 'crashed' }));
  await s.handler.handle(context());
  assert.equal(s.runs(), 0);
  assert.equal(s.published[0]?.result.ok, false);
  assert.match(s.published[0]?.result.error ?? '', /not run again/);
  // the verdict is stored: the next repeat replays it at once
  await s.handler.handle(context());
  assert.equal(s.published[1]?.result.replayed, true);
  assert.deepEqual(s.handler.stats(), { ran: 0, replayed: 1, lost: 1 });
});

test('a repeat arriving while the first run is still going waits for its result', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const s = setup({
    worstCaseMs: () => 60_000,
    run: async (r) => {
      await gate;
      return { requestId: r.requestId, hookKind: r.hookKind, clusterId: r.clusterId, recoveryUid: r.recoveryUid, ok: true, runs: [], error: null };
    },
  });
  const first = s.handler.handle(context());
  const repeat = s.handler.handle(context());
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.published.length, 0);
  release();
  await Promise.all([first, repeat]);
  assert.deepEqual(s.published.map((p) => p.result.replayed ?? false).sort(), [false, true]);
});

test('a run that throws still answers, as a failed result', async () => {
  const s = setup({ run: async () => Promise.reject(new Error('boom')) });
  await s.handler.handle(context());
  assert.equal(s.published[0]?.result.ok, false);
  assert.equal(s.published[0]?.result.error, 'hook-runner error: boom');
});
