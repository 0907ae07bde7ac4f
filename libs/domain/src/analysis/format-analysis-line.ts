import type { AnalysisEntry } from '@baton/contracts';

/**
 * Orchestrator's textual form (CLI `replication-analysis`):
 * `host:port (cluster NAME): Code, Warning, …` — the code is left out when it is NoProblem.
 */
export function formatAnalysisLine(entry: AnalysisEntry, clusterName: string): string {
  const items = entry.code === 'NoProblem' ? [...entry.structureWarnings] : [entry.code, ...entry.structureWarnings];
  return `${entry.instance.host}:${entry.instance.port} (cluster ${clusterName}): ${items.join(', ')}`;
}
