import type { Admin, ITopicConfig } from 'kafkajs';
import { topics, type TopicName } from '@baton/contracts';
import type { Logger } from '@baton/logging';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type CleanupPolicy = 'delete' | 'compact';

/** How one topic is created. Every Baton topic is described once, in `topicTable`. */
export interface TopicSpec {
  partitions: number;
  /** `retention.ms`; -1 keeps messages forever (the compacted registry keeps the latest per key). */
  retentionMs: number;
  cleanupPolicy: CleanupPolicy;
  /** Any further topic configs, verbatim. */
  configs?: Readonly<Record<string, string>>;
}

/**
 * Partitions bound how many members of one consumer group share a topic's work; 12 divides among
 * 1, 2, 3, 4 or 6 members. Keys are cluster ids, so one cluster's traffic stays in one partition.
 */
const defaultPartitions = 12;

export const topicTable: Readonly<Record<TopicName, TopicSpec>> = {
  // which clusters exist: the latest registration per cluster id, forever
  [topics.clusterRegistry]: {
    partitions: defaultPartitions,
    retentionMs: -1,
    cleanupPolicy: 'compact',
    configs: { 'min.compaction.lag.ms': '0', 'segment.ms': String(HOUR), 'delete.retention.ms': String(DAY) },
  },
  // one per cluster per second: only the recent past matters
  [topics.clusterSnapshots]: {
    partitions: defaultPartitions,
    retentionMs: HOUR,
    cleanupPolicy: 'delete',
    configs: { 'segment.ms': String(10 * 60_000), 'max.message.bytes': String(4 * 1024 * 1024) },
  },
  [topics.probeRequests]: { partitions: defaultPartitions, retentionMs: HOUR, cleanupPolicy: 'delete' },
  [topics.analyses]: {
    partitions: defaultPartitions,
    retentionMs: DAY,
    cleanupPolicy: 'delete',
    configs: { 'max.message.bytes': String(4 * 1024 * 1024) },
  },
  [topics.commands]: { partitions: defaultPartitions, retentionMs: 7 * DAY, cleanupPolicy: 'delete' },
  [topics.hookRequests]: { partitions: defaultPartitions, retentionMs: 7 * DAY, cleanupPolicy: 'delete' },
  [topics.hookResults]: { partitions: defaultPartitions, retentionMs: 7 * DAY, cleanupPolicy: 'delete' },
  // the audit and alert stream
  [topics.recoveryEvents]: { partitions: defaultPartitions, retentionMs: 30 * DAY, cleanupPolicy: 'delete' },
  // whatever any consumer refused, kept long enough to be looked at and replayed; it must accept
  // the largest message any other topic accepts, plus the dead-letter headers
  [topics.deadLetters]: {
    partitions: 3,
    retentionMs: 90 * DAY,
    cleanupPolicy: 'delete',
    configs: { 'max.message.bytes': String(5 * 1024 * 1024) },
  },
};

export const allTopics: readonly TopicName[] = Object.values(topics);

/** Logical topic name → the physical name on the broker. */
export type TopicNames = Readonly<Record<TopicName, string>>;

/**
 * Physical topic names. The default (empty) namespace gives the real names; tests pass a unique
 * namespace so parallel test files never share a topic (`t-1a2b3c.baton.analyses`).
 */
export function topicNames(namespace = ''): TopicNames {
  if (namespace !== '' && !/^[A-Za-z0-9-]+$/.test(namespace)) {
    throw new Error(`topic namespace must be letters, digits and dashes, got ${JSON.stringify(namespace)}`);
  }
  const prefix = namespace === '' ? '' : `${namespace}.`;
  return Object.fromEntries(allTopics.map((t) => [t, `${prefix}${t}`])) as Record<TopicName, string>;
}

/** Physical → logical name, for the topics of one `TopicNames`; undefined for any other topic. */
export function logicalTopic(names: TopicNames, physical: string): TopicName | undefined {
  for (const logical of allTopics) if (names[logical] === physical) return logical;
  return undefined;
}

/** The kafkajs createTopics entry for one topic. */
export function topicConfig(physicalName: string, spec: TopicSpec, replicationFactor: number): ITopicConfig {
  const configs: Record<string, string> = {
    'cleanup.policy': spec.cleanupPolicy,
    'retention.ms': String(spec.retentionMs),
    ...spec.configs,
  };
  return {
    topic: physicalName,
    numPartitions: spec.partitions,
    replicationFactor,
    configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
  };
}

export interface EnsureTopicsOptions {
  /** Physical names (default: the real ones). */
  names?: TopicNames;
  table?: Readonly<Record<TopicName, TopicSpec>>;
  /** Create only these (default: every topic of the table). */
  only?: readonly TopicName[];
  /** Overrides every topic's partition count (tests use a few). */
  partitions?: number;
  /** -1 takes the broker's default.replication.factor. */
  replicationFactor?: number;
  /** How long to wait for the new topics' partition leaders (default 30 s). */
  leaderWaitMs?: number;
  logger?: Logger;
}

/**
 * Creates the topics that do not exist yet and waits for their leaders. Idempotent, also when
 * several processes run it at once. Existing topics are left as they are (configs are not altered).
 * Returns the physical names it created.
 */
export async function ensureTopics(admin: Admin, options: EnsureTopicsOptions = {}): Promise<string[]> {
  const names = options.names ?? topicNames();
  const table = options.table ?? topicTable;
  const wanted = options.only ?? allTopics;
  const existing = new Set(await admin.listTopics());
  const missing = wanted
    .filter((logical) => !existing.has(names[logical]))
    .map((logical) => {
      const spec = table[logical];
      return topicConfig(names[logical], options.partitions === undefined ? spec : { ...spec, partitions: options.partitions }, options.replicationFactor ?? -1);
    });
  if (missing.length === 0) return [];
  const created = missing.map((t) => t.topic);
  try {
    // kafkajs's own waitForLeaders retries only LEADER_NOT_AVAILABLE; a KRaft broker answers
    // UNKNOWN_TOPIC_OR_PARTITION until its metadata cache has the new topic (kafkajs #1222).
    await admin.createTopics({ topics: missing, waitForLeaders: false });
  } catch (error) {
    // another process may have created some of them in between: fine if they all exist now
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t.topic))) throw error;
  }
  await waitForLeaders(admin, created, options.leaderWaitMs ?? 30_000);
  options.logger?.info({ topics: created }, 'kafka topics created');
  return created;
}

const notYetKnown = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** Polls metadata until every partition of `names` has a leader; other errors end the wait at once. */
async function waitForLeaders(admin: Admin, names: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no metadata yet';
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...names] });
      const leaderless = metadata.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
      if (leaderless.length === 0) return;
      last = `no leader yet for ${leaderless.join(', ')}`;
    } catch (error) {
      // kafkajs may wrap the broker's error after its own retries
      const e = error as { type?: unknown; cause?: { type?: unknown } };
      const type = e.type ?? e.cause?.type;
      if (typeof type !== 'string' || !notYetKnown.has(type)) throw error;
      last = type;
    }
    if (Date.now() > deadline) throw new Error(`kafka topics ${names.join(', ')} have no leaders after ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
