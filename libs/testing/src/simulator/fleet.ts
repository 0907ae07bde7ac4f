/**
 * A fleet of simulated clusters (sim-instance.ts) in one process: `clusters` clusters of a primary
 * and `replicas` replicas (1+3 by default), each instance on its own 127.0.0.1 port, with state
 * that moves like a real cluster's: every tick the primary commits `writesPerTick` transactions
 * (its GTID sequence and binlog offset advance) and each replica that replicates receives and
 * applies them (its Gtid_IO_Pos, gtid_slave_pos, read/exec coordinates and heartbeat count follow).
 *
 * Faults on command, per cluster or instance: `killPrimary` (connections refused; its replicas'
 * IO threads retry with error 2003, as MariaDB's do), `hangPrimary` (it accepts and answers
 * nothing; its replicas hear nothing more: no event, no heartbeat), `lag(replica, seconds)` (its
 * SQL thread falls behind), `breakReplication(replica)` (IO thread stopped with an error).
 */
import type { InstanceKey } from '@baton/contracts';
import { allocatePorts, type PortBlock } from '../ports.ts';
import { SimInstance, type SimModel } from './sim-instance.ts';

export interface FleetOptions {
  clusters: number;
  /** Replicas per cluster (default 3). */
  replicas?: number;
  /** Transactions the primary commits per tick (default 1). */
  writesPerTick?: number;
  /** Tick period (default 250 ms). */
  tickMs?: number;
  /** Semi-sync on (primary master side, replicas replica side). Default false. */
  semiSync?: boolean;
  /** server_id of the first instance (default 1000). */
  serverIdBase?: number;
}

export interface SimCluster {
  /** sim-<n> */
  alias: string;
  primary: SimInstance;
  replicas: SimInstance[];
}

const version = '10.11.19-MariaDB-0+deb12u1-log';

function primaryModel(serverId: number, semiSync: boolean, replicas: number): SimModel {
  const pos = `0-${serverId}-1`;
  return {
    serverId,
    version,
    readOnly: false,
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: 'ROW',
    domainId: 0,
    binlogPos: pos,
    currentPos: pos,
    slavePos: '',
    binlogFile: 'mysql-bin.000001',
    binlogOffset: 400,
    semiSync: semiSync ? { masterEnabled: true, masterTimeoutMs: 10_000, replicaEnabled: false, masterStatus: true, masterClients: replicas, replicaStatus: false } : null,
    replication: null,
    replicas: [],
    promotionEpoch: null,
  };
}

function replicaModel(serverId: number, source: SimInstance, semiSync: boolean): SimModel {
  const p = source.model;
  return {
    ...p,
    serverId,
    readOnly: true,
    slavePos: p.binlogPos,
    semiSync: semiSync ? { masterEnabled: false, masterTimeoutMs: 10_000, replicaEnabled: true, masterStatus: false, masterClients: 0, replicaStatus: true } : null,
    replication: {
      source: source.key,
      sourceServerId: p.serverId,
      io: 'Yes',
      sql: 'Yes',
      secondsBehind: 0,
      receivedPos: p.binlogPos,
      readCoordinates: { file: p.binlogFile, pos: p.binlogOffset },
      execCoordinates: { file: p.binlogFile, pos: p.binlogOffset },
      heartbeatPeriodSeconds: 1,
      receivedHeartbeats: 0,
      lastIoErrno: 0,
      lastIoError: '',
    },
    replicas: [],
  };
}

const seqOf = (pos: string): number => Number(pos.split('-')[2] ?? 0);
const withSeq = (pos: string, seq: number): string => {
  const [d, s] = pos.split('-');
  return `${d ?? 0}-${s ?? 0}-${seq}`;
};

export class SimFleet {
  readonly clusters: SimCluster[];
  readonly #ports: PortBlock;
  readonly #opts: Required<Omit<FleetOptions, 'clusters'>>;
  #timer: NodeJS.Timeout | undefined;
  /** Replicas whose SQL thread lags, with how many seconds. */
  readonly #lagging = new Map<SimInstance, number>();

  private constructor(clusters: SimCluster[], ports: PortBlock, opts: Required<Omit<FleetOptions, 'clusters'>>) {
    this.clusters = clusters;
    this.#ports = ports;
    this.#opts = opts;
  }

  static async start(options: FleetOptions): Promise<SimFleet> {
    const opts = { replicas: options.replicas ?? 3, writesPerTick: options.writesPerTick ?? 1, tickMs: options.tickMs ?? 250, semiSync: options.semiSync ?? false, serverIdBase: options.serverIdBase ?? 1000 };
    const size = 1 + opts.replicas;
    const ports = await allocatePorts(options.clusters * size);
    const clusters: SimCluster[] = [];
    let id = opts.serverIdBase;
    for (let c = 0; c < options.clusters; c++) {
      const base = c * size;
      const primary = new SimInstance(ports.ports[base] as number, primaryModel(id++, opts.semiSync, opts.replicas));
      const replicas = Array.from({ length: opts.replicas }, (_, r) => new SimInstance(ports.ports[base + 1 + r] as number, replicaModel(id++, primary, opts.semiSync)));
      primary.model.replicas = replicas.map((r) => ({ serverId: r.model.serverId, host: '127.0.0.1', port: r.port }));
      clusters.push({ alias: `sim-${c + 1}`, primary, replicas });
    }
    const fleet = new SimFleet(clusters, ports, opts);
    try {
      await Promise.all(clusters.flatMap((c) => [c.primary, ...c.replicas]).map((i) => i.start()));
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    fleet.#timer = setInterval(() => fleet.tick(), opts.tickMs);
    fleet.#timer.unref();
    return fleet;
  }

  get instances(): SimInstance[] {
    return this.clusters.flatMap((c) => [c.primary, ...c.replicas]);
  }

  /** Every instance's key (seeds for discovery: each cluster's primary). */
  seeds(): InstanceKey[] {
    return this.clusters.map((c) => c.primary.key);
  }

  /** One tick: every live primary commits; replicas that hear it receive and apply. */
  tick(): void {
    for (const c of this.clusters) {
      const p = c.primary;
      const alive = !p.dead && !p.hung;
      if (alive) {
        const seq = seqOf(p.model.binlogPos) + this.#opts.writesPerTick;
        p.model.binlogPos = withSeq(p.model.binlogPos, seq);
        p.model.currentPos = p.model.binlogPos;
        p.model.binlogOffset += 300 * this.#opts.writesPerTick;
      }
      for (const r of c.replicas) {
        const rep = r.model.replication;
        if (!rep || rep.io !== 'Yes' || !alive) continue;
        rep.receivedPos = p.model.binlogPos;
        rep.readCoordinates = { file: p.model.binlogFile, pos: p.model.binlogOffset };
        rep.receivedHeartbeats += 1;
        const lag = this.#lagging.get(r);
        if (lag === undefined && rep.sql === 'Yes') {
          r.model.slavePos = p.model.binlogPos;
          r.model.binlogPos = p.model.binlogPos;
          r.model.currentPos = p.model.binlogPos;
          rep.execCoordinates = rep.readCoordinates;
          rep.secondsBehind = 0;
        } else if (lag !== undefined) {
          rep.secondsBehind = lag;
        }
      }
    }
  }

  /** kill -9 of a cluster's primary: refused connections; its replicas' IO threads retry with 2003. */
  async killPrimary(cluster: SimCluster): Promise<void> {
    await cluster.primary.die();
    for (const r of cluster.replicas) {
      const rep = r.model.replication;
      if (!rep) continue;
      rep.io = 'Connecting';
      rep.secondsBehind = null;
      rep.lastIoErrno = 2003;
      rep.lastIoError = `error reconnecting to master 'repl@127.0.0.1:${cluster.primary.port}' - retry-time: 1  maximum-retries: 100000  message: Can't connect to server on '127.0.0.1' (111 "Connection refused")`;
    }
  }

  /** SIGSTOP of a cluster's primary: it accepts and answers nothing; its replicas hear nothing more. */
  hangPrimary(cluster: SimCluster): void {
    cluster.primary.hang();
  }

  /** The replica's SQL thread falls `seconds` behind (until `lag(r, null)`). */
  lag(replica: SimInstance, seconds: number | null): void {
    if (seconds === null) this.#lagging.delete(replica);
    else this.#lagging.set(replica, seconds);
  }

  /** Its IO thread stops with an error (a broken replication). */
  breakReplication(replica: SimInstance): void {
    const rep = replica.model.replication;
    if (!rep) return;
    rep.io = 'No';
    rep.secondsBehind = null;
    rep.lastIoErrno = 1236;
    rep.lastIoError = 'Got fatal error 1236 from master when reading data from binary log (simulated)';
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all(this.instances.map((i) => i.stop()));
    this.#ports.release();
  }
}
