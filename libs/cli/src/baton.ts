/**
 * The `baton` command line. Commands are plain functions of (argv, io) returning an exit code, so
 * they run the same from bin/baton.mjs and in-process.
 */
import { readFileSync } from 'node:fs';
import { analyzeCommand } from './analyze-command.ts';
import { discoverCommand } from './discover-command.ts';
import { UsageError, exitCodes, type CliIo } from './io.ts';

export const usage = `Usage: baton COMMAND [options]

Commands:
  analyze FILE        orchestrator's replication analysis of a cluster snapshot file
  discover HOST:PORT  discover the topology around a seed and register it as a cluster

Run 'baton COMMAND --help' for a command's options.`;

const commands: Record<string, (argv: readonly string[], io: CliIo) => number | Promise<number>> = {
  analyze: analyzeCommand,
  discover: discoverCommand,
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
