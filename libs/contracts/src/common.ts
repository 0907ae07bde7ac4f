import { Type, type Static } from '@sinclair/typebox';

/** ISO-8601 timestamp with milliseconds, always UTC (`2026-11-26T19:30:00.123Z`). */
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC timestamp' });

export const Host = Type.String({ minLength: 1, maxLength: 255, description: 'hostname or IP as reported by the server' });
export const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const InstanceKey = Type.Object(
  { host: Host, port: Port },
  { additionalProperties: false, description: 'an instance is identified by host and port' },
);
export type InstanceKey = Static<typeof InstanceKey>;

export const ClusterId = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'stable cluster id (an alias or the first primary host:port); survives failovers',
});

/** Orchestrator's promotion rules, best first. */
export const promotionRules = ['must', 'prefer', 'neutral', 'prefer_not', 'must_not'] as const;
export const PromotionRule = Type.Union(promotionRules.map((r) => Type.Literal(r)));
export type PromotionRule = Static<typeof PromotionRule>;

export function instanceId(key: InstanceKey): string {
  return `${key.host}:${key.port}`;
}

/** `host:port` back into its key (the last colon splits, so an IPv6 host keeps its own). */
export function parseInstanceId(id: string): InstanceKey {
  const cut = id.lastIndexOf(':');
  return { host: id.slice(0, cut), port: Number(id.slice(cut + 1)) };
}
