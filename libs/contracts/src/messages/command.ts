import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ClusterId, InstanceKey, PromotionRule, Timestamp } from '../common.ts';

const command = <K extends string, P extends Record<string, TSchema>>(kind: K, props: P) =>
  Type.Object({ kind: Type.Literal(kind), requestedBy: Type.String(), ...props }, { additionalProperties: false });

const RequestId = Type.String({ minLength: 1, maxLength: 64, description: 'the answer (an operation-result event) carries it' });

const Comment = Type.String({ minLength: 1, description: 'why; required like orchestrator ?comment=' });

/** Operator commands from the api (and the CLI through it) to the services. */
export const CommandV1 = Type.Union(
  [
    command('discover', { instance: InstanceKey, alias: Type.Optional(Type.String()) }),
    command('forget', { clusterId: ClusterId }),
    command('recover', {
      clusterId: ClusterId,
      instance: InstanceKey,
      candidate: Type.Optional(InstanceKey),
      skipProcesses: Type.Boolean(),
      commandHint: Type.Union([Type.Literal(''), Type.Literal('force-master-failover'), Type.Literal('force-master-takeover'), Type.Literal('graceful-master-takeover'), Type.Literal('graceful-master-takeover-auto')]),
      requestId: Type.String({ minLength: 1 }),
    }),
    command('ack-recoveries', {
      scope: Type.Union([Type.Literal('cluster'), Type.Literal('instance'), Type.Literal('uid'), Type.Literal('all')]),
      clusterId: Type.Optional(ClusterId),
      instance: Type.Optional(InstanceKey),
      uid: Type.Optional(Type.String()),
      comment: Comment,
    }),
    command('register-candidate', { clusterId: ClusterId, instance: InstanceKey, promotionRule: PromotionRule }),
    command('begin-downtime', {
      clusterId: ClusterId,
      instance: InstanceKey,
      owner: Type.String({ minLength: 1 }),
      reason: Type.String({ minLength: 1 }),
      endsAt: Timestamp,
    }),
    command('end-downtime', { clusterId: ClusterId, instance: InstanceKey }),
    command('disable-global-recoveries', {}),
    command('enable-global-recoveries', {}),
    // topology operations (orchestrator's relocate, move-up, set-read-only, maintenance): the
    // executor answers each with an `operation-result` recovery event carrying the requestId
    command('relocate', { clusterId: ClusterId, instance: InstanceKey, below: InstanceKey, requestId: RequestId }),
    command('relocate-replicas', { clusterId: ClusterId, instance: InstanceKey, below: InstanceKey, requestId: RequestId }),
    command('move-up', { clusterId: ClusterId, instance: InstanceKey, requestId: RequestId }),
    command('set-read-only', { clusterId: ClusterId, instance: InstanceKey, force: Type.Boolean(), requestId: RequestId }),
    command('set-writeable', { clusterId: ClusterId, instance: InstanceKey, force: Type.Boolean(), requestId: RequestId }),
    command('begin-maintenance', {
      clusterId: ClusterId,
      instance: InstanceKey,
      owner: Type.String({ minLength: 1 }),
      reason: Type.String({ minLength: 1 }),
      endsAt: Timestamp,
      requestId: RequestId,
    }),
    command('end-maintenance', { clusterId: ClusterId, instance: InstanceKey, requestId: RequestId }),
  ],
  { $id: 'CommandV1' },
);
export type Command = Static<typeof CommandV1>;
export type CommandKind = Command['kind'];
