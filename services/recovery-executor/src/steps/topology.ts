/**
 * One recovery's hands on the servers (TopologySession over @baton/mysql). The refresh is the
 * executor's own probe of every instance of the cluster (not a request to the detector): one
 * connection per instance with the probe module's reads and freshness rules (readInstance,
 * probeSucceeded/probeFailed, location, promotion rules and downtimes from Redis); the connections
 * that answered stay open for the steps that follow, each statement with the recovery timeout.
 */
import { unknownInstance, instanceId, type ClusterSnapshot, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import {
  extendedSourceSilence,
  attemptStarted,
  catchUpFrom,
  compileLocation,
  connectInstance,
  describeProbeError,
  detachReplica,
  dialectOf,
  fence,
  mapWithConcurrency,
  probeFailed,
  probeSucceeded,
  promote,
  readDetectedLocation,
  readGtidPosition,
  readInstance,
  recoveryErrorCodes,
  RecoveryStepError,
  readSemiSyncClients,
  repoint,
  repointAll,
  switchSemiSyncReplica,
  resolveLocation,
  stopReplicaAndDrain,
  unfence,
  waitForPosition,
  type InstanceAnnotations,
  type InstanceConnection,
  type InstanceConnectOptions,
  type ReadProgress,
  type RepointAllEntry,
} from '@baton/mysql';
import type { Each, RefreshRequest, TopologyAccess, TopologySession } from '../ports.ts';
import { drainConcurrency, notAnsweringBudgetMs, type ExecutorSettings } from '../settings.ts';

export interface TopologyAccessOptions {
  settings: ExecutorSettings;
  logger: Logger;
  /** Names the executor in the snapshots it builds (`detectorId`). */
  owner: string;
  /** Promotion rules and downtimes by `host:port`, read from Redis (as the detector annotates). */
  annotations: (clusterId: string, instances: readonly string[]) => Promise<ReadonlyMap<string, InstanceAnnotations>>;
  connect?: (options: InstanceConnectOptions) => Promise<InstanceConnection>;
  now?: () => Date;
}

const byHostPort = (a: InstanceObservation, b: InstanceObservation): number => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port);
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function deadline<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`refresh read took longer than ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export function createTopologyAccess(options: TopologyAccessOptions): TopologyAccess {
  const { settings, logger } = options;
  const location = compileLocation(settings.location);
  const connect = options.connect ?? connectInstance;
  const now = options.now ?? (() => new Date());
  const m = settings.mysql;
  const statementTimeoutMs = m.operationTimeoutMs;
  const replication = { replicationUser: m.replicationUser, replicationPassword: m.replicationPassword };
  let sequence = 0;

  return {
    async restartIoThread(replica: InstanceKey): Promise<void> {
      const c = await connect({ host: replica.host, port: replica.port, user: m.user, password: m.password, connectTimeoutMs: m.connectTimeoutMs, queryTimeoutMs: statementTimeoutMs });
      try {
        const d = await dialectOf(c, 'drain');
        await c.exec(d.stopIoThread);
        await c.exec(d.startReplica.replace(/^START (SLAVE|REPLICA)$/, 'START $1 IO_THREAD'));
      } finally {
        await c.close();
      }
    },
    open(clusterId: string): TopologySession {
      const conns = new Map<string, InstanceConnection>();
      const log = logger.child({ clusterId });

      const conn = (key: InstanceKey): InstanceConnection => {
        const c = conns.get(instanceId(key));
        if (!c || c.closed) throw new RecoveryStepError(recoveryErrorCodes.statementFailed, `no open connection to ${instanceId(key)}`, { step: 'drain', instance: instanceId(key) });
        return c;
      };
      const each = async <T>(keys: readonly InstanceKey[], limit: number, fn: (c: InstanceConnection) => Promise<T>): Promise<Array<Each<T>>> => {
        const settled = await mapWithConcurrency(keys, limit, (k) => fn(conn(k)));
        return settled.map((s, i) => {
          const instance = instanceId(keys[i] as InstanceKey);
          return s.status === 'fulfilled' ? { instance, ok: true, result: s.value } : { instance, ok: false, error: message(s.reason) };
        });
      };

      /** The refresh's connection when it is still open, else a short-lived one of its own. */
      const withConnection = async <T>(key: InstanceKey, fn: (c: InstanceConnection) => Promise<T>, connectTimeoutMs = m.connectTimeoutMs): Promise<T> => {
        const open = conns.get(instanceId(key));
        if (open && !open.closed) return fn(open);
        const c = await connect({ host: key.host, port: key.port, user: m.user, password: m.password, connectTimeoutMs, queryTimeoutMs: statementTimeoutMs });
        try {
          return await fn(c);
        } finally {
          await c.close().catch(() => c.destroy());
        }
      };

      async function probeOne(key: InstanceKey, previous: InstanceObservation, annotations: InstanceAnnotations | undefined): Promise<InstanceObservation> {
        const id = instanceId(key);
        let observation = attemptStarted(previous, now());
        const progress: ReadProgress = { identityAnswered: false };
        let opened: InstanceConnection | undefined;
        // an instance the analysis saw fail (or hang) gets a short budget: the recovery never waits on it for long
        const failing = previous.lastError !== null || Date.parse(previous.lastAttemptedAt ?? '') > Date.parse(previous.lastSeenAt ?? '');
        const connectTimeoutMs = failing ? Math.min(m.connectTimeoutMs, notAnsweringBudgetMs) : m.connectTimeoutMs;
        try {
          opened = await connect({ host: key.host, port: key.port, user: m.user, password: m.password, connectTimeoutMs, queryTimeoutMs: statementTimeoutMs });
          const c = opened;
          const readDeadlineMs = failing ? Math.max(notAnsweringBudgetMs, m.probeTimeoutMs) : Math.max(1000, m.probeTimeoutMs * 4);
          const [facts, detected] = await deadline(
            (async () => [await readInstance(c, key.port, progress), await readDetectedLocation(c, location, log)] as const)(),
            readDeadlineMs,
            () => c.destroy(),
          );
          // the detector's silence carries over when nothing has arrived since its reading (a hung primary's replicas)
          const silentMs = extendedSourceSilence(previous.replication, Date.parse(previous.lastSeenAt ?? ''), facts.replication, now().getTime());
          const read = facts.replication ? { ...facts, replication: { ...facts.replication, sourceSilentMs: silentMs } } : facts;
          observation = probeSucceeded(observation, read, { location: resolveLocation(location, key.host, detected), ...(annotations ? { annotations } : {}) }, now());
          conns.get(id)?.destroy();
          conns.set(id, c);
        } catch (error) {
          opened?.destroy();
          observation = probeFailed(observation, { error: describeProbeError(error), partialSuccess: progress.identityAnswered, ...(annotations ? { annotations } : {}) }, now());
        }
        return observation;
      }

      return {
        async refresh(request: RefreshRequest): Promise<ClusterSnapshot> {
          const ids = request.instances.map(instanceId);
          const annotations = await options.annotations(clusterId, ids).catch((error: unknown) => {
            log.warn({ err: error }, 'reading promotion rules and downtimes failed; previous values kept');
            return new Map<string, InstanceAnnotations>();
          });
          const observations = await Promise.all(
            request.instances.map((k, i) => probeOne(k, request.previous.get(ids[i] as string) ?? unknownInstance(k.host, k.port), annotations.get(ids[i] as string))),
          );
          sequence += 1;
          return {
            clusterId: request.clusterId,
            clusterAlias: request.clusterAlias,
            observedAt: now().toISOString(),
            detectorId: options.owner,
            sequence,
            reason: 'recovery-refresh',
            pollIntervalMs: settings.pollIntervalMs,
            instances: observations.sort(byHostPort),
          };
        },
        drain: (instances, timeoutMs, o = {}) =>
          each(instances, drainConcurrency, (c) => stopReplicaAndDrain(c, { timeoutMs, statementTimeoutMs, ...(o.sourceUnresponsive ? { sourceUnresponsive: true } : {}) })),
        restartReplication: (instances) =>
          each(instances, drainConcurrency, async (c) => {
            const d = await dialectOf(c, 'drain');
            await c.exec(d.startReplica, [], { timeoutMs: statementTimeoutMs });
            return true as const;
          }),
        catchUp: (candidate, source, untilPosition, timeoutMs) => catchUpFrom(conn(candidate), source, { ...replication, targetPosition: untilPosition, timeoutMs, statementTimeoutMs }),
        promote: (candidate, o) => promote(conn(candidate), { ...o, useSuperReadOnly: settings.useSuperReadOnly, statementTimeoutMs }),
        async writable(instances, timeoutMs): Promise<string[]> {
          const answers = await Promise.all(
            instances.map(async (k) => {
              const read = withConnection(k, (c) => c.query('SELECT @@GLOBAL.read_only AS ro', [], { timeoutMs }), timeoutMs);
              const row = await deadline(read, timeoutMs + 50, () => undefined).catch(() => null);
              return row?.[0] && Number(row[0]['ro']) === 0 ? instanceId(k) : null;
            }),
          );
          return answers.filter((a): a is string => a !== null);
        },
        async repoint(replicas, source, o): Promise<RepointAllEntry[]> {
          const open = replicas.filter((k) => conns.get(instanceId(k))?.closed === false);
          const missing = replicas.filter((k) => !open.includes(k));
          const moved = await repointAll(
            open.map((k) => conn(k)),
            source,
            {
              ...replication,
              maxConcurrency: settings.maxConcurrentReplicaOperations,
              statementTimeoutMs,
              ...(o.semiSyncReplica === undefined ? {} : { semiSyncReplica: o.semiSyncReplica }),
              ...(o.onRepointed ? { onRepointed: o.onRepointed } : {}),
            },
          );
          const unreachable: RepointAllEntry[] = missing.map((k) => ({
            instance: instanceId(k),
            ok: false,
            error: new RecoveryStepError(recoveryErrorCodes.statementFailed, `no open connection to ${instanceId(k)}`, { step: 'repoint', instance: instanceId(k) }),
          }));
          return [...moved, ...unreachable];
        },
        fence: (failed, o) =>
          fence({ host: failed.host, port: failed.port, user: m.user, password: m.password }, { timeoutMs: o?.timeoutMs ?? settings.fenceTimeoutMs, ...(o?.hold ? { hold: o.hold } : {}) }),
        unfence: (instance) => withConnection(instance, (c) => unfence(c, { statementTimeoutMs })),
        readPosition: (instance) => withConnection(instance, (c) => readGtidPosition(c)),
        waitForPosition: (replicas, position, timeoutMs) =>
          each(replicas, drainConcurrency, async (c) => waitForPosition(c, await dialectOf(c, 'sync'), 'sync', position, { timeoutMs, watchIoThread: true })),
        detach: (replicas) => each(replicas, settings.maxConcurrentReplicaOperations, (c) => detachReplica(c, { statementTimeoutMs })),
        // a fresh connection when the fence killed the refresh's
        switchSemiSync: (replicas, on) =>
          each(replicas, settings.maxConcurrentReplicaOperations, async (c) => {
            await switchSemiSyncReplica(c, on, { statementTimeoutMs });
            return true as const;
          }),
        semiSyncClients: (primary) => withConnection(primary, (c) => readSemiSyncClients(c, { statementTimeoutMs })),
        attach: (instance, source) => withConnection(instance, (c) => repoint(c, source, { ...replication, statementTimeoutMs, mariadbUseGtid: 'current_pos', formerPrimary: true })),
        async close(): Promise<void> {
          await Promise.allSettled([...conns.values()].map((c) => c.close()));
          conns.clear();
        },
      };
    },
  };
}
