/**
 * The ONLY place that formats Redis keys (design/architecture.md, "State"). The cluster id sits in
 * braces, so every key of one cluster hashes to one slot if Redis Cluster is used, and the Lua
 * scripts that touch several keys of a cluster stay legal there. An optional prefix in front of
 * everything isolates tests and shared Redis servers: `<prefix>:baton:{<cluster>}:...`.
 */
import { BatonError } from '@baton/errors';

export interface Keys {
  /** Everything under this prefix belongs to this keyspace (for scans in tests and tooling). */
  readonly root: string;
  /** Emergency-operation grace period of an instance (orchestrator: 5 s). */
  grace(clusterId: string, instance: string): string;
  /** Throttle of emergent re-reads of an instance (orchestrator: 1 s). */
  emergentRead(clusterId: string, instance: string): string;
  /** Active failure detection of an instance; its hooks run once per active period. */
  detection(clusterId: string, instance: string): string;
  /** Anti-flapping block of a recovery on the cluster; an acknowledgement lifts it once that recovery resolved. */
  recoveryBlock(clusterId: string): string;
  /** The one recovery in flight on the cluster; value `<token>|<owner>`. */
  recoveryLock(clusterId: string): string;
  /** Counter behind the recovery lock's fencing tokens; never expires, only grows. */
  recoveryLockToken(clusterId: string): string;
  /** Latest cluster snapshot, cached for the api. */
  snapshot(clusterId: string): string;
  /** What the analyzer remembered with the cached snapshot (its stale coordinates), written with it in one MULTI. */
  analysisMemory(clusterId: string): string;
  /** Global switch: present = automated recoveries disabled. */
  recoveriesDisabled(): string;
  /** Downtime of an instance. */
  downtime(clusterId: string, instance: string): string;
  /** Registered promotion rule of an instance. */
  candidate(clusterId: string, instance: string): string;
  /** orchestrator's maintenance lock of an instance: topology operations refuse to touch it while it lives. */
  maintenance(clusterId: string, instance: string): string;
  /** Throttle of emergency IO-thread restarts on the replicas of a primary (orchestrator: 30 s). */
  ioThreadRestartPrimary(clusterId: string, primary: string): string;
  /** Throttle of emergency IO-thread restarts of one replica (orchestrator: 30 s). */
  ioThreadRestartReplica(clusterId: string, replica: string): string;
  /** Idempotency guard: a message id already handled. */
  processed(messageId: string): string;
  /** A hook request claimed for running (at most once per request id). */
  hookRequestClaim(requestId: string): string;
  /** The stored result of a hook request, answered again on redelivery. */
  hookRequestResult(requestId: string): string;
}

function checkCluster(clusterId: string): string {
  if (clusterId === '' || /[{}\s]/.test(clusterId)) {
    throw new BatonError('BATON_INVALID_KEY_PART', 'cluster id must be non-empty, without braces or spaces', { clusterId });
  }
  return clusterId;
}

function checkPart(name: string, value: string): string {
  if (value === '' || /\s/.test(value)) {
    throw new BatonError('BATON_INVALID_KEY_PART', `${name} must be non-empty, without spaces`, { [name]: value });
  }
  return value;
}

export function createKeys(prefix?: string): Keys {
  const root = prefix ? `${prefix}:baton` : 'baton';
  const cluster = (c: string) => `${root}:{${checkCluster(c)}}`;
  const instanceKey = (c: string, kind: string, instance: string) => `${cluster(c)}:${kind}:${checkPart('instance', instance)}`;
  return {
    root,
    grace: (c, i) => instanceKey(c, 'grace', i),
    emergentRead: (c, i) => instanceKey(c, 'emergent-read', i),
    detection: (c, i) => instanceKey(c, 'detection', i),
    recoveryBlock: (c) => `${cluster(c)}:recovery-block`,
    recoveryLock: (c) => `${cluster(c)}:recovery-lock`,
    recoveryLockToken: (c) => `${cluster(c)}:recovery-lock-token`,
    snapshot: (c) => `${cluster(c)}:snapshot`,
    analysisMemory: (c) => `${cluster(c)}:analysis-memory`,
    recoveriesDisabled: () => `${root}:recoveries-disabled`,
    downtime: (c, i) => instanceKey(c, 'downtime', i),
    candidate: (c, i) => instanceKey(c, 'candidate', i),
    maintenance: (c, i) => instanceKey(c, 'maintenance', i),
    ioThreadRestartPrimary: (c, i) => instanceKey(c, 'io-restart-primary', i),
    ioThreadRestartReplica: (c, i) => instanceKey(c, 'io-restart-replica', i),
    processed: (messageId) => `${root}:processed:${checkPart('messageId', messageId)}`,
    hookRequestClaim: (requestId) => `${root}:processed:hook-request:${encodeURIComponent(requestId)}`,
    hookRequestResult: (requestId) => `${root}:processed:hook-request:${encodeURIComponent(requestId)}:result`,
  };
}
