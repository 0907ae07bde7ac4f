/**
 * Read commands: `baton clusters`, `baton topology CLUSTER`, `baton analysis [CLUSTER]`.
 * CLUSTER is a cluster id, an alias, or host:port of any member.
 */
import { apiCommand } from './api-command.ts';
import { apiPath, callApi, detailsOf } from './api-client.ts';
import { exitCodes } from './io.ts';

interface ClusterInfo {
  ClusterName: string;
  ClusterAlias: string;
  CountInstances: number;
  HeuristicLag: number;
  HasAutomatedMasterRecovery: boolean;
}

/** Left-aligned columns, two spaces apart, no trailing spaces. */
export function table(rows: string[][]): string {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ').trimEnd()).join('\n');
}

export const clustersCommand = apiCommand({
  name: 'clusters',
  usage: `Usage: baton clusters [options]

Lists the clusters the api knows: id, alias, instances, the largest replica lag, and whether
automated primary recovery is on for it (recovery.RecoverMasterClusterFilters).`,
  positionals: [0, 0],
  async run({ target, io, json, printJson }) {
    const res = await callApi(target, 'clusters-info');
    if (json) {
      printJson(res.body);
      return exitCodes.ok;
    }
    const rows = (res.body as ClusterInfo[]).map((c) => [c.ClusterName, c.ClusterAlias || '-', String(c.CountInstances), `${c.HeuristicLag}s`, c.HasAutomatedMasterRecovery ? 'on' : 'off']);
    io.out(rows.length === 0 ? 'no clusters\n' : `${table([['CLUSTER', 'ALIAS', 'INSTANCES', 'LAG', 'AUTO-RECOVERY'], ...rows])}\n`);
    return exitCodes.ok;
  },
});

export const topologyCommand = apiCommand({
  name: 'topology',
  usage: `Usage: baton topology CLUSTER [options]

Prints the cluster's replication tree: each instance under its source, with
[lag,replication state,version,ro|rw,binlog format,flags], its role and its current problem.
  lag    seconds behind its source; null = not replicating; unknown = last check not valid
  state  ok, nonreplicating, invalid
  flags  >> (log_slave_updates), GTID (GTID:errant), semi:master, semi:replica, downtimed,
         a registered promotion rule`,
  positionals: [1, 1],
  async run({ positionals, target, io, json, printJson }) {
    const res = await callApi(target, apiPath('topology', positionals[0] as string));
    if (json) printJson(res.body);
    else io.out(`${String(detailsOf(res))}\n`);
    return exitCodes.ok;
  },
});

interface AnalysisJson {
  AnalyzedInstanceKey: { Hostname: string; Port: number };
  ClusterDetails: { ClusterName: string };
  Analysis: string;
  StructureAnalysis: string[];
  IsDowntimed: boolean;
}

export const analysisCommand = apiCommand({
  name: 'analysis',
  usage: `Usage: baton analysis [CLUSTER] [options]

Prints orchestrator's replication analysis of every cluster (or of CLUSTER), one line per
instance with a problem, as orchestrator-client's replication-analysis does:
  host:port (cluster NAME): Code, Warning, ...`,
  positionals: [0, 1],
  async run({ positionals, target, io, json, printJson }) {
    const res = await callApi(target, positionals[0] === undefined ? 'replication-analysis' : apiPath('replication-analysis', positionals[0]));
    if (json) {
      printJson(res.body);
      return exitCodes.ok;
    }
    for (const e of detailsOf(res) as AnalysisJson[]) {
      const items = e.Analysis === 'NoProblem' ? e.StructureAnalysis : [e.Analysis, ...e.StructureAnalysis];
      io.out(`${e.AnalyzedInstanceKey.Hostname}:${e.AnalyzedInstanceKey.Port} (cluster ${e.ClusterDetails.ClusterName}): ${items.join(', ')}${e.IsDowntimed ? ' (downtimed)' : ''}\n`);
    }
    return exitCodes.ok;
  },
});

export const analysisStateCommand = apiCommand({
  name: 'analysis-state',
  usage: `Usage: baton analysis-state CLUSTER [options] > state.json

Prints the cluster's analysis state document: the snapshot the analyzer last cached and what it
remembered with it (the stale binlog coordinates behind LockedSemiSyncMaster). 'baton analyze
state.json --config <the analyzer's config> --include-downtimed' then says what the analyzer said
of that snapshot; edit the file to ask "what if".`,
  positionals: [1, 1],
  async run({ positionals, target, json, printJson }) {
    const res = await callApi(target, apiPath('analysis-state', positionals[0] as string));
    if (json) printJson(res.body);
    else printJson(detailsOf(res));
    return exitCodes.ok;
  },
});
