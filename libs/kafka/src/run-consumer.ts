import type { Consumer, EachBatchPayload, KafkaMessage, Kafka, Producer } from 'kafkajs';
import { decodeMessage, topics as logicalTopics, type Envelope, type TopicName } from '@baton/contracts';
import { isRetryable, MessageAuthenticationError } from '@baton/errors';
import type { Logger } from '@baton/logging';
import { backoffDelay, defaultBackoff, sleep, type BackoffOptions } from './backoff.ts';
import { createProducer } from './client.ts';
import { restartWhenBrokerReturns } from './consumer-restart.ts';
import { createLagSampler, type PartitionLag } from './consumer-lag.ts';
import { watchConsumer } from './consumer-watch.ts';
import { buildDeadLetterHeaders, errorCode, errorMessage, headersToStrings } from './dead-letter.ts';
import { authenticateMessage, type MessageSigner } from './signing.ts';
import { logicalTopic, topicNames, type TopicNames } from './topic-table.ts';

/** What a handler gets for one valid message. */
export interface MessageContext {
  envelope: Envelope;
  /** Logical topic (`baton.analyses`), whatever the physical name. */
  topic: TopicName;
  physicalTopic: string;
  partition: number;
  offset: string;
  /** The message key: a cluster id. */
  key: string | null;
  headers: Record<string, string>;
  /** Broker timestamp, ms since the epoch, as a string (as kafkajs gives it). */
  timestamp: string;
  /** 1 for the first delivery to this handler, 2 for the first retry, … */
  attempt: number;
  /** Aborted when `stop()` passes its deadline while this handler still runs. */
  signal: AbortSignal;
}

export type MessageHandler = (context: MessageContext) => Promise<void>;

export interface RunConsumerOptions {
  kafka: Kafka;
  groupId: string;
  /** Logical topics to consume; each must carry envelopes (not the dead-letter topic). */
  topics: readonly TopicName[];
  handler: MessageHandler;
  logger: Logger;
  /** Checks every message's signature before it is parsed; an unsigned or forged one is dead-lettered. */
  signer: MessageSigner;
  /**
   * Messages whose signed occurredAt is older than this (by this process's clock) are dead-lettered
   * as expired: set for operator commands, so a captured one cannot be replayed later.
   */
  maxMessageAgeMs?: number;
  /** The clock for maxMessageAgeMs (tests). */
  now?: () => number;
  /** Physical topic names (default: the real ones). */
  names?: TopicNames;
  /** Physical dead-letter topic (default: names['baton.dead-letters']). */
  deadLetterTopic?: string;
  /** A connected producer for dead letters; by default the runner makes and owns one. */
  deadLetterProducer?: Producer;
  /** Handler attempts per message for retryable errors, the first included (default 3). */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Which handler errors are worth another attempt (default: @baton/errors isRetryable). */
  isRetryable?: (error: unknown) => boolean;
  /** Where a group without committed offsets starts (default false: only new messages). */
  fromBeginning?: boolean;
  /** How long stop() waits for an in-flight handler before abandoning it (default 10 s). */
  stopTimeoutMs?: number;
  sessionTimeoutMs?: number | undefined;
  heartbeatIntervalMs?: number | undefined;
  rebalanceTimeoutMs?: number;
  /** Broker-side long-poll when there is nothing to fetch (default 1000 ms). */
  maxWaitTimeMs?: number;
  /** Partitions handled at once by this member; order within a partition is kept (default 1). */
  partitionsConsumedConcurrently?: number;
  /** Called when kafkajs gives up on the consumer (it will not restart). */
  onCrash?: (error: Error) => void;
  /** For tests: the jitter source. */
  random?: () => number;
}

export interface ConsumerStats {
  handled: number;
  retried: number;
  deadLettered: number;
}

export interface RunningConsumer {
  /** Resolves when this member first joined its group; rejects if it crashes or stops first. */
  ready: Promise<void>;
  /** Partitions held since the latest rebalance, by physical topic. */
  assignment(): Record<string, number[]>;
  stats(): ConsumerStats;
  /** null while the member is in its group; otherwise why not (stopped, crashed, not joined yet): a readiness check. */
  health(): string | null;
  /** Per held partition (by logical topic): end offset minus the group's position (consumer-lag.ts); asks the broker. */
  lag(): Promise<PartitionLag[]>;
  /** Stops fetching, waits (up to stopTimeoutMs) for the in-flight handler, commits, leaves, disconnects. Idempotent. */
  stop(): Promise<void>;
  consumer: Consumer;
}

type Outcome = 'done' | 'abandoned';

/** Thrown inside the runner only, to leave a message unresolved (it is redelivered later). */
class Abandoned extends Error {}

/**
 * Runs a consumer-group member. Per message: decode and validate against the topic's schema; a
 * message that fails validation, or whose handler throws a non-retryable error, goes to the
 * dead-letter topic (original bytes untouched, reason in headers); a retryable error is retried
 * with capped exponential backoff and jitter up to maxAttempts, then dead-lettered. An offset is
 * resolved (and so committed) only after the handler succeeded or the dead letter was written, so
 * no message is lost and none stalls its partition longer than its retries.
 */
export async function runConsumer(options: RunConsumerOptions): Promise<RunningConsumer> {
  const names = options.names ?? topicNames();
  const { groupId } = options;
  const logger = options.logger.child({ groupId });
  const deadLetterTopic = options.deadLetterTopic ?? names[logicalTopics.deadLetters];
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const backoff = options.backoff ?? defaultBackoff;
  const retryable = options.isRetryable ?? isRetryable;
  const random = options.random ?? Math.random;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  for (const t of options.topics) {
    if (t === logicalTopics.deadLetters) throw new Error('runConsumer reads envelopes; the dead-letter topic carries raw bytes');
  }

  const stats: ConsumerStats = { handled: 0, retried: 0, deadLettered: 0 };
  let assignment: Record<string, number[]> = {};
  let stopping = false;
  const stopSignal = new AbortController(); // wakes backoff sleeps at once
  const deadlineSignal = new AbortController(); // abandons a handler still running at the deadline

  let joined = false;
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined); // callers that never await `ready` must not see an unhandled rejection

  const ownsProducer = options.deadLetterProducer === undefined;
  const producer = options.deadLetterProducer ?? createProducer(options.kafka);
  if (ownsProducer) await producer.connect();

  const consumer = options.kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 1000,
    rebalanceTimeout: options.rebalanceTimeoutMs ?? 30_000,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 1000,
    allowAutoTopicCreation: false,
  });
  const watch = watchConsumer(consumer, `consumer ${groupId}`);
  // the offset after the last message finished, per physical topic and partition (consumer lag)
  const positions = new Map<string, Map<number, number>>();
  const finished = (topic: string, partition: number, offset: string): void => {
    let byPartition = positions.get(topic);
    if (!byPartition) positions.set(topic, (byPartition = new Map()));
    byPartition.set(partition, Number(offset) + 1);
  };
  const lag = createLagSampler({ kafka: options.kafka, groupId, assignment: () => watch.assignment(), positions: () => positions, fromBeginning: options.fromBeginning ?? false });
  let runConfig: Parameters<Consumer['run']>[0];
  const restarter = restartWhenBrokerReturns({ consumer, run: () => consumer.run(runConfig), logger, stopping: () => stopping });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    restarter.joined();
    assignment = event.payload.memberAssignment;
    logger.info({ memberId: event.payload.memberId, assignment }, 'consumer joined group');
    if (!joined) {
      joined = true;
      resolveReady();
    }
  });
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    if (restart) {
      logger.warn({ err: error }, 'consumer crashed, restarting');
      return;
    }
    if (restarter.crashed(error)) return;
    logger.error({ err: error }, 'consumer crashed');
    rejectReady(error);
    options.onCrash?.(error);
  });

  /** Waits `ms` unless stop() is called meanwhile; false means "stop now". */
  const pause = (ms: number): Promise<boolean> => sleep(ms, stopSignal.signal).then(() => true, () => false);

  /** The handler's outcome, or Abandoned as soon as stop() passes its deadline. */
  async function runHandler(context: MessageContext): Promise<void> {
    const { signal } = deadlineSignal;
    if (signal.aborted) throw new Abandoned('consumer stop deadline passed');
    let onAbort = (): void => undefined;
    const abandoned = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Abandoned('handler abandoned at the stop deadline'));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const running = Promise.resolve().then(() => options.handler(context));
    try {
      await Promise.race([running, abandoned]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      running.catch(() => undefined); // once abandoned, its outcome no longer matters
    }
  }

  async function deadLetter(physical: string, partition: number, message: KafkaMessage, error: unknown, attempts: number, heartbeat: () => Promise<void>): Promise<Outcome> {
    const headers = {
      ...message.headers,
      ...buildDeadLetterHeaders({ error, topic: physical, partition, offset: message.offset, key: message.key, groupId, attempts, failedAt: new Date() }),
    };
    const where = { topic: physical, partition, offset: message.offset, attempts, code: errorCode(error) };
    for (let n = 1; ; n++) {
      try {
        await producer.send({ topic: deadLetterTopic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
        stats.deadLettered += 1;
        logger.warn({ ...where, reason: errorMessage(error) }, 'message dead-lettered');
        return 'done';
      } catch (sendError) {
        // the message is neither handled nor dead-lettered: keep it (and its partition) until one works
        logger.error({ ...where, err: sendError, deadLetterTopic }, 'dead-letter publish failed');
        await heartbeat();
        if (!(await pause(backoffDelay(Math.min(n, 10), backoff, random)))) return 'abandoned';
      }
    }
  }

  function expireOld(topic: TopicName, envelope: Envelope): void {
    if (options.maxMessageAgeMs === undefined) return;
    const ageMs = (options.now ?? Date.now)() - Date.parse(envelope.occurredAt);
    // as far in the future is refused too: a date set ahead must not outlive the limit
    if (!(Math.abs(ageMs) <= options.maxMessageAgeMs)) {
      throw new MessageAuthenticationError(`message on ${topic} refused: expired, occurredAt ${envelope.occurredAt} is ${ageMs} ms old (limit ${options.maxMessageAgeMs} ms)`, {
        topic,
      });
    }
  }

  async function processMessage(physical: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<Outcome> {
    const topic = logicalTopic(names, physical);
    let envelope: Envelope;
    try {
      if (topic === undefined) throw new Error(`no logical topic for ${physical}`);
      authenticateMessage(options.signer, topic, message);
      envelope = decodeMessage(topic, message.value);
      expireOld(topic, envelope);
    } catch (error) {
      return deadLetter(physical, partition, message, error, 0, heartbeat);
    }
    const base = {
      envelope,
      topic,
      physicalTopic: physical,
      partition,
      offset: message.offset,
      key: message.key === null ? null : message.key.toString('utf8'),
      headers: headersToStrings(message.headers),
      timestamp: message.timestamp,
      signal: deadlineSignal.signal,
    };
    for (let attempt = 1; ; attempt++) {
      if (stopping && attempt > 1) return 'abandoned';
      try {
        await runHandler({ ...base, attempt });
        stats.handled += 1;
        return 'done';
      } catch (error) {
        if (error instanceof Abandoned) return 'abandoned';
        if (!retryable(error) || attempt >= maxAttempts) {
          return deadLetter(physical, partition, message, error, attempt, heartbeat);
        }
        stats.retried += 1;
        const delayMs = backoffDelay(attempt, backoff, random);
        logger.warn({ topic: physical, partition, offset: message.offset, attempt, delayMs, err: error }, 'handler failed, retrying');
        await heartbeat(); // a rebalance throws here: kafkajs rejoins, the message is redelivered
        if (!(await pause(delayMs))) return 'abandoned';
      }
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    for (const message of batch.messages) {
      if (stopping || !isRunning() || isStale()) break;
      const outcome = await processMessage(batch.topic, batch.partition, message, heartbeat);
      if (outcome === 'abandoned') break; // unresolved: fetched again from this offset
      resolveOffset(message.offset);
      finished(batch.topic, batch.partition, message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics.map((t) => names[t]), fromBeginning: options.fromBeginning ?? false });
    runConfig = {
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch,
    };
    await consumer.run(runConfig);
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    if (ownsProducer) await producer.disconnect().catch(() => undefined);
    throw error;
  }
  logger.info({ topics: options.topics.map((t) => names[t]) }, 'consumer started');

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      stopSignal.abort(new Abandoned('consumer stopping'));
      // kafkajs' disconnect stops fetching, waits for the running batch, commits resolved offsets, leaves
      const disconnected = consumer.disconnect().then(
        () => true,
        (error: unknown) => {
          logger.warn({ err: error }, 'consumer disconnect failed');
          return true;
        },
      );
      const timer = (ms: number): Promise<false> => new Promise((resolve) => setTimeout(() => resolve(false), ms).unref());
      if (!(await Promise.race([disconnected, timer(stopTimeoutMs)]))) {
        logger.warn({ stopTimeoutMs }, 'consumer stop deadline passed, abandoning in-flight handler');
        deadlineSignal.abort(new Abandoned('consumer stop deadline passed'));
        await Promise.race([disconnected, timer(5000)]);
      }
      if (ownsProducer) await producer.disconnect().catch(() => undefined);
      await lag.close();
      if (!joined) rejectReady(new Error('consumer stopped before joining its group'));
      logger.info({ ...stats }, 'consumer stopped');
    })();
    return stopped;
  };

  return {
    ready,
    assignment: () => assignment,
    stats: () => ({ ...stats }),
    health: () => watch.health(),
    lag: async () => (await lag.sample()).map((row) => ({ ...row, topic: logicalTopic(names, row.topic) ?? row.topic })),
    stop,
    consumer,
  };
}
