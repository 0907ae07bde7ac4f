/**
 * The api's Kafka side: commands out (baton.commands, keyed by cluster id), the registry followed
 * from its beginning (latest registration per cluster id; `forgotten` or a tombstone retires it),
 * and the recovery events followed from now on for the executor's `recover-not-attempted` answers.
 */
import type { Producer } from 'kafkajs';
import { createEnvelope, topics, type ClusterRegistration, type Command } from '@baton/contracts';
import type { Publisher } from '@baton/kafka';
import type { CommandPublisher, NotAttempted, RecoveryEventWatcher, RegistryReader } from '../ports.ts';
import type { FollowedTopic } from './follow-topic.ts';

export function kafkaCommandPublisher(publisher: Publisher, producer?: Producer): CommandPublisher {
  let connected = true;
  if (producer) {
    producer.on(producer.events.CONNECT, () => void (connected = true));
    producer.on(producer.events.DISCONNECT, () => void (connected = false));
  }
  return {
    async publish(key: string, command: Command, correlationId?: string) {
      const envelope = createEnvelope('command', command, { producer: 'api', ...(correlationId ? { correlationId } : {}) });
      await publisher.publish(topics.commands, key, envelope);
      return { commandId: envelope.messageId };
    },
    async ping() {
      if (!connected) throw new Error('kafka producer disconnected');
    },
  };
}

/** The registry table the follower fills (pure: tests feed it directly). */
export class RegistryTable implements RegistryReader {
  readonly #active = new Map<string, ClusterRegistration>();
  #ready: () => boolean;

  constructor(ready: () => boolean = () => true) {
    this.#ready = ready;
  }

  setReadiness(ready: () => boolean): void {
    this.#ready = ready;
  }

  apply(key: string | null, registration: ClusterRegistration | null): void {
    const id = registration?.clusterId ?? key;
    if (id === null) return;
    if (registration === null || registration.status === 'forgotten') this.#active.delete(id);
    else this.#active.set(id, registration);
  }

  registrations(): ReadonlyMap<string, ClusterRegistration> {
    return this.#active;
  }

  ready(): boolean {
    return this.#ready();
  }
}

export function registryHandler(table: RegistryTable) {
  return (key: string | null, envelope: { type: string; payload: unknown } | null): void => {
    if (envelope === null) table.apply(key, null);
    else if (envelope.type === 'cluster-registration') table.apply(key, envelope.payload as ClusterRegistration);
  };
}

/** Remembers the executor's `recover-not-attempted` answers by request id (bounded, oldest dropped first). */
export class NotAttemptedBook implements RecoveryEventWatcher {
  readonly #answers = new Map<string, NotAttempted>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  note(requestId: string, reason: string, runningRecoveryUid?: string): void {
    this.#answers.set(requestId, { reason, ...(runningRecoveryUid ? { runningRecoveryUid } : {}) });
    if (this.#answers.size > this.#max) this.#answers.delete(this.#answers.keys().next().value as string);
  }

  notAttempted(requestId: string): NotAttempted | undefined {
    return this.#answers.get(requestId);
  }
}

export function recoveryEventHandler(book: NotAttemptedBook) {
  return (_key: string | null, envelope: { type: string; payload: unknown } | null): void => {
    if (envelope?.type !== 'recovery-event') return;
    const event = envelope.payload as { step: string; message: string; details: Record<string, unknown> };
    const requestId = event.details['requestId'];
    if (event.step === 'recover-not-attempted' && typeof requestId === 'string') {
      const reason = event.details['reason'];
      const running = event.details['runningRecoveryUid'];
      book.note(requestId, typeof reason === 'string' ? reason : event.message, typeof running === 'string' && running !== '' ? running : undefined);
    }
  };
}

export type { FollowedTopic };
