/**
 * The `baton` command line. Commands are plain functions of (argv, io) returning an exit code, so
 * they run the same from bin/baton.mjs and in-process.
 */
import { readFileSync } from 'node:fs';
import { analyzeCommand } from './analyze-command.ts';
import { analysisCommand, analysisStateCommand, clustersCommand, topologyCommand } from './cluster-commands.ts';
import { discoverCommand } from './discover-command.ts';
import { downtimeCommand, forgetCommand, registerCandidateCommand } from './instance-commands.ts';
import { UsageError, exitCodes, type CliIo } from './io.ts';
import { ackCommand, auditCommand, recoverCommand, recoveriesCommand, recoveryCommand, takeoverCommand } from './recovery-commands.ts';

export const usage = `Usage: baton COMMAND [options]

Commands over the api (--api URL or $BATON_API_URL, --token TOKEN or $BATON_API_TOKEN, --json):
  clusters                           the clusters, their size, lag and automated recovery
  topology CLUSTER                   the replication tree: role, replication state, lag, flags
  analysis [CLUSTER]                 orchestrator's replication analysis, one line per problem
  analysis-state CLUSTER             the analyzer's latest snapshot and memory, for 'baton analyze'
  discover HOST:PORT [--alias NAME]  discover the topology around a seed and register it
  forget CLUSTER                     stop watching a cluster
  recover HOST:PORT [--candidate HOST:PORT] [--skip-hooks]
                                     forced recovery of a dead primary; prints the promoted one
  takeover CLUSTER [--to HOST:PORT] [--auto|--force]
                                     planned switchover; the old primary replicates from the new one
  ack CLUSTER|--instance HOST:PORT|--uid UID|--all --comment TEXT
                                     acknowledge recoveries (lifts the anti-flapping block)
  recoveries disable|enable|check    the global switch of automated recoveries
  register-candidate HOST:PORT RULE  prefer, neutral, prefer_not or must_not
  downtime begin|end|list ...        downtime instances
  audit [CLUSTER] [--uid UID] ...    recoveries, their steps, detections, blocked recoveries
  recovery UID                       one recovery: its outcome, lost-transaction report and steps
Offline:
  analyze FILE [--config FILE] [--ReasonableReplicationLagSeconds N ...] [--include-downtimed]
                                     orchestrator's replication analysis of a snapshot or an
                                     analysis state file, as the analyzer makes it

CLUSTER is a cluster id, an alias, or host:port of any member.
Exit status: 0 OK; 1 the api answered ERROR or could not be reached; 2 bad usage.
Run 'baton COMMAND --help' for a command's options.`;

const commands: Record<string, (argv: readonly string[], io: CliIo) => number | Promise<number>> = {
  analyze: analyzeCommand,
  clusters: clustersCommand,
  topology: topologyCommand,
  analysis: analysisCommand,
  'replication-analysis': analysisCommand,
  'analysis-state': analysisStateCommand,
  discover: discoverCommand,
  forget: forgetCommand,
  recover: recoverCommand,
  takeover: takeoverCommand,
  ack: ackCommand,
  recoveries: recoveriesCommand,
  'disable-global-recoveries': (argv, io) => recoveriesCommand(['disable', ...argv], io),
  'enable-global-recoveries': (argv, io) => recoveriesCommand(['enable', ...argv], io),
  'check-global-recoveries': (argv, io) => recoveriesCommand(['check', ...argv], io),
  'register-candidate': registerCandidateCommand,
  downtime: downtimeCommand,
  audit: auditCommand,
  recovery: recoveryCommand,
};

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  readFile: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
};

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(`${usage}\n`);
    return exitCodes.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(`${usage}\n`);
    return exitCodes.ok;
  }
  const command = commands[name];
  if (!command) {
    io.err(`baton: unknown command ${JSON.stringify(name)}\n${usage}\n`);
    return exitCodes.usage;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`baton ${name}: ${error.message}\n(baton ${name} --help shows the usage)\n`);
      return exitCodes.usage;
    }
    io.err(`baton ${name}: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return exitCodes.failure;
  }
}
