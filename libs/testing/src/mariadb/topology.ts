/**
 * `startTopology(spec)`: a real MariaDB GTID replication tree on this machine, in about a second.
 * Ports come from `allocatePorts` (safe across parallel test files), data dirs are `cp -a` of a
 * per-process template on tmpfs, every mariadbd is a direct child of this process.
 * `stop()` always cleans up (SIGCONT + SIGKILL by PID, firewall rules, data dirs, ports) and is
 * safe to call twice; the same cleanup runs at process exit if a test never called it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { allocatePorts, type PortBlock } from '../ports.ts';
import { markOwned, onProcessExit } from '../process-cleanup.ts';
import { sweepStaleRules } from './firewall.ts';
import { MariaDbInstance, type Account } from './instance.ts';
import { useFilePosition, wireReplication } from './replication.ts';
import { copyTemplate, MariaDbLaunchError, scratchRoot, sweepStaleDataDirs, templateDataDir } from './template.ts';
import { testDatabase, type Credentials, type InstanceRole, type InstanceSpec, type ServerOptions, type TopologySpec } from './types.ts';
import { startWriter, type Writer, type WriterOptions } from './writer.ts';

/** Defaults for every instance (infra-notes §2); replicas also get read-only. */
export const defaultServerOptions: ServerOptions = {
  'bind-address': '127.0.0.1',
  'skip-name-resolve': true,
  'log-bin': 'mysql-bin',
  'relay-log': 'relay-bin',
  'log-slave-updates': true,
  'binlog-format': 'ROW',
  'gtid-strict-mode': 'ON',
  'report-host': '127.0.0.1',
  'slave-net-timeout': 2,
  'innodb-buffer-pool-size': '32M',
  'innodb-log-file-size': '8M',
  // The default (12M, written out in full at every start) costs start time and tmpfs memory.
  'innodb-temp-data-file-path': 'ibtmp1:1M:autoextend',
};

interface PlannedInstance {
  name: string;
  role: InstanceRole;
  parent: number | null;
  spec: InstanceSpec;
}

/** Flattens the spec into a breadth-first list (server ids 1.., ports in the same order). */
export function planTopology(spec: TopologySpec): PlannedInstance[] {
  const out: PlannedInstance[] = [{ name: spec.primary?.name ?? 'primary', role: 'primary', parent: null, spec: { ...spec.primary } }];
  const childSpecs = (replicas: number | InstanceSpec[] | undefined): InstanceSpec[] =>
    typeof replicas === 'number' ? Array.from({ length: replicas }, () => ({})) : (replicas ?? []);
  const queue: Array<{ index: number; children: InstanceSpec[] }> = [{ index: 0, children: childSpecs(spec.replicas) }];
  while (queue.length > 0) {
    const { index, children } = queue.shift() as { index: number; children: InstanceSpec[] };
    const parent = out[index] as PlannedInstance;
    children.forEach((child, i) => {
      const grandChildren = childSpecs(child.replicas);
      const name = child.name ?? (index === 0 ? `replica${i + 1}` : `${parent.name}-${i + 1}`);
      out.push({ name, role: grandChildren.length > 0 ? 'intermediate' : 'replica', parent: index, spec: child });
      queue.push({ index: out.length - 1, children: grandChildren });
    });
  }
  const names = new Set(out.map((p) => p.name));
  if (names.size !== out.length) throw new Error(`instance names must be unique: ${out.map((p) => p.name).join(', ')}`);
  return out;
}

function normalise(options: ServerOptions | undefined): ServerOptions {
  return Object.fromEntries(Object.entries(options ?? {}).map(([k, v]) => [k.replace(/^--/, '').replaceAll('_', '-'), v]));
}

export class Topology {
  readonly baseDir: string;
  readonly instances: readonly MariaDbInstance[];
  /** The primary as started (a failover under test does not move it). */
  readonly primary: MariaDbInstance;
  /** Every instance but the primary, intermediates included. */
  readonly replicas: readonly MariaDbInstance[];
  readonly credentials: Readonly<Record<Account, Credentials>>;
  readonly semiSync: boolean;
  readonly #ports: PortBlock;
  readonly #unregisterExit: () => void;
  readonly #writers = new Set<Writer>();
  #stopping: Promise<void> | undefined;

  constructor(init: { baseDir: string; instances: MariaDbInstance[]; ports: PortBlock; credentials: Record<Account, Credentials>; semiSync: boolean }) {
    this.baseDir = init.baseDir;
    this.instances = init.instances;
    this.primary = init.instances[0] as MariaDbInstance;
    this.replicas = init.instances.slice(1);
    this.credentials = init.credentials;
    this.semiSync = init.semiSync;
    this.#ports = init.ports;
    this.#unregisterExit = onProcessExit(() => {
      for (const instance of this.instances) instance.killSync();
      rmSync(this.baseDir, { recursive: true, force: true });
      this.#ports.release();
    });
  }

  instance(name: string): MariaDbInstance {
    const found = this.instances.find((i) => i.name === name);
    if (!found) throw new Error(`no instance ${name} in topology (${this.instances.map((i) => i.name).join(', ')})`);
    return found;
  }

  /** Instances set up to replicate from `instance`. */
  childrenOf(instance: MariaDbInstance): MariaDbInstance[] {
    return this.instances.filter((i) => i.upstream === instance);
  }

  /**
   * Inserts `n` rows into baton_test.markers, one transaction each, as root over the socket
   * (default on the primary). Returns the target's gtid_binlog_pos afterwards.
   */
  async writeRows(n: number, options: { target?: MariaDbInstance; note?: string } = {}): Promise<string> {
    const target = options.target ?? this.primary;
    const conn = await target.connection({ via: 'socket', connectTimeoutMs: 5000 });
    try {
      for (let i = 0; i < n; i += 1) {
        await conn.query({ sql: `INSERT INTO ${testDatabase}.markers (note) VALUES (?)`, values: [options.note ?? `row ${i + 1}`], timeout: 10_000 });
      }
    } finally {
      conn.destroy();
    }
    return target.gtidBinlogPos();
  }

  /**
   * Waits until each of `instances` (default: every running, unfrozen replica) has applied `gtid`
   * (default: the source's current gtid_binlog_pos). Returns the gtid waited for.
   */
  async sync(options: { gtid?: string; source?: MariaDbInstance; instances?: readonly MariaDbInstance[]; timeoutMs?: number } = {}): Promise<string> {
    const gtid = options.gtid ?? (await (options.source ?? this.primary).gtidBinlogPos());
    const targets = options.instances ?? this.replicas.filter((i) => i.running && !i.frozen);
    await Promise.all(targets.map((i) => i.waitForGtid(gtid, options.timeoutMs ?? 10_000)));
    return gtid;
  }

  /** A steady writer on the primary (or `options.target`); stopped by `stop()` if still running. */
  async startWriter(options: WriterOptions = {}): Promise<Writer> {
    const writer = await startWriter(options.target ?? this.primary, options);
    this.#writers.add(writer);
    const stop = writer.stop.bind(writer);
    return Object.assign(writer, {
      stop: () => {
        this.#writers.delete(writer);
        return stop();
      },
    });
  }

  /** Kills every instance (SIGCONT, SIGKILL, wait for exit), removes rules, data and port locks. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    await Promise.allSettled([...this.#writers].map((w) => w.stop()));
    await Promise.allSettled(
      this.instances.map(async (instance) => {
        instance.thaw();
        await instance.kill();
      }),
    );
    await Promise.allSettled(this.instances.map((instance) => instance.restore()));
    await rm(this.baseDir, { recursive: true, force: true });
    this.#ports.release();
    this.#unregisterExit();
  }
}

let staleSweep: Promise<unknown> | undefined;

/**
 * Removes what test processes that died hard (SIGKILL, OOM) left behind: their data dirs and
 * their iptables rules. Their mariadbd children are already dead (pdeathsig). Runs once per
 * process on the first startTopology; call it directly to force a sweep.
 */
export async function sweepStaleResources(): Promise<{ dirs: string[]; rules: number }> {
  const dirs = sweepStaleDataDirs();
  const rules = await sweepStaleRules().catch(() => 0);
  return { dirs, rules };
}

/**
 * Starts the topology described by `spec` (default: a primary and 2 replicas) and resolves once
 * replication is verified end to end. On any failure everything started is cleaned up.
 */
export async function startTopology(spec: TopologySpec = {}): Promise<Topology> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(spec);
    } catch (error) {
      // A port taken between the free-port check and mariadbd's bind: try another block.
      const inUse = (error as { addressInUse?: unknown }).addressInUse === true;
      if (!inUse || attempt >= 3) throw error;
    }
  }
}

async function startOnce(spec: TopologySpec): Promise<Topology> {
  const plan = planTopology({ ...spec, replicas: spec.replicas ?? 2 });
  const readyTimeoutMs = spec.readyTimeoutMs ?? 30_000;
  const credentials: Record<Account, Credentials> = {
    root: { user: 'root', password: '' },
    admin: { user: spec.admin?.user ?? 'baton', password: spec.admin?.password ?? 'baton-pass' },
    replication: { user: spec.replication?.user ?? 'repl', password: spec.replication?.password ?? 'repl-pass' },
    app: { user: spec.app?.user ?? 'app', password: spec.app?.password ?? 'app-pass' },
  };
  const semiSync = spec.semiSync ? { timeoutMs: (typeof spec.semiSync === 'object' ? spec.semiSync.timeoutMs : undefined) ?? 10_000 } : undefined;

  staleSweep ??= sweepStaleRules().catch(() => 0);
  const [ports] = await Promise.all([allocatePorts(plan.length), templateDataDir(), staleSweep]);
  let baseDir: string;
  try {
    if (spec.baseDir) mkdirSync((baseDir = spec.baseDir), { recursive: true });
    else baseDir = mkdtempSync(join(scratchRoot(), 'baton-topo-'));
    markOwned(baseDir);
  } catch (error) {
    ports.release();
    throw error;
  }

  const instances = plan.map(
    (p, i) =>
      new MariaDbInstance({
        name: p.name,
        serverId: (spec.serverIdBase ?? 1) + i,
        port: ports.ports[i] as number,
        dir: join(baseDir, p.name),
        role: p.role,
        labels: { ...p.spec.labels },
        options: { ...defaultServerOptions, 'read-only': p.role !== 'primary', ...normalise(spec.serverOptions), ...normalise(p.spec.options) },
        credentials,
        readyTimeoutMs,
      }),
  );
  plan.forEach((p, i) => {
    if (p.parent !== null) (instances[i] as MariaDbInstance).upstream = instances[p.parent] as MariaDbInstance;
  });
  const topology = new Topology({ baseDir, instances, ports, credentials, semiSync: semiSync !== undefined });

  try {
    // allSettled, not all: an instance still copying its data dir must not start after stop().
    const started = await Promise.allSettled(
      instances.map(async (instance) => {
        await mkdir(instance.dir);
        await mkdir(join(instance.dir, 'tmp'));
        await copyTemplate(instance.dataDir);
        await instance.start();
      }),
    );
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    await wireReplication(instances, { credentials, semiSync, timeoutMs: readyTimeoutMs, ...(spec.heartbeat ? { heartbeat: spec.heartbeat } : {}) });
    if (spec.replicationMode === 'file-position') await Promise.all(instances.filter((i) => i.upstream !== null).map(useFilePosition));
    return topology;
  } catch (error) {
    await topology.stop();
    if (error instanceof MariaDbLaunchError) throw error;
    throw new MariaDbLaunchError(`topology start failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Minimal shape of node:test's TestContext used here. */
export interface AfterHookContext {
  after(fn: () => unknown): void;
}

/** `startTopology` for node:test: the topology is stopped after the test (or suite), pass or fail. */
export async function withTopology(t: AfterHookContext, spec: TopologySpec = {}): Promise<Topology> {
  const topology = await startTopology(spec);
  t.after(() => topology.stop());
  return topology;
}
