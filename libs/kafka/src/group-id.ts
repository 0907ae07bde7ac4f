/**
 * Consumer group ids of one deployment. kafkajs' group leader assigns partitions of every topic
 * its members subscribe to, so two deployments sharing a broker must never share a group id, even
 * with different topic prefixes: every group id carries `kafka.groupIdPrefix` (default
 * deployment.name), as every topic carries the topic prefix.
 */
export interface GroupIdConfig {
  groupIdPrefix?: string | undefined;
}

/** `eu-west` or `eu-west.` with `baton-analyzer` gives `eu-west.baton-analyzer`; no prefix gives the base. */
export function consumerGroupId(config: GroupIdConfig, base: string): string {
  const prefix = (config.groupIdPrefix ?? '').replace(/\.$/, '');
  return prefix === '' ? base : `${prefix}.${base}`;
}
