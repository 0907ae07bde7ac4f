import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from './common.ts';
import type { ClusterAnalysis } from './messages/analysis.ts';
import type { ClusterRegistration } from './messages/cluster-registration.ts';
import type { ClusterSnapshot } from './messages/cluster-snapshot.ts';
import type { Command } from './messages/command.ts';
import type { HookRequest, HookResult } from './messages/hooks.ts';
import type { ProbeRequest } from './messages/probe-request.ts';
import type { RecoveryEvent } from './messages/recovery-event.ts';
import type { MessageType } from './registry.ts';

/** The envelope every topic message wears; `payload` is checked against its type's schema separately. */
export const EnvelopeV1 = Type.Object(
  {
    type: Type.String({ minLength: 1 }),
    schemaVersion: Type.Integer({ minimum: 1 }),
    messageId: Type.String({ minLength: 1 }),
    occurredAt: Timestamp,
    producer: Type.String({ minLength: 1 }),
    correlationId: Type.Optional(Type.String({ description: 'detection id tying analysis, recovery, hooks and events together' })),
    payload: Type.Unknown(),
  },
  { additionalProperties: false, $id: 'EnvelopeV1' },
);

export interface PayloadByType {
  'cluster-registration': ClusterRegistration;
  'cluster-snapshot': ClusterSnapshot;
  'probe-request': ProbeRequest;
  analysis: ClusterAnalysis;
  command: Command;
  'hook-request': HookRequest;
  'hook-result': HookResult;
  'recovery-event': RecoveryEvent;
}

export type Envelope<T extends MessageType = MessageType> = {
  [K in T]: Omit<Static<typeof EnvelopeV1>, 'type' | 'payload'> & { type: K; payload: PayloadByType[K] };
}[T];
