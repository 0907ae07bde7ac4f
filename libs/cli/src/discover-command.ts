/**
 * `baton discover HOST:PORT [--alias NAME]`: asks the detectors to discover the topology around a
 * seed and register it as a cluster, through the api's discover route (the api publishes the
 * command on baton.commands; the detector that takes it discovers the topology and writes the
 * registration to the compacted registry, after which the owning detector probes it).
 */
import { parseArgs } from 'node:util';
import { createEnvelope, type Command, type Envelope } from '@baton/contracts';
import { apiCommand } from './api-command.ts';
import { apiPath, callApi, messageOf } from './api-client.ts';
import { UsageError, exitCodes } from './io.ts';

export const discoverUsage = `Usage: baton discover HOST:PORT [--alias NAME] [options]

Asks the detectors to discover the whole topology around HOST:PORT (the primary above it, every
replica below) and register it as a cluster, named NAME or, without an alias, by its primary's
host:port. Prints the instance once a detector has probed it.

  --alias NAME    the cluster's stable id and alias`;

export interface DiscoverRequest {
  envelope: Envelope<'command'>;
  configFile: string | undefined;
}

/** Parses the arguments into the command to publish; throws UsageError naming what is wrong. */
export function parseDiscover(argv: readonly string[], requestedBy: string): DiscoverRequest {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { alias: { type: 'string' }, config: { type: 'string' } },
  });
  const [seed, ...extra] = positionals;
  if (seed === undefined || extra.length > 0) throw new UsageError('expected exactly one HOST:PORT');
  const match = /^(.+):(\d{1,5})$/.exec(seed);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) throw new UsageError(`HOST:PORT expected, got ${JSON.stringify(seed)}`);
  if (values.alias !== undefined && values.alias.trim() === '') throw new UsageError('--alias must not be empty');
  const command: Command = {
    kind: 'discover',
    requestedBy,
    instance: { host: match[1] as string, port },
    ...(values.alias === undefined ? {} : { alias: values.alias }),
  };
  return { envelope: createEnvelope('command', command, { producer: 'cli' }), configFile: values.config };
}

export const discoverCommand = apiCommand({
  name: 'discover',
  usage: discoverUsage,
  options: { alias: { type: 'string' } },
  positionals: [1, 1],
  async run({ positionals, values, target, io, json, printJson, user }) {
    const alias = values['alias'] === undefined ? [] : ['--alias', String(values['alias'])];
    const { envelope } = parseDiscover([positionals[0] as string, ...alias], `cli:${user}`);
    const command = envelope.payload;
    if (command.kind !== 'discover') throw new UsageError('not a discover command');
    const res = await callApi(target, apiPath('discover', command.instance.host, command.instance.port), {
      mutating: true,
      user,
      query: { alias: command.alias },
    });
    if (json) printJson(res.body);
    else io.out(`${messageOf(res)}\n`);
    return exitCodes.ok;
  },
});
