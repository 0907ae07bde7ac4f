import { Type, type Static } from '@sinclair/typebox';
import { ClusterId, Timestamp } from '../common.ts';

/** One audited step of a detection or recovery; the audit trail and the alerting stream. */
export const RecoveryEventV1 = Type.Object(
  {
    recoveryUid: Type.String(),
    clusterId: ClusterId,
    sequence: Type.Integer({ minimum: 0 }),
    at: Timestamp,
    step: Type.String({ minLength: 1, description: 'e.g. detected, registered, claimed, promoted, replica-moved, resolved' }),
    status: Type.Union([Type.Literal('info'), Type.Literal('started'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('blocked'), Type.Literal('skipped')]),
    message: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false, $id: 'RecoveryEventV1' },
);
export type RecoveryEvent = Static<typeof RecoveryEventV1>;
