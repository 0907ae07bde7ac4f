/**
 * Hook round trip: the hook-runner in-process against the real broker and Redis, a trivial hook
 * (`true`), N requests one after the other, each timed from "request published" to "result
 * consumed" (publish, consume, claim in Redis, spawn bash, wait, store, publish, consume).
 * Run: npm run bench:hooks [-- runs] — writes bench/results/hooks.json and prints it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { summarize, writeReport } from './report.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, topics, type HookRequest, type HookResult } from '@baton/contracts';
import { startHookRunner } from '@baton/hook-runner';
import { silentLogger } from '@baton/logging';
import { uniqueName } from '@baton/testing';
import { startBatonTestEnv } from '@baton/testing/baton-env';

const runs = Number(process.argv[2] ?? 50);
const warmup = 3;
const logger = silentLogger();

const env = await startBatonTestEnv({ label: 'bench-hooks', only: [topics.hookRequests, topics.hookResults, topics.deadLetters], partitions: 2, backend: false, logger });
const { names, namespace, publisher } = env;
const waiting = new Map<string, (result: HookResult) => void>();
// the runner and a collector of its results; stopped by env.teardown() (and released if this fails)
await env.guard(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-hooks-'));
  env.defer(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'baton.json');
  writeFileSync(file, JSON.stringify({ recovery: { PreFailoverProcesses: ['true'] } }));
  const config = env.config({}, file);

  const collector = await env.consume({
    role: 'results',
    topics: [topics.hookResults],
    handler: async ({ envelope }) => {
      if (envelope.type === 'hook-result') waiting.get(envelope.payload.requestId)?.(envelope.payload);
    },
  });
  const runner = await startHookRunner({ config, logger, names, groupId: uniqueName(`${namespace}-runner`), fromBeginning: true });
  env.defer(() => runner.stop());
  await Promise.all([collector.ready, runner.consumer.ready]);
});

async function roundTrip(i: number): Promise<number> {
  const request: HookRequest = {
    requestId: `${namespace}-${i}`,
    hookKind: 'PreFailoverProcesses',
    clusterId: 'bench',
    recoveryUid: `uid-${i}`,
    failOnError: true,
    values: { failedHost: 'db1', failedPort: '3306' },
  };
  const answered = new Promise<HookResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no result for ${request.requestId} within 30 s`)), 30_000);
    waiting.set(request.requestId, (result) => {
      clearTimeout(timer);
      resolve(result);
    });
  });
  const started = performance.now();
  await publisher.publish(topics.hookRequests, request.clusterId, createEnvelope('hook-request', request, { producer: 'bench' }));
  const result = await answered;
  const elapsed = performance.now() - started;
  waiting.delete(request.requestId);
  if (!result.ok) throw new Error(`hook failed: ${result.error}`);
  return elapsed;
}

const times: number[] = [];
try {
  for (let i = 0; i < warmup; i += 1) await roundTrip(-1 - i);
  for (let i = 0; i < runs; i += 1) times.push(await roundTrip(i));
} finally {
  await env.teardown();
}

writeReport('hooks', {
  hookRoundTripMs: summarize(times),
  runs,
  warmupRuns: warmup,
  hook: 'PreFailoverProcesses: ["true"] (bash -c true)',
});
