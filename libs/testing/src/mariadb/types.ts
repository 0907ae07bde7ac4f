/** Where an instance lives, carried in the handle for tests (the server itself does not know). */
export interface InstanceLabels {
  dataCenter?: string;
  region?: string;
  physicalEnvironment?: string;
  [label: string]: string | undefined;
}

/**
 * mariadbd command-line options, without the leading `--`; `_` and `-` are interchangeable.
 * `true` → `--name`, a value → `--name=value`, `false` or `null` → the default is left out.
 */
export type ServerOptions = Record<string, string | number | boolean | null>;

export interface InstanceSpec {
  /** Unique in the topology. Default: `primary`, `replica1`…, children of replicaK `replicaK-1`…. */
  name?: string;
  labels?: InstanceLabels;
  /** Overrides for this instance, applied after the topology-wide `serverOptions`. */
  options?: ServerOptions;
  /** Instances replicating from this one: a count or their specs (an intermediate primary). */
  replicas?: number | InstanceSpec[];
}

export interface HeartbeatSpec {
  periodSeconds: number;
  netTimeoutSeconds: number;
}

export interface SemiSyncSpec {
  /** rpl_semi_sync_master_timeout on the primary. Default 10000. */
  timeoutMs?: number;
}

export interface Credentials {
  user: string;
  password: string;
}

export interface TopologySpec {
  /** The root of the replication tree. Its own `replicas` are ignored: use `replicas` below. */
  primary?: Omit<InstanceSpec, 'replicas'>;
  /**
   * Replicas of the primary: a count (`3` = 1+3) or specs, which may have replicas of their own:
   * `{ replicas: [{ name: 'intermediate', replicas: 2 }] }` is primary → intermediate → 2 replicas.
   */
  replicas?: number | InstanceSpec[];
  /** Semi-sync: primary rpl_semi_sync_master_enabled, every replica rpl_semi_sync_slave_enabled. */
  semiSync?: boolean | SemiSyncSpec;
  /**
   * How the replicas replicate: by GTID (MASTER_USE_GTID = slave_pos, the default) or by binlog
   * file and position (MASTER_USE_GTID = no), switched once replication is verified.
   */
  replicationMode?: 'gtid' | 'file-position';
  /**
   * The replicas' slave_net_timeout and MASTER_HEARTBEAT_PERIOD. Default 2 s and 1 s (MariaDB's
   * default period is half the timeout): a replica gives up on a silent source after 2 s.
   */
  heartbeat?: HeartbeatSpec;
  /** Options for every instance (see ServerOptions). */
  serverOptions?: ServerOptions;
  /** Default /dev/shm/baton-topo-<random> (tmpfs; falls back to the OS temp dir). */
  baseDir?: string;
  /** The monitoring/orchestration account, created on the primary. Default baton / baton-pass. */
  admin?: Partial<Credentials>;
  /** The replication account. Default repl / repl-pass. */
  replication?: Partial<Credentials>;
  /** A plain application account (no admin privileges, so read_only stops it). Default app / app-pass. */
  app?: Partial<Credentials>;
  /** Deadline for each server to accept connections and for replication to be verified. Default 30 s. */
  readyTimeoutMs?: number;
  /** server_id of the first instance; the others follow (default 1). A run that must not reuse an earlier run's ids picks its own. */
  serverIdBase?: number;
}

export type InstanceRole = 'primary' | 'intermediate' | 'replica';

/** The database the launcher creates on the primary for test data (replicated everywhere). */
export const testDatabase = 'baton_test';
