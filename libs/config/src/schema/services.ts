/** Per-service sections. Durations are milliseconds with the unit in the key's name. */
import { Type } from '@sinclair/typebox';
import { bool, integer, metricsPort, optional, port, section, text } from './primitives.ts';

/**
 * A cluster alias is also the cluster's stable id and reaches hooks ({failureClusterAlias},
 * {failureCluster}), logs and URLs, so it is kept to characters no shell, URL or log format treats
 * specially: letters, digits and `. _ - :` (`:` for the host:port form of a default id), 1 to 128
 * of them. Enforced at config load (detector.seeds[].alias), by the api (discover ?alias=) and by
 * the detector before it registers a cluster.
 */
export const clusterAliasPattern = '^[A-Za-z0-9._:-]{1,128}$';
const clusterAliasRegex = new RegExp(clusterAliasPattern);

export function isClusterAlias(value: string): boolean {
  return clusterAliasRegex.test(value);
}

export const SeedSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'Host name or address of one instance of the cluster.' }),
    port: port(3306, 'Port of that instance.'),
    alias: optional(
      Type.String({ pattern: clusterAliasPattern, description: 'Cluster alias (orchestrator: cluster alias): letters, digits and . _ - : (1 to 128).' }),
    ),
  },
  { additionalProperties: false },
);

export const DetectorSchema = section(
  {
    pollIntervalMs: integer(1000, 'Every instance is probed this often.', { min: 100, max: 60_000 }),
    seeds: Type.Array(SeedSchema, {
      default: [],
      description: 'Instances to start discovery from: { host, port (default 3306), alias (optional) }.',
      examples: [[{ host: 'db1.example.com', port: 3306, alias: 'orders' }]],
    }),
    maxConcurrentProbes: integer(256, 'Probes in flight at once, per detector process.', { min: 1, max: 10_000 }),
    metricsPort: metricsPort('detector'),
    unseenInstanceForgetHours: integer(
      240,
      'An instance not seen (no successful probe) for this many hours is forgotten: no longer probed nor shown, and not learnt again from its neighbours until a discovery lists it (orchestrator: UnseenInstanceForgetHours). 0 = never.',
      { min: 0, max: 100_000 },
    ),
  },
  'detector: probes instances and publishes cluster snapshots.',
);

export const AnalyzerSchema = section(
  {
    reasonableInstanceCheckMs: integer(
      1000,
      'Added to pollIntervalMs to decide whether a last check is still valid (orchestrator: ReasonableInstanceCheckSeconds).',
      { min: 0 },
    ),
    silentSourceHeartbeats: integer(
      2,
      "A replica whose IO thread runs but which has received nothing from its source (no event, no heartbeat) for this many of its heartbeat periods (MASTER_HEARTBEAT_PERIOD) counts as not replicating: with every replica agreeing and the primary not answering, that is DeadMaster before slave_net_timeout ends (a hung primary). 0 turns it off (Baton; orchestrator waits for the IO threads).",
      { min: 0, max: 100 },
    ),
    snapshotTtlMs: integer(5000, 'TTL of the latest snapshot cached in Redis for the api; above pollIntervalMs.', {
      min: 1,
    }),
    consumerGroup: text('baton-analyzer', 'Kafka consumer group of the analyzers; more members share the clusters.', {
      minLength: 1,
    }),
    partitionsConsumedConcurrently: integer(
      4,
      'Snapshot partitions one analyzer process handles at once; one cluster\'s snapshots stay in order.',
      { min: 1, max: 1000 },
    ),
    metricsPort: metricsPort('analyzer'),
  },
  'analyzer: turns snapshots into orchestrator analysis codes.',
);

export const ApiSchema = section(
  {
    host: text('127.0.0.1', 'Listen address.', { minLength: 1 }),
    port: port(3000, 'Listen port.'),
    urlPrefix: Type.String({ default: '', pattern: '^(/[A-Za-z0-9._~-]+)*$', description: 'Prefix before /api (orchestrator: URLPrefix).' }),
    authentication: bool(true, 'Require the token on state-changing routes. With no token set every state-changing request is refused.'),
    token: optional(Type.String({ minLength: 16, description: 'Token clients send (Authorization: Bearer ..., or X-Baton-Token).' })),
    tokenFile: optional(Type.String({ minLength: 1, description: 'File holding the token; instead of token.' })),
    metricsPort: metricsPort('api'),
    readOnly: bool(false, 'Refuse every state-changing route (orchestrator: ReadOnly).'),
    requestTimeoutMs: integer(60_000, 'Server-side limit of one request (a synchronous recover waits for its recovery).', {
      min: 1,
    }),
    recoverWaitMs: integer(55_000, 'How long recover, recover-lite and force-master-failover wait for the recovery to resolve; below requestTimeoutMs.', {
      min: 100,
    }),
    commandWaitMs: integer(5000, 'How long other state-changing routes wait for their command to take effect (downtime, candidate, ack, global switch).', {
      min: 100,
    }),
  },
  'api: HTTP routes shaped like orchestrator\'s.',
);

export const HooksSchema = section(
  {
    defaultTimeoutMs: integer(30_000, 'Wall-clock limit of a hook without its own timeoutMs; the process is killed then.', {
      min: 1,
    }),
    killGracePeriodMs: integer(2000, 'Between SIGTERM and SIGKILL when a hook runs out of time.', { min: 0 }),
    maxOutputBytes: integer(65_536, 'Output kept per hook run (stdout and stderr each); the rest is cut.', {
      min: 1024,
      max: 16 * 1024 * 1024,
    }),
    webhookRetries: integer(2, 'Retries of a webhook without its own retries.', { max: 10 }),
    metricsPort: metricsPort('hook-runner'),
  },
  'hook-runner: limits for the operator\'s processes and webhooks (the lists themselves are under recovery).',
);
