/**
 * The api (startApi, in-process, on 127.0.0.1) in front of the whole pipeline with one recovery
 * executor, for the end-to-end tests that drive recoveries through HTTP. `useApiPipeline` registers
 * the file's before/after hooks itself, so each test file states only its label and token.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startApi, type RunningApi } from '@baton/api';
import { waitFor } from '@baton/testing';
import { startPipeline, testLogger, type Pipeline } from './pipeline.ts';

export interface Answer {
  status: number;
  body: { Code?: string; Message?: string; Details?: unknown } & Record<string, unknown>;
}

export interface ApiPipelineOptions {
  /** The pipeline's label (topic namespace, logs). */
  label: string;
  /** BATON__API__TOKEN; POSTs carry it. */
  token: string;
}

export interface ApiPipeline {
  /** Set once the file's before() hook ran. */
  readonly pipeline: Pipeline;
  readonly api: RunningApi;
  /** GET (or POST with the token) `/api/<path>`; any status. */
  call(path: string, options?: { post?: boolean }): Promise<Answer>;
  /** As `call`, asserting 200; the body. */
  ok(path: string, options?: { post?: boolean }): Promise<Answer['body']>;
  /** Waits until the api lists `count` instances of `clusterId` (the detectors probed them all). */
  waitForInstances(clusterId: string, count: number): Promise<void>;
}

/** Starts the pipeline and the api in before(), stops both in after(). */
export function useApiPipeline(options: ApiPipelineOptions): ApiPipeline {
  let pipeline: Pipeline | undefined;
  let api: RunningApi | undefined;
  before(async () => {
    pipeline = await startPipeline({
      admin: { user: 'baton', password: 'baton-pass' },
      label: options.label,
      executors: 1,
      env: {
        BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]',
        BATON__API__TOKEN: options.token,
        BATON__API__RECOVER_WAIT_MS: '50000',
        BATON__API__COMMAND_WAIT_MS: '10000',
      },
    });
    api = await startApi(pipeline.config, testLogger('api'), { port: 0 });
  });
  after(async () => {
    await api?.stop();
    await pipeline?.stop();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is not started: use it inside a test`);
    return value;
  };
  const call = async (path: string, o: { post?: boolean } = {}): Promise<Answer> => {
    const url = `${started(api, 'api').url}/api/${path}`;
    const res = await fetch(url, { method: o.post ? 'POST' : 'GET', headers: o.post ? { authorization: `Bearer ${options.token}`, 'x-baton-user': 'int-test' } : {} });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  return {
    get pipeline() {
      return started(pipeline, 'pipeline');
    },
    get api() {
      return started(api, 'api');
    },
    call,
    async ok(path, o = {}) {
      const answer = await call(path, o);
      assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
    async waitForInstances(clusterId, count) {
      let seen: Answer | undefined;
      await waitFor(async () => ((seen = await call(`cluster/${clusterId}`)).body as unknown as unknown[]).length === count, {
        description: `the api sees the ${count} instances`,
        timeoutMs: 45_000,
      }).catch((error: unknown) => {
        const stats = pipeline ? JSON.stringify(pipeline.analyzer.analyzer.stats()) : 'not started';
        throw new Error(`${(error as Error).message}: ${JSON.stringify(seen?.body)}; analyzer ${stats}`);
      });
    },
  };
}
