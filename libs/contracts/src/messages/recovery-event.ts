import { Type, type Static, type TLiteral, type TObject, type TUnion } from '@sinclair/typebox';
import { ClusterId, Timestamp } from '../common.ts';
import { recoverySteps, recoveryStepNames, type RecoveryStep, type RecoveryStepDetails } from './recovery-steps.ts';

export * from './recovery-steps.ts';

const RecoveryStatus = Type.Union([Type.Literal('info'), Type.Literal('started'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('blocked'), Type.Literal('skipped')]);

/** The fields every recovery event has, whatever its step. */
const eventFields = {
  recoveryUid: Type.String({ description: "the recovery's uid; '' for an event outside a recovery" }),
  clusterId: ClusterId,
  sequence: Type.Integer({ minimum: 0, description: "the step's number in its recovery (from 1); 0 outside a recovery" }),
  at: Timestamp,
  status: RecoveryStatus,
  message: Type.String(),
};
type EventFields = typeof eventFields;
type Variant<S extends RecoveryStep> = TObject<EventFields & { step: TLiteral<S>; details: (typeof recoverySteps)[S]['details'] }>;
type Variants = { [S in RecoveryStep]: Variant<S> }[RecoveryStep];

function variant<S extends RecoveryStep>(step: S): Variant<S> {
  const row = recoverySteps[step];
  return Type.Object({ ...eventFields, step: Type.Literal(step, { description: row.description }), details: row.details }, { additionalProperties: false, title: step }) as unknown as Variant<S>;
}

/**
 * One audited step of a detection or recovery; the audit trail and the alerting stream. One
 * variant per step of `recoverySteps` (recovery-steps.ts), discriminated by `step`, each with its
 * details' shape; `summary` is the one event per resolved recovery an alert acts on alone.
 */
export const RecoveryEventV1: TUnion<Variants[]> = Type.Union(recoveryStepNames.map(variant) as Variants[], { $id: 'RecoveryEventV1' });
/**
 * A recovery event, narrowed by `step` to its details' type. Details are open objects (a field the
 * table does not list is allowed, as the schema allows it), so `details.x` reads as unknown on an
 * event whose step is not narrowed yet.
 */
export type RecoveryEvent = { [S in RecoveryStep]: Omit<Static<Variant<S>>, 'details'> & { details: RecoveryStepDetails<S> & Record<string, unknown> } }[RecoveryStep];
export type RecoveryEventOf<S extends RecoveryStep> = Extract<RecoveryEvent, { step: S }>;
export type RecoveryStatus = Static<typeof RecoveryStatus>;
