/**
 * `baton analyze FILE`: orchestrator's replication analysis of one snapshot file, offline — the
 * same analyze() and the same hints as the analyzer service (IncludeDowntimed), with the policy's
 * defaults (orchestrator's). One line per analysed instance in orchestrator's textual form:
 *
 *   db1:3306 (cluster orders): DeadMaster
 *   db2:3306 (cluster orders): FirstTierReplicaFailingToConnectToMaster
 */
import { parseArgs } from 'node:util';
import type { AnalysisEntry, ClusterAnalysis } from '@baton/contracts';
import { analyze, formatAnalysisLine, resolveAnalysisPolicy } from '@baton/domain';
import { MessageValidationError } from '@baton/errors';
import { UsageError, exitCodes, type CliIo } from './io.ts';
import { parseSnapshotDocument } from './read-snapshot.ts';

export const analyzeUsage = `Usage: baton analyze FILE [--now ISO] [--json] [--include-no-problem]

Reads a cluster snapshot (the ClusterSnapshotV1 payload, or a whole envelope; FILE '-' reads
standard input) and prints orchestrator's analysis, one line per analysed instance:
  host:port (cluster NAME): Code, Warning, ...

  --now ISO              analyse at this time (default: the snapshot's observedAt)
  --json                 print the analysis as the baton.analyses payload instead
  --include-no-problem   also list instances without a problem (healthy leaves stay
                         hidden, as ReduceReplicationAnalysisCount does)

Exit status: 0 analysed (whatever was found), 2 bad usage or a file that is unreadable,
not JSON or not a valid snapshot (the bad field is named on stderr).`;

function lineOf(entry: AnalysisEntry, clusterName: string): string {
  const line = formatAnalysisLine(entry, clusterName);
  return entry.code === 'NoProblem' && entry.structureWarnings.length === 0 ? `${line}NoProblem` : line;
}

export function analyzeCommand(argv: readonly string[], io: CliIo): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        now: { type: 'string' },
        json: { type: 'boolean', default: false },
        'include-no-problem': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${analyzeUsage}\n`);
    return exitCodes.ok;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'a snapshot FILE is required' : `one FILE only, got ${positionals.length}`);
  const file = positionals[0] as string;

  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    throw new UsageError(`${file}: cannot read: ${(error as Error).message}`);
  }
  let snapshot;
  try {
    snapshot = parseSnapshotDocument(text);
  } catch (error) {
    if (error instanceof MessageValidationError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }

  const nowText = values.now ?? snapshot.observedAt;
  const now = Date.parse(nowText);
  if (values.now !== undefined && (Number.isNaN(now) || !/^\d{4}-\d{2}-\d{2}T/.test(values.now))) {
    throw new UsageError(`--now must be an ISO-8601 timestamp (2026-11-26T19:30:00Z), got ${JSON.stringify(values.now)}`);
  }
  const includeNoProblem = values['include-no-problem'];
  const entries = analyze(snapshot, now, resolveAnalysisPolicy({ includeDowntimed: true, includeNoProblem }));

  if (values.json) {
    const analysis: ClusterAnalysis = {
      clusterId: snapshot.clusterId,
      clusterAlias: snapshot.clusterAlias,
      snapshotObservedAt: snapshot.observedAt,
      analyzedAt: new Date(now).toISOString(),
      entries,
      hasProblem: entries.some((e) => e.code !== 'NoProblem'),
    };
    io.out(`${JSON.stringify(analysis, null, 2)}\n`);
    return exitCodes.ok;
  }
  for (const entry of entries) io.out(`${lineOf(entry, snapshot.clusterId)}\n`);
  return exitCodes.ok;
}
