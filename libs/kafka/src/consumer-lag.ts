/**
 * Consumer lag of one group member: for each partition it holds, the partition's end offset (the
 * high watermark) minus where the group is — the later of the offset the group committed and the
 * offset after the last message this member finished (commits come at the end of each batch, so
 * the member's own count is the fresher one mid-batch). A partition the group never committed and
 * this member never finished a message of counts from where the group starts: its earliest offset
 * with fromBeginning, else the end (nothing new is waiting).
 *
 * Sampled on demand (a metrics scrape) through an admin client of its own, opened at the first
 * sample and closed with the consumer.
 */
import type { Admin, Kafka } from 'kafkajs';

export interface PartitionLag {
  /** Physical topic name. */
  topic: string;
  partition: number;
  /** Messages appended and not yet processed by the group (>= 0). */
  lag: number;
}

export interface LagSamplerOptions {
  kafka: Kafka;
  groupId: string;
  /** Partitions this member holds now, by physical topic. */
  assignment: () => Record<string, number[]>;
  /** The offset after the last message this member finished, by physical topic and partition. */
  positions: () => ReadonlyMap<string, ReadonlyMap<number, number>>;
  fromBeginning: boolean;
}

export interface LagSampler {
  sample(): Promise<PartitionLag[]>;
  close(): Promise<void>;
}

/** The pure part: one partition's lag from its offsets (-1 = the group committed none). */
export function partitionLag(o: { high: number; low: number; committed: number; processed: number | undefined; fromBeginning: boolean }): number {
  const start = o.fromBeginning ? o.low : o.high;
  const at = Math.max(o.committed >= 0 ? o.committed : -1, o.processed ?? -1);
  return Math.max(0, o.high - (at >= 0 ? Math.max(at, o.low) : start));
}

export function createLagSampler(options: LagSamplerOptions): LagSampler {
  let connecting: Promise<Admin> | undefined;
  let closed = false;
  const connected = (): Promise<Admin> =>
    (connecting ??= (async () => {
      const a = options.kafka.admin();
      await a.connect();
      return a;
    })().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    }));

  return {
    async sample() {
      if (closed) return [];
      const held = Object.entries(options.assignment()).filter(([, partitions]) => partitions.length > 0);
      if (held.length === 0) return [];
      const a = await connected();
      const committed = await a.fetchOffsets({ groupId: options.groupId, topics: held.map(([topic]) => topic) });
      const positions = options.positions();
      const rows: PartitionLag[] = [];
      for (const [topic, partitions] of held) {
        const ends = new Map((await a.fetchTopicOffsets(topic)).map((p) => [p.partition, { high: Number(p.high), low: Number(p.low) }]));
        const commits = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        for (const partition of partitions) {
          const end = ends.get(partition);
          if (!end) continue;
          const lag = partitionLag({ ...end, committed: commits.get(partition) ?? -1, processed: positions.get(topic)?.get(partition), fromBeginning: options.fromBeginning });
          rows.push({ topic, partition, lag });
        }
      }
      return rows;
    },
    async close() {
      closed = true;
      const pending = connecting;
      connecting = undefined;
      if (pending) await pending.then((a) => a.disconnect(), () => undefined).catch(() => undefined);
    },
  };
}
