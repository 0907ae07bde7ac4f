/**
 * The api's Kafka side: commands out (baton.commands, keyed by cluster id), the registry followed
 * from its beginning (latest registration per cluster id; `forgotten` or a tombstone retires it),
 * the recovery events followed from now on for the executor's `recover-not-attempted` answers,
 * and the dead letters followed from now on for the api's own commands a consumer refused.
 */
import type { Producer } from 'kafkajs';
import { createEnvelope, deadLetterHeaders, topics, type ClusterRegistration, type Command } from '@baton/contracts';
import type { Publisher } from '@baton/kafka';
import type { CommandPublisher, DeadLetterWatcher, NotAttempted, OperationAnswer, RecoveryEventWatcher, RegistryReader } from '../ports.ts';
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

  readonly #operations = new Map<string, OperationAnswer>();

  /** A topology operation's answer (the executor's `operation-result` event). */
  noteOperation(requestId: string, answer: OperationAnswer): void {
    this.#operations.set(requestId, answer);
    if (this.#operations.size > this.#max) this.#operations.delete(this.#operations.keys().next().value as string);
  }

  operationResult(requestId: string): OperationAnswer | undefined {
    return this.#operations.get(requestId);
  }
}

export function recoveryEventHandler(book: NotAttemptedBook) {
  return (_key: string | null, envelope: { type: string; payload: unknown } | null): void => {
    if (envelope?.type !== 'recovery-event') return;
    const event = envelope.payload as { step: string; message: string; details: Record<string, unknown> };
    const requestId = event.details['requestId'];
    if (event.step === 'operation-result' && typeof requestId === 'string') {
      const d = event.details;
      book.noteOperation(requestId, {
        ok: d['ok'] === true,
        refused: typeof d['refused'] === 'string' ? d['refused'] : null,
        message: event.message,
        changed: Array.isArray(d['changed']) ? (d['changed'] as string[]) : [],
        failed: Array.isArray(d['failed']) ? (d['failed'] as OperationAnswer['failed']) : [],
        instances: Array.isArray(d['instances']) ? (d['instances'] as OperationAnswer['instances']) : [],
      });
      return;
    }
    if (event.step === 'recover-not-attempted' && typeof requestId === 'string') {
      const reason = event.details['reason'];
      const running = event.details['runningRecoveryUid'];
      book.note(requestId, typeof reason === 'string' ? reason : event.message, typeof running === 'string' && running !== '' ? running : undefined);
    }
  };
}

/** The reasons of dead-lettered commands, by command id (bounded, oldest dropped first). */
export class DeadLetterBook implements DeadLetterWatcher {
  readonly #reasons = new Map<string, string>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  note(commandId: string, reason: string): void {
    this.#reasons.set(commandId, reason);
    if (this.#reasons.size > this.#max) this.#reasons.delete(this.#reasons.keys().next().value as string);
  }

  reasonFor(commandId: string): string | undefined {
    return this.#reasons.get(commandId);
  }
}

/**
 * Dead letters of this deployment's commands (the original topic header is its physical
 * baton.commands; the envelope still carries the api's signature, so only a command the api sent
 * is noted). The reason header is not signed: whoever can write to the dead-letter topic can make
 * a route answer that its command failed, never that it succeeded.
 */
export function deadLetterHandler(book: DeadLetterBook, commandsTopic: string) {
  return (_key: string | null, envelope: { type: string; messageId: string } | null, headers: Readonly<Record<string, string>>): void => {
    if (envelope?.type !== 'command' || headers[deadLetterHeaders.originalTopic] !== commandsTopic) return;
    book.note(envelope.messageId, headers[deadLetterHeaders.reason] ?? 'dead-lettered without a reason');
  };
}

export type { FollowedTopic };
