/**
 * What the detector takes from the configuration (pure). Probe settings come from
 * @baton/mysql's proberSettingsFromConfig (timeouts capped below the poll interval); discovery,
 * which runs once per registration, reads with the longer operation timeout (orchestrator's
 * MySQLDiscoveryReadTimeoutSeconds plays that part).
 */
import type { BatonConfig } from '@baton/config';
import type { InstanceKey } from '@baton/contracts';
import { topicNamesFromConfig, type TopicNames } from '@baton/kafka';
export { topicNamesFromConfig } from '@baton/kafka';
import { proberSettingsFromConfig, type ProberSettings } from '@baton/mysql';

export type DetectorConfigSections = Pick<BatonConfig, 'detector' | 'mysql' | 'recovery' | 'kafka' | 'redis' | 'security' | 'deployment'>;

export const defaultGroupId = 'baton-detector';
export const defaultCommandsGroupId = 'baton-detector-commands';

export interface DiscoverySettings {
  credentials: { user: string; password: string };
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

export interface DetectorSettings {
  names: TopicNames;
  prober: ProberSettings;
  discovery: DiscoverySettings;
  maxConcurrentProbes: number;
  /** detector.unseenInstanceForgetHours in ms (0 = never). */
  forgetUnseenAfterMs: number;
  seeds: Array<{ seed: InstanceKey; alias?: string }>;
  keyPrefix: string | undefined;
}


export function discoverySettingsFromConfig(config: Pick<BatonConfig, 'mysql'>): DiscoverySettings {
  return {
    credentials: { user: config.mysql.user, password: config.mysql.password },
    connectTimeoutMs: config.mysql.connectTimeoutMs,
    queryTimeoutMs: Math.max(config.mysql.probeTimeoutMs, config.mysql.operationTimeoutMs),
  };
}

export function detectorSettings(config: DetectorConfigSections): DetectorSettings {
  return {
    names: topicNamesFromConfig(config.kafka),
    prober: proberSettingsFromConfig(config),
    discovery: discoverySettingsFromConfig(config),
    maxConcurrentProbes: config.detector.maxConcurrentProbes,
    forgetUnseenAfterMs: config.detector.unseenInstanceForgetHours * 3_600_000,
    seeds: config.detector.seeds.map((s) => ({ seed: { host: s.host, port: s.port }, ...(s.alias === undefined ? {} : { alias: s.alias }) })),
    keyPrefix: config.redis.keyPrefix,
  };
}

/** "host:port" (or "[v6]:port", or "host" for 3306) → an instance key; RangeError when malformed. */
export function parseInstanceKey(text: string, defaultPort = 3306): InstanceKey {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  const plain = /^([^:\s]+)(?::(\d+))?$/.exec(trimmed);
  const match = bracketed ?? plain;
  if (!match) throw new RangeError(`not an instance (host:port): ${JSON.stringify(text)}`);
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`bad port in ${JSON.stringify(text)}`);
  return { host: match[1] as string, port };
}
