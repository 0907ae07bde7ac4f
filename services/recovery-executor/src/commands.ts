/**
 * Operator commands the executor owns (baton.commands, group baton-recovery-executor-commands:
 * one executor handles each), as orchestrator's API routes do:
 *   recover                     forced recovery of a dead primary, optionally naming a candidate:
 *                               bypasses the cluster filters, the global switch and the block
 *   ack-recoveries              acknowledges resolved recoveries (cluster, instance, uid or all),
 *                               ends their detections and lifts the recovery blocks they hold; a
 *                               running recovery is not acknowledged and its block is never lifted
 *   disable/enable-global-recoveries   the Redis switch plus a history row
 *   register-candidate          promotion rule under the candidate key, CandidateInstanceExpireMinutes
 *   begin-downtime/end-downtime the downtime key the detector reads
 *   relocate, relocate-replicas, move-up, set-read-only, set-writeable, begin/end-maintenance
 *                               topology operations (operations/run-operation.ts), answered by
 *                               an `operation-result` event
 * discover and forget belong to the detectors and are passed over. Each message is handled once
 * (processed key per messageId; a `recover` also per requestId).
 */
import { instanceId, topics, type Command } from '@baton/contracts';
import { MessageValidationError } from '@baton/errors';
import { runConsumer, type MessageSigner, type RunningConsumer, type TopicNames } from '@baton/kafka';
import type { Kafka, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Logger } from '@baton/logging';
import { exists, formatCandidateValue, formatDowntimeValue, markProcessed, setFlag, type Keys } from '@baton/state';
import type { Audit } from './audit.ts';
import type { AckResult, AckScope, BackendRecoveryStore } from './backend-store.ts';
import type { RecoveryExecutor } from './executor.ts';
import { detectionKeys, liftResolvedBlock, parseBlockValue } from './registration.ts';
import type { TopologyOperations } from './operations/run-operation.ts';

export interface CommandDeps {
  redis: Redis;
  keys: Keys;
  store: Pick<BackendRecoveryStore, 'acknowledge' | 'recordSwitch'>;
  executor: Pick<RecoveryExecutor, 'recover'>;
  /** Topology operations (operations/run-operation.ts); absent: refused as not supported here. */
  operations?: Pick<TopologyOperations, 'run'>;
  audit: Audit;
  logger: Logger;
  candidateTtlMs: number;
  processedTtlMs: number;
  clock?: () => Date;
}

/** Every key matching `pattern` (SCAN, never KEYS). */
export async function matching(redis: Redis, pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    for (const key of found) keys.add(key);
  } while (cursor !== '0');
  return [...keys];
}

/** Deletes every key matching `pattern`. */
async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  const found = await matching(redis, pattern);
  return found.length > 0 ? redis.del(...found) : 0;
}

/** The cluster id of a block key: the hash tag in braces (keys.ts puts it there). */
const clusterOfKey = (key: string): string => /\{([^{}]*)\}:recovery-block$/.exec(key)?.[1] ?? key;

function ackScope(c: Extract<Command, { kind: 'ack-recoveries' }>): AckScope {
  switch (c.scope) {
    case 'cluster':
      if (!c.clusterId) throw new MessageValidationError('ack-recoveries scope cluster needs clusterId');
      return { scope: 'cluster', clusterId: c.clusterId };
    case 'instance':
      if (!c.instance) throw new MessageValidationError('ack-recoveries scope instance needs instance');
      return { scope: 'instance', instance: c.instance, ...(c.clusterId ? { clusterId: c.clusterId } : {}) };
    case 'uid':
      if (!c.uid) throw new MessageValidationError('ack-recoveries scope uid needs uid');
      return { scope: 'uid', uid: c.uid };
    case 'all':
      return { scope: 'all' };
  }
}

export interface LiftResult {
  /** Blocks lifted. */
  blocks: number;
  /** Detection keys deleted. */
  detections: number;
  /** Blocks left because their recovery still runs. */
  leftRunning: Array<{ clusterId: string; uid: string }>;
}

/**
 * The Redis side of an acknowledgement: the blocks it covers — for a cluster or `all`, the
 * cluster's block whoever holds it; else the blocks held by the recoveries just acknowledged — are
 * lifted, each by a compare-and-swap on its holder's uid AND state resolved, and so are the
 * detection keys of the detections that ended. A block whose recovery still runs is left, noted in
 * `leftRunning`: its successor's anti-flapping depends on it, and without it a forced recovery
 * could start beside the running one.
 */
export async function liftBlocks(redis: Redis, keys: Keys, scope: AckScope, acked: AckResult): Promise<LiftResult> {
  const result: LiftResult = { blocks: 0, detections: 0, leftRunning: [] };
  if (scope.scope === 'all') {
    for (const key of await matching(redis, keys.recoveryBlock('*'))) await liftBlock(redis, key, clusterOfKey(key), null, result);
    result.detections += await deleteMatching(redis, keys.detection('*', '*'));
    return result;
  }
  if (scope.scope === 'cluster') {
    await liftBlock(redis, keys.recoveryBlock(scope.clusterId), scope.clusterId, null, result);
    result.detections += await deleteMatching(redis, keys.detection(scope.clusterId, '*'));
  }
  const uids = new Set(acked.recoveries.map((r) => r.uid));
  for (const clusterId of new Set(acked.recoveries.map((r) => r.clusterId))) {
    if (scope.scope !== 'cluster' || clusterId !== scope.clusterId) await liftBlock(redis, keys.recoveryBlock(clusterId), clusterId, uids, result);
  }
  for (const d of acked.detections) result.detections += await redis.del(...detectionKeys(keys, d.clusterId, instanceId(d)));
  if (scope.scope === 'instance' && scope.clusterId) result.detections += await redis.del(...detectionKeys(keys, scope.clusterId, instanceId(scope.instance)));
  return result;
}

/**
 * Lifts the block at `key` if its holder (one of `uids`, when given) resolved; the script decides,
 * so a holder that changed since the read is left alone.
 */
async function liftBlock(redis: Redis, key: string, clusterId: string, uids: ReadonlySet<string> | null, result: LiftResult): Promise<void> {
  const holder = parseBlockValue(await redis.get(key));
  if (!holder || (uids && !uids.has(holder.uid))) return;
  const lift = await liftResolvedBlock(redis, key, holder.uid);
  if (lift.swapped) result.blocks += 1;
  else if (lift.current?.state === 'running') result.leftRunning.push({ clusterId, uid: lift.current.uid });
}

export async function handleCommand(command: Command, meta: { messageId: string; correlationId: string | undefined }, deps: CommandDeps): Promise<void> {
  const { redis, keys, logger } = deps;
  const now = (deps.clock ?? (() => new Date()))();
  const log = logger.child({ command: command.kind, requestedBy: command.requestedBy, correlationId: meta.correlationId });
  if (command.kind === 'discover' || command.kind === 'forget') return;
  // marked once handled: a redelivery after a failure runs again (every handler below is idempotent)
  const processed = keys.processed(`executor-command:${meta.messageId}`);
  if (await exists(redis, processed)) {
    log.debug({ messageId: meta.messageId }, 'command already handled');
    return;
  }
  await runCommand(command, meta, deps, log, now);
  await setFlag(redis, processed, deps.processedTtlMs);
}

async function runCommand(command: Command, meta: { correlationId: string | undefined }, deps: CommandDeps, log: Logger, now: Date): Promise<void> {
  const { redis, keys, audit } = deps;
  switch (command.kind) {
    case 'discover':
    case 'forget':
      return;
    case 'recover': {
      if (!(await markProcessed(redis, keys, `recover:${command.requestId}`, deps.processedTtlMs))) {
        log.info({ requestId: command.requestId }, 'recover request already handled');
        return;
      }
      audit.event(command.clusterId, meta.correlationId ?? command.requestId, 'recover-requested', 'info', `forced recovery of ${instanceId(command.instance)} requested by ${command.requestedBy}`, {
        requestId: command.requestId,
        instance: instanceId(command.instance),
        candidate: command.candidate ? instanceId(command.candidate) : null,
        skipProcesses: command.skipProcesses,
        commandHint: command.commandHint,
      });
      await deps.executor.recover(command, meta.correlationId ?? command.requestId);
      return;
    }
    case 'ack-recoveries': {
      const scope = ackScope(command);
      const acked = await deps.store.acknowledge(scope, command.requestedBy, command.comment, now);
      const lifted = await liftBlocks(redis, keys, scope, acked);
      log.info(
        { scope: command.scope, recoveries: acked.recoveries.length, detectionsEnded: acked.detections.length, blocksLifted: lifted.blocks, detectionKeysDeleted: lifted.detections, blocksLeftRunning: lifted.leftRunning },
        'recoveries acknowledged',
      );
      const clusters = [...acked.recoveries.map((r) => r.clusterId), ...lifted.leftRunning.map((l) => l.clusterId), ...(scope.scope === 'cluster' ? [scope.clusterId] : [])];
      for (const clusterId of new Set(clusters)) {
        const left = lifted.leftRunning.find((l) => l.clusterId === clusterId);
        audit.event(clusterId, meta.correlationId, 'acknowledged', 'info', `recoveries acknowledged by ${command.requestedBy}: ${command.comment}${left ? `; block kept: recovery ${left.uid} is still running` : ''}`, {
          uids: acked.recoveries.filter((r) => r.clusterId === clusterId).map((r) => r.uid),
          scope: command.scope,
          blockLeftRunning: left?.uid ?? null,
        });
      }
      return;
    }
    case 'disable-global-recoveries':
    case 'enable-global-recoveries': {
      const enabled = command.kind === 'enable-global-recoveries';
      if (enabled) await redis.del(keys.recoveriesDisabled());
      else await redis.set(keys.recoveriesDisabled(), JSON.stringify({ by: command.requestedBy, at: now.toISOString() }));
      audit.background('switch history', () => deps.store.recordSwitch(enabled, command.requestedBy, 'command', now));
      log.warn({ enabled }, 'global recoveries switched');
      return;
    }
    case 'register-candidate':
      await setFlag(redis, keys.candidate(command.clusterId, instanceId(command.instance)), deps.candidateTtlMs, { value: formatCandidateValue({ promotionRule: command.promotionRule }) });
      log.info({ clusterId: command.clusterId, instance: instanceId(command.instance), promotionRule: command.promotionRule }, 'candidate registered');
      return;
    case 'begin-downtime': {
      const ttlMs = Date.parse(command.endsAt) - now.getTime();
      if (!(ttlMs > 0)) throw new MessageValidationError(`begin-downtime endsAt ${command.endsAt} is not in the future`);
      const value = formatDowntimeValue({ owner: command.owner, reason: command.reason, endsAt: command.endsAt });
      await setFlag(redis, keys.downtime(command.clusterId, instanceId(command.instance)), Math.ceil(ttlMs), { value });
      log.info({ clusterId: command.clusterId, instance: instanceId(command.instance), endsAt: command.endsAt }, 'downtime begun');
      return;
    }
    case 'end-downtime':
      await redis.del(keys.downtime(command.clusterId, instanceId(command.instance)));
      log.info({ clusterId: command.clusterId, instance: instanceId(command.instance) }, 'downtime ended');
      return;
    case 'relocate':
    case 'relocate-replicas':
    case 'move-up':
    case 'set-read-only':
    case 'set-writeable':
    case 'begin-maintenance':
    case 'end-maintenance':
      if (!deps.operations) throw new MessageValidationError(`${command.kind}: this executor runs no topology operations`);
      return deps.operations.run(command, meta.correlationId);
  }
}

export interface CommandConsumerOptions extends CommandDeps {
  kafka: Kafka;
  names: TopicNames;
  groupId: string;
  deadLetterProducer: Producer;
  signer: MessageSigner;
  /** security.commandMaxAgeMs: an older command is dead-lettered as expired. */
  maxCommandAgeMs: number;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export function consumeCommands(options: CommandConsumerOptions): Promise<RunningConsumer> {
  return runConsumer({
    kafka: options.kafka,
    names: options.names,
    groupId: options.groupId,
    topics: [topics.commands],
    logger: options.logger,
    deadLetterProducer: options.deadLetterProducer,
    signer: options.signer,
    maxMessageAgeMs: options.maxCommandAgeMs,
    fromBeginning: options.fromBeginning ?? false,
    maxWaitTimeMs: 200,
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    handler: async ({ envelope }) => {
      if (envelope.type !== 'command') throw new MessageValidationError(`expected a command, got ${envelope.type}`);
      await handleCommand(envelope.payload, { messageId: envelope.messageId, correlationId: envelope.correlationId }, options);
    },
  });
}
