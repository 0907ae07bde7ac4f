/**
 * `baton discover HOST:PORT [--alias NAME]`: asks the detectors to discover the topology around a
 * seed and register it as a cluster. The command goes on baton.commands; the detector that takes
 * it discovers the topology and writes the registration to the compacted registry, after which the
 * owning detector probes it. (Once the api exists, this goes through it.)
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@baton/config';
import { createEnvelope, topics, type Command, type Envelope } from '@baton/contracts';
import { createProducer, createPublisher, kafkaFromConfig, topicNamesFromConfig } from '@baton/kafka';
import { silentLogger } from '@baton/logging';
import { UsageError, exitCodes, type CliIo } from './io.ts';

export const discoverUsage = `Usage: baton discover HOST:PORT [--alias NAME] [--config FILE]

Publishes a discover command: a detector discovers the whole topology around HOST:PORT (the
primary above it, every replica below) and registers it as a cluster, named NAME or, without an
alias, by its primary's host:port.

  --alias NAME    the cluster's stable id and alias
  --config FILE   Baton configuration (default: $BATON_CONFIG_FILE) for the Kafka brokers`;

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

export async function discoverCommand(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${discoverUsage}\n`);
    return exitCodes.ok;
  }
  const { envelope, configFile } = parseDiscover(argv, `cli:${process.env['USER'] ?? 'unknown'}`);
  const config = loadConfig({ env: process.env, ...(configFile ? { file: configFile } : {}) });
  const kafka = kafkaFromConfig(config.kafka, 'cli', silentLogger());
  const producer = createProducer(kafka);
  const names = topicNamesFromConfig(config.kafka);
  try {
    await producer.connect();
    const command = envelope.payload;
    const key = command.kind === 'discover' ? (command.alias ?? `${command.instance.host}:${command.instance.port}`) : 'cli';
    await createPublisher({ producer, names }).publish(topics.commands, key, envelope);
  } catch (error) {
    io.err(`baton discover: could not publish to ${names[topics.commands]} on ${config.kafka.brokers.join(',')}: ${(error as Error).message} (do the topics exist? the services create them at start)\n`);
    return exitCodes.failure;
  } finally {
    await producer.disconnect();
  }
  io.out(`discover requested for ${argv[0]} (command ${envelope.messageId})\n`);
  return exitCodes.ok;
}
