import { Type, type Static } from '@sinclair/typebox';
import { ClusterId, InstanceKey } from '../common.ts';

/** An emergent re-read: the detector probes these instances (or the whole cluster) now and publishes a snapshot. */
export const ProbeRequestV1 = Type.Object(
  {
    clusterId: ClusterId,
    instances: Type.Array(InstanceKey, { description: 'empty = the whole cluster' }),
    reason: Type.String({ minLength: 1 }),
    requestedBy: Type.String(),
  },
  { additionalProperties: false, $id: 'ProbeRequestV1' },
);
export type ProbeRequest = Static<typeof ProbeRequestV1>;
