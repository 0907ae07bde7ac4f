import { Type, type Static } from '@sinclair/typebox';
import { ClusterId, InstanceKey, Timestamp } from '../common.ts';

/**
 * The compacted registry: one message per cluster (key = cluster id); the latest one wins.
 * `status: forgotten` retires a cluster (a later tombstone may follow for compaction).
 */
export const ClusterRegistrationV1 = Type.Object(
  {
    clusterId: ClusterId,
    alias: Type.String(),
    seeds: Type.Array(InstanceKey, { minItems: 1 }),
    status: Type.Union([Type.Literal('active'), Type.Literal('forgotten')]),
    registeredAt: Timestamp,
    registeredBy: Type.String({ description: 'discover command, config seed, or api' }),
  },
  { additionalProperties: false, $id: 'ClusterRegistrationV1' },
);
export type ClusterRegistration = Static<typeof ClusterRegistrationV1>;
