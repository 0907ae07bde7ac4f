/**
 * Hooks through the hook-runner: a request on baton.hook-requests (keyed by cluster id, so one
 * cluster's hooks run in order), the answer on baton.hook-results, read by a consumer of this
 * process's own (group `<prefix>-<owner>`: every executor sees every result and keeps those it
 * waits for, by requestId). The request id is the hook-runner's idempotency key: a request sent
 * twice runs once.
 *
 * Each wait has a deadline: the list's worst case (every entry at its own deadline, as the
 * hook-runner bounds it) plus a margin for the broker. No answer by then is `no-result`, which the
 * protocol treats as a failure for the lists that can abort (OnFailureDetection, PreFailover). A
 * list with no entries in this configuration is not sent at all (`none-configured`).
 */
import { createEnvelope, hookKindFailsOnError, topics, type HookKind, type HookResult, type HookStepDetails } from '@baton/contracts';
import { runConsumer, type MessageSigner, type Publisher, type RunningConsumer, type TopicNames } from '@baton/kafka';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '@baton/logging';
import type { HookCall, HookClient, HookOutcome } from './ports.ts';
import type { HookListInfo } from './settings.ts';

interface Waiter {
  resolve: (result: HookResult) => void;
}

export interface KafkaHookClientOptions {
  kafka: Kafka;
  names: TopicNames;
  publisher: Publisher;
  deadLetterProducer: Producer;
  groupId: string;
  logger: Logger;
  lists: Readonly<Record<HookKind, HookListInfo>>;
  marginMs: number;
  signer: MessageSigner;
  producer?: string;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export interface RunningHookClient extends HookClient {
  consumer: RunningConsumer;
  /** Ends every wait with `no-result` and stops the consumer. */
  stop(): Promise<void>;
}

export async function startKafkaHookClient(options: KafkaHookClientOptions): Promise<RunningHookClient> {
  const { logger, publisher } = options;
  const waiters = new Map<string, Waiter>();

  const consumer = await runConsumer({
    kafka: options.kafka,
    names: options.names,
    groupId: options.groupId,
    topics: [topics.hookResults],
    logger,
    deadLetterProducer: options.deadLetterProducer,
    signer: options.signer,
    fromBeginning: false,
    maxWaitTimeMs: 100,
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    handler: async ({ envelope }) => {
      if (envelope.type !== 'hook-result') return;
      const result = envelope.payload;
      const waiter = waiters.get(result.requestId);
      if (waiter) waiter.resolve(result);
    },
  });
  await consumer.ready;

  let stopping = false;
  const cancel = new Set<() => void>();

  async function run(call: HookCall): Promise<HookOutcome> {
    const info = options.lists[call.kind];
    if (info.entries === 0) return { status: 'none-configured' };
    if (stopping) return { status: 'no-result', waitedMs: 0, error: 'executor stopping' };
    const deadlineMs = info.worstCaseMs + options.marginMs;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let onCancel: () => void = () => undefined;
    const answered = new Promise<HookResult | null>((resolve) => {
      waiters.set(call.requestId, { resolve });
      timer = setTimeout(() => resolve(null), deadlineMs);
      onCancel = () => resolve(null);
      cancel.add(onCancel);
    });
    try {
      const envelope = createEnvelope(
        'hook-request',
        {
          requestId: call.requestId,
          hookKind: call.kind,
          clusterId: call.clusterId,
          recoveryUid: call.recoveryUid,
          failOnError: hookKindFailsOnError[call.kind],
          values: call.values,
        },
        { producer: options.producer ?? 'recovery-executor', ...(call.correlationId === undefined ? {} : { correlationId: call.correlationId }) },
      );
      try {
        await publisher.publish(topics.hookRequests, call.clusterId, envelope);
      } catch (error) {
        return { status: 'no-result', waitedMs: Date.now() - started, error: `hook request not sent: ${(error as Error).message}` };
      }
      const result = await answered;
      if (!result) return { status: 'no-result', waitedMs: Date.now() - started, error: stopping ? 'executor stopping' : `no result within ${deadlineMs} ms` };
      return result.ok ? { status: 'succeeded', result } : { status: 'failed', result };
    } finally {
      clearTimeout(timer);
      waiters.delete(call.requestId);
      cancel.delete(onCancel);
    }
  }

  let stopped: Promise<void> | undefined;
  return {
    consumer,
    run,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        for (const c of [...cancel]) c();
        await consumer.stop();
      })()),
  };
}

/**
 * The details of a hook step: the list's outcome and one entry per run, with what the run printed
 * — its stdout and stderr as the hook-runner bounded them (4 KiB each) and redacted (the values of
 * the runner's secret variables), `outputTruncated` when either was cut. Webhooks, async entries
 * and skipped entries print nothing here ('').
 */
export function summarizeHookOutcome(outcome: HookOutcome): HookStepDetails {
  if (outcome.status === 'none-configured') return { status: outcome.status };
  if (outcome.status === 'no-result') return { status: outcome.status, waitedMs: outcome.waitedMs, error: outcome.error ?? null };
  return {
    status: outcome.status,
    replayed: outcome.result.replayed ?? false,
    error: outcome.result.error,
    runs: outcome.result.runs.map((r) => ({
      name: r.name,
      status: r.status,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      error: r.error ?? null,
      stdout: r.stdout ?? '',
      stderr: r.stderr ?? '',
      outputTruncated: r.streamsTruncated ?? false,
    })),
  };
}
