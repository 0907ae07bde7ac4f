/**
 * `baton analyze FILE`: orchestrator's replication analysis of one snapshot file, offline — the
 * same analyze() as the analyzer service, like orchestrator's `replication-analysis` on a saved
 * state. One line per analysed instance in orchestrator's textual form:
 *
 *   db1:3306 (cluster orders): DeadMaster
 *   db2:3306 (cluster orders): FirstTierReplicaFailingToConnectToMaster
 *
 * The policy: the defaults (orchestrator's), or the analyzer's own from a Baton config file
 * (--config, the keys the analyzer reads: recovery.Reasonable…, analyzer.reasonableInstanceCheckMs
 * …), then flags named after orchestrator's keys (--ReasonableReplicationLagSeconds 10). Hints as
 * orchestrator's CLI: none, so downtimed rows are hidden unless --include-downtimed (the analyzer
 * and orchestrator's recovery loop pass IncludeDowntimed). FILE may be an analysis state document
 * (`baton analysis-state CLUSTER` saves one): the snapshot with what the analyzer remembered across
 * snapshots, applied the way the analyzer applies it, so the result is the analyzer's.
 */
import { parseArgs } from 'node:util';
import type { AnalysisEntry, ClusterAnalysis } from '@baton/contracts';
import { loadConfig, orchestratorRecoveryKeys, type BatonConfig } from '@baton/config';
import {
  analysisPolicyFromConfig,
  analyze,
  defaultAnalysisPolicy,
  formatAnalysisLine,
  rememberSnapshot,
  resolveAnalysisPolicy,
  type AnalysisPolicy,
  type AnalysisPolicyInput,
  type ResolvedAnalysisPolicy,
} from '@baton/domain';
import { MessageValidationError } from '@baton/errors';
import { UsageError, exitCodes, type CliIo } from './io.ts';
import { parseAnalysisInput, type AnalysisInput } from './read-snapshot.ts';

/** How a flag's text becomes its policy field. */
type FlagKind = 'bool' | 'seconds' | 'seconds-as-ms' | 'count' | 'regexp';

export interface PolicyFlag {
  /** The flag's name without `--`: orchestrator's key, or Baton's config key for Baton's own knobs. */
  readonly name: string;
  readonly field: keyof AnalysisPolicy;
  readonly kind: FlagKind;
  /** Where the analyzer reads it in Baton's config. */
  readonly configKey: string;
  /** Upper bound (count), as the config schema. */
  readonly max?: number;
}

/**
 * Every knob of the analysis policy (libs/domain policy.ts) a flag can set, under orchestrator's
 * key names; Baton's own knobs under their config names. Not here: invalidateStaleObservations (the
 * analyzer always runs with it on) and the hints (--include-downtimed, --include-no-problem).
 */
export const analysisPolicyFlags: readonly PolicyFlag[] = [
  { name: 'ReasonableReplicationLagSeconds', field: 'reasonableReplicationLagSeconds', kind: 'seconds', configKey: 'recovery.ReasonableReplicationLagSeconds' },
  { name: 'ReasonableLockedSemiSyncMasterSeconds', field: 'reasonableLockedSemiSyncMasterSeconds', kind: 'seconds', configKey: 'recovery.ReasonableLockedSemiSyncMasterSeconds' },
  { name: 'ReduceReplicationAnalysisCount', field: 'reduceReplicationAnalysisCount', kind: 'bool', configKey: 'recovery.ReduceReplicationAnalysisCount' },
  { name: 'RecoveryIgnoreHostnameFilters', field: 'recoveryIgnoreHostnameFilters', kind: 'regexp', configKey: 'recovery.RecoveryIgnoreHostnameFilters' },
  { name: 'RecoverNonWriteableMaster', field: 'recoverNonWriteableMaster', kind: 'bool', configKey: 'recovery.RecoverNonWriteableMaster' },
  { name: 'EnforceExactSemiSyncReplicas', field: 'enforceExactSemiSyncReplicas', kind: 'bool', configKey: 'recovery.EnforceExactSemiSyncReplicas' },
  { name: 'ReasonableInstanceCheckSeconds', field: 'reasonableInstanceCheckMs', kind: 'seconds-as-ms', configKey: 'analyzer.reasonableInstanceCheckMs' },
  { name: 'InstancePollSeconds', field: 'pollIntervalMs', kind: 'seconds-as-ms', configKey: "not a config key: each snapshot's pollIntervalMs" },
  { name: 'reasonableInstanceCheckMs', field: 'reasonableInstanceCheckMs', kind: 'count', configKey: 'analyzer.reasonableInstanceCheckMs' },
  { name: 'silentSourceHeartbeats', field: 'silentSourceHeartbeats', kind: 'count', configKey: 'analyzer.silentSourceHeartbeats', max: 100 },
];

const flagByName = new Map(analysisPolicyFlags.map((f) => [f.name, f]));

function flagUsage(f: PolicyFlag): string {
  const value = f.kind === 'bool' ? '[=true|false]' : f.kind === 'regexp' ? ' REGEXP' : f.kind === 'count' ? ' N' : ' SECONDS';
  const d = defaultAnalysisPolicy[f.field];
  const shown = d === null ? '' : `; default ${f.kind === 'seconds-as-ms' ? Number(d) / 1000 : JSON.stringify(d)}`;
  return `  --${`${f.name}${value}`.padEnd(46)} ${f.configKey}${f.kind === 'regexp' ? ', repeatable' : ''}${shown}`;
}

export const analyzeUsage = `Usage: baton analyze FILE [--config FILE] [--OrchestratorKey VALUE ...] [--now ISO]
                     [--json] [--include-no-problem] [--include-downtimed]

Reads a cluster snapshot (the ClusterSnapshotV1 payload, or a whole envelope), or an analysis
state document (the snapshot with what the analyzer remembered across snapshots, as
'baton analysis-state CLUSTER' saves it); FILE '-' reads standard input. Prints orchestrator's
analysis, one line per analysed instance:
  host:port (cluster NAME): Code, Warning, ...

  --config FILE          take the analysis policy from this Baton config file (YAML or JSON; the
                         keys the analyzer reads; BATON__* variables are not applied)
  --now ISO              analyse at this time (default: the state's now, else the snapshot's
                         observedAt, which is when the analyzer analysed it)
  --json                 print the analysis as the baton.analyses payload instead
  --include-no-problem   also list instances without a problem (healthy leaves stay
                         hidden, as ReduceReplicationAnalysisCount does)
  --include-downtimed    also list downtimed instances (hint IncludeDowntimed, as the analyzer
                         and the api run; they are flagged skippableDueToDowntime)

Policy flags, orchestrator's keys (Baton's own knobs under their config names); they win over
--config, which wins over the defaults:
${analysisPolicyFlags.map(flagUsage).join('\n')}

Exit status: 0 analysed (whatever was found), 2 bad usage (an unknown flag is named), or a file
that is unreadable, not JSON or not a valid snapshot or state (the bad field is named on stderr).`;

export interface AnalyzeOptions {
  file: string;
  now: string | undefined;
  json: boolean;
  includeNoProblem: boolean;
  includeDowntimed: boolean;
  config: string | undefined;
  /** What the policy flags set, by policy field. */
  policy: AnalysisPolicyInput;
}

const baseOptions = {
  now: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  'include-no-problem': { type: 'boolean' },
  'include-downtimed': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function flagValue(flag: PolicyFlag, text: string): unknown {
  const bad = (what: string) => new UsageError(`--${flag.name} must be ${what}, got ${JSON.stringify(text)}`);
  switch (flag.kind) {
    case 'bool':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw bad('true or false');
    case 'regexp':
      try {
        new RegExp(text);
      } catch (error) {
        throw new UsageError(`--${flag.name} ${JSON.stringify(text)} is not a regular expression: ${(error as Error).message}`);
      }
      return text;
    default: {
      if (!/^\d+$/.test(text)) throw bad(flag.kind === 'count' ? 'an integer ≥ 0' : 'a whole number of seconds ≥ 0');
      const n = Number(text);
      if (flag.max !== undefined && n > flag.max) throw bad(`at most ${flag.max}`);
      if (flag.name === 'InstancePollSeconds' && n === 0) throw bad('at least 1');
      return flag.kind === 'seconds-as-ms' ? n * 1000 : n;
    }
  }
}

/** The usage error of an option that is not one: the name, and what it may have meant. */
function unknownOption(name: string): UsageError {
  const lower = name.toLowerCase();
  const near = [...flagByName.keys(), ...Object.keys(baseOptions)].find((k) => k.toLowerCase() === lower);
  if (near) return new UsageError(`Unknown option '--${name}' (did you mean --${near}?)`);
  if (orchestratorRecoveryKeys.includes(name)) {
    return new UsageError(
      `Unknown option '--${name}': ${name} is an orchestrator key of recovery, not of analysis; the analysis keys are ${analysisPolicyFlags.map((f) => f.name).join(', ')}`,
    );
  }
  return new UsageError(`Unknown option '--${name}'`);
}

/** Splits argv into the base options (node:util parseArgs) and the policy flags, checking every value. */
export function parseAnalyzeArgs(argv: readonly string[]): AnalyzeOptions | 'help' {
  const rest: string[] = [];
  const policy: Record<string, unknown> = {};
  const filters: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      rest.push(arg);
      continue;
    }
    const name = m[1] as string;
    const inline = m[2];
    const flag = flagByName.get(name);
    if (!flag) {
      if (!Object.hasOwn(baseOptions, name)) throw unknownOption(name);
      rest.push(arg);
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = argv[i + 1];
      if (flag.kind === 'bool') {
        text = next === 'true' || next === 'false' ? next : 'true';
        if (next === 'true' || next === 'false') i += 1;
      } else {
        if (next === undefined || next.startsWith('--')) throw new UsageError(`--${flag.name} needs a value`);
        text = next;
        i += 1;
      }
    }
    const value = flagValue(flag, text);
    if (flag.kind === 'regexp') filters.push(value as string);
    else policy[flag.field] = value;
  }
  if (filters.length > 0) policy['recoveryIgnoreHostnameFilters'] = filters;

  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { ...baseOptions, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'a snapshot FILE is required' : `one FILE only, got ${positionals.length}`);
  if (values.now !== undefined && (Number.isNaN(Date.parse(values.now)) || !/^\d{4}-\d{2}-\d{2}T/.test(values.now))) {
    throw new UsageError(`--now must be an ISO-8601 timestamp (2026-11-26T19:30:00Z), got ${JSON.stringify(values.now)}`);
  }
  return {
    file: positionals[0] as string,
    now: values.now,
    json: values.json ?? false,
    includeNoProblem: values['include-no-problem'] ?? false,
    includeDowntimed: values['include-downtimed'] ?? false,
    config: values.config,
    policy: policy as AnalysisPolicyInput,
  };
}

/**
 * The policy `baton analyze` runs: the defaults, or the analyzer's policy from the config file
 * (the same analysisPolicyFromConfig), then the flags, then the command's hints.
 */
export function analyzePolicy(
  options: Pick<AnalyzeOptions, 'config' | 'policy' | 'includeDowntimed' | 'includeNoProblem'>,
  load: (file: string) => Pick<BatonConfig, 'analyzer' | 'recovery'> = (file) => loadConfig({ file, env: {} }),
): ResolvedAnalysisPolicy {
  let base: AnalysisPolicyInput = {};
  if (options.config !== undefined) {
    try {
      base = analysisPolicyFromConfig(load(options.config), { includeNoProblem: options.includeNoProblem });
    } catch (error) {
      throw new UsageError(`--config ${options.config}: ${(error as Error).message}`);
    }
  }
  try {
    return resolveAnalysisPolicy({ ...base, ...options.policy, includeDowntimed: options.includeDowntimed, includeNoProblem: options.includeNoProblem });
  } catch (error) {
    throw new UsageError(`the analysis policy: ${(error as Error).message}`);
  }
}

/**
 * The analysis of a snapshot or a state document, as the analyzer makes it: its memory applied to
 * the snapshot at the snapshot's observedAt (rememberSnapshot, the analyzer's own step), then
 * analyze() at `now`.
 */
export function analyzeInput(input: Pick<AnalysisInput, 'snapshot' | 'memory'>, now: number, policy: ResolvedAnalysisPolicy): AnalysisEntry[] {
  return analyze(input.snapshot, now, policy, rememberSnapshot(input.memory, input.snapshot));
}

function lineOf(entry: AnalysisEntry, clusterName: string): string {
  const line = formatAnalysisLine(entry, clusterName);
  return entry.code === 'NoProblem' && entry.structureWarnings.length === 0 ? `${line}NoProblem` : line;
}

export function analyzeCommand(argv: readonly string[], io: CliIo): number {
  const options = parseAnalyzeArgs(argv);
  if (options === 'help') {
    io.out(`${analyzeUsage}\n`);
    return exitCodes.ok;
  }
  const { file } = options;
  const policy = analyzePolicy(options);

  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    throw new UsageError(`${file}: cannot read: ${(error as Error).message}`);
  }
  let input: AnalysisInput;
  try {
    input = parseAnalysisInput(text);
  } catch (error) {
    if (error instanceof MessageValidationError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  const { snapshot } = input;
  const now = Date.parse(options.now ?? input.now ?? snapshot.observedAt);
  const entries = analyzeInput(input, now, policy);

  if (options.json) {
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
