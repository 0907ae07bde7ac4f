/**
 * The hook-runner in-process against the real broker and Redis, started as main.ts starts it
 * (startHookRunner over a loaded configuration file), isolated by a unique topic namespace, a
 * unique Redis key prefix and a scratch directory the hooks write into. Every test file starts
 * its own runner with the hook lists it needs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatonConfig } from '@baton/config';
import { createEnvelope, topics, type HookKind, type HookRequest, type HookResult } from '@baton/contracts';
import type { Publisher, TopicNames } from '@baton/kafka';
import { uniqueName, waitFor } from '@baton/testing';
import { startBatonTestEnv, testLogger, type BatonTestEnv } from '@baton/testing/baton-env';
import { startHookRunner, type RunningHookRunner } from '../src/start-hook-runner.ts';

export interface RunnerFixture {
  runner: RunningHookRunner;
  config: BatonConfig;
  names: TopicNames;
  /** Scratch directory for the hooks' files (no spaces or quotes in its path). */
  dir: string;
  publisher: Publisher;
  /** Publishes a hook request (a new envelope each call) and returns it. */
  send(hookKind: HookKind, values: Record<string, string>, overrides?: Partial<HookRequest>): Promise<HookRequest>;
  /** Waits until `count` results for `requestId` have arrived and returns them. */
  results(requestId: string, count?: number): Promise<HookResult[]>;
  read(file: string): string;
  teardown(): Promise<void>;
}

export interface FixtureOptions {
  /** Hook lists and ProcessesShellCommand: the `recovery` section (built after the scratch dir exists). */
  recovery: (dir: string) => Record<string, unknown>;
  /** The `hooks` section (limits). */
  hooks?: Record<string, unknown>;
  /** Environment the hooks inherit (default: this process's, plus a secret that must not reach them). */
  inheritedEnv?: Record<string, string | undefined>;
}

export const planted = { name: 'BATON__BACKEND__PASSWORD', value: 'hunter2-must-not-leak' };

export async function startRunnerFixture(options: FixtureOptions): Promise<RunnerFixture> {
  const env = await startBatonTestEnv({
    label: 'hooks',
    only: [topics.hookRequests, topics.hookResults, topics.deadLetters],
    partitions: 2,
    backend: false,
    logger: testLogger('hook-runner-test'),
  });
  return env.guard(() => fixtureOn(env, options));
}

async function fixtureOn(env: BatonTestEnv, options: FixtureOptions): Promise<RunnerFixture> {
  const { names, namespace, publisher, logger, defer } = env;
  const dir = mkdtempSync(join(tmpdir(), 'baton-hooks-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  // the hook lists as a file (as operators write them); Kafka and Redis from the environment
  const file = join(dir, 'baton.json');
  writeFileSync(file, JSON.stringify({ hooks: options.hooks ?? {}, recovery: options.recovery(dir) }));
  const config = env.config({}, file);

  const received: HookResult[] = [];
  await env.consume({
    role: 'results',
    topics: [topics.hookResults],
    maxWaitTimeMs: 100,
    handler: async ({ envelope }) => {
      if (envelope.type === 'hook-result') received.push(envelope.payload);
    },
  });

  const runner = await startHookRunner({
    config,
    logger,
    names,
    groupId: uniqueName(`${namespace}-runner`),
    fromBeginning: true,
    partitionsConsumedConcurrently: 2,
    inheritedEnv: options.inheritedEnv ?? { ...process.env, [planted.name]: planted.value },
  });
  defer(() => runner.stop());

  return {
    runner,
    config,
    names,
    dir,
    publisher,
    async send(hookKind, values, overrides = {}) {
      const request: HookRequest = {
        requestId: uniqueName('req'),
        hookKind,
        clusterId: 'orders',
        recoveryUid: uniqueName('uid'),
        failOnError: false,
        values,
        ...overrides,
      };
      await publisher.publish(topics.hookRequests, request.clusterId, createEnvelope('hook-request', request, { producer: 'hook-runner-test' }));
      return request;
    },
    async results(requestId, count = 1) {
      return waitFor(
        () => {
          const mine = received.filter((r) => r.requestId === requestId);
          return mine.length >= count ? mine : undefined;
        },
        { description: `${count} hook result(s) for ${requestId}`, timeoutMs: 60_000 },
      );
    },
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    teardown: env.teardown,
  };
}

/** True while `pid` runs (a zombie, already dead and only waiting to be reaped, counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
