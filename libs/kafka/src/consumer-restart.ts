/**
 * kafkajs gives up on a consumer for good when it cannot find its group coordinator, and it
 * cannot while every broker refuses connections: a member that (re)joins its group during a
 * broker restart crashes with KafkaJSGroupCoordinatorNotFound, "not retriable", and is never
 * restarted. For Baton that is a detector or an executor that silently stops working after the
 * broker comes back. A crash whose cause is the broker being away is restarted here instead, with
 * capped back-off, until the member is stopped.
 */
import type { Consumer } from 'kafkajs';
import type { Logger } from '@baton/logging';

const brokerAway = new Set([
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSRequestTimeoutError',
]);

/** True when `error` or any error in its cause chain says the broker could not be reached. */
export function isBrokerAway(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (brokerAway.has((e as { name?: string }).name ?? '')) return true;
  }
  return false;
}

export interface CrashRestarter {
  /** Call from the CRASH listener when kafkajs will not restart: true when a restart was scheduled. */
  crashed(error: Error): boolean;
  /** Call on GROUP_JOIN: the back-off starts over. */
  joined(): void;
}

export function restartWhenBrokerReturns(options: { consumer: Consumer; run: () => Promise<void>; logger: Logger; stopping: () => boolean }): CrashRestarter {
  let attempt = 0;
  const schedule = (): void => {
    const delayMs = Math.min(200 * 2 ** attempt, 5000);
    attempt += 1;
    setTimeout(() => {
      if (options.stopping()) return;
      void (async () => {
        try {
          await options.consumer.connect();
          await options.run();
        } catch (error) {
          options.logger.warn({ err: error, attempt }, 'consumer restart failed, trying again');
          if (!options.stopping()) schedule();
        }
      })();
    }, delayMs).unref();
  };
  return {
    crashed(error) {
      if (options.stopping() || !isBrokerAway(error)) return false;
      options.logger.warn({ err: error, attempt }, 'consumer crashed while the broker was away; restarting it');
      schedule();
      return true;
    },
    joined() {
      attempt = 0;
    },
  };
}
