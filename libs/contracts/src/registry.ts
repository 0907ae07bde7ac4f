import type { TSchema } from '@sinclair/typebox';
import { ClusterAnalysisV1 } from './messages/analysis.ts';
import { ClusterRegistrationV1 } from './messages/cluster-registration.ts';
import { ClusterSnapshotV1 } from './messages/cluster-snapshot.ts';
import { CommandV1 } from './messages/command.ts';
import { HookRequestV1, HookResultV1 } from './messages/hooks.ts';
import { ProbeRequestV1 } from './messages/probe-request.ts';
import { RecoveryEventV1 } from './messages/recovery-event.ts';

/** Every topic of the architecture, named once. */
export const topics = {
  clusterRegistry: 'baton.cluster-registry',
  clusterSnapshots: 'baton.cluster-snapshots',
  probeRequests: 'baton.probe-requests',
  analyses: 'baton.analyses',
  commands: 'baton.commands',
  hookRequests: 'baton.hook-requests',
  hookResults: 'baton.hook-results',
  recoveryEvents: 'baton.recovery-events',
  deadLetters: 'baton.dead-letters',
} as const;
export type TopicName = (typeof topics)[keyof typeof topics];

/**
 * Message types, each with its topic and its schema per version. Adding an optional field keeps a
 * version; renaming, removing or changing a field's meaning adds the next version beside it, and
 * consumers accept every version listed here (N and N-1 during a rollout).
 */
export const messageTypes = {
  'cluster-registration': { topic: topics.clusterRegistry, current: 1, versions: { 1: ClusterRegistrationV1 } },
  'cluster-snapshot': { topic: topics.clusterSnapshots, current: 1, versions: { 1: ClusterSnapshotV1 } },
  'probe-request': { topic: topics.probeRequests, current: 1, versions: { 1: ProbeRequestV1 } },
  analysis: { topic: topics.analyses, current: 1, versions: { 1: ClusterAnalysisV1 } },
  command: { topic: topics.commands, current: 1, versions: { 1: CommandV1 } },
  'hook-request': { topic: topics.hookRequests, current: 1, versions: { 1: HookRequestV1 } },
  'hook-result': { topic: topics.hookResults, current: 1, versions: { 1: HookResultV1 } },
  'recovery-event': { topic: topics.recoveryEvents, current: 1, versions: { 1: RecoveryEventV1 } },
} as const satisfies Record<string, { topic: TopicName; current: number; versions: Record<number, TSchema> }>;

export type MessageType = keyof typeof messageTypes;

/** The message type each topic carries (the dead-letter topic carries other topics' raw bytes). */
export const topicMessageType: Readonly<Record<Exclude<TopicName, 'baton.dead-letters'>, MessageType>> = Object.fromEntries(
  Object.entries(messageTypes).map(([type, def]) => [def.topic, type]),
) as Record<Exclude<TopicName, 'baton.dead-letters'>, MessageType>;
