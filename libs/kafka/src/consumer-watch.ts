/**
 * A consumer group member's state from kafkajs' own events, for readiness: ready while it is in
 * its group (joined at least once since it last started), not once it stopped or crashed. A
 * rebalance keeps it ready (it rejoins by itself); a crash kafkajs restarts, or that
 * restartWhenBrokerReturns restarts, is not ready until the member joined again.
 */
import type { Consumer } from 'kafkajs';

export type ConsumerState = 'starting' | 'joined' | 'restarting' | 'crashed' | 'stopped';

export interface ConsumerWatch {
  state(): ConsumerState;
  /** null while joined; otherwise why the member is not working (a readiness check). */
  health(): string | null;
  /** Partitions held since the latest join, by physical topic. */
  assignment(): Record<string, number[]>;
}

export function watchConsumer(consumer: Consumer, what: string): ConsumerWatch {
  let state: ConsumerState = 'starting';
  let crash = '';
  let assignment: Record<string, number[]> = {};
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    state = 'joined';
    assignment = event.payload.memberAssignment;
  });
  consumer.on(consumer.events.STOP, () => {
    state = 'stopped';
    assignment = {};
  });
  // after STOP: kafkajs disconnects a crashed member before it says it crashed
  consumer.on(consumer.events.CRASH, (event) => {
    state = event.payload.restart ? 'restarting' : 'crashed';
    crash = `${event.payload.error.name}: ${event.payload.error.message}`;
    assignment = {};
  });
  const reasons: Record<Exclude<ConsumerState, 'joined'>, () => string> = {
    starting: () => `${what} has not joined its group yet`,
    restarting: () => `${what} crashed and is restarting (${crash})`,
    crashed: () => `${what} crashed (${crash})`,
    stopped: () => `${what} stopped`,
  };
  return {
    state: () => state,
    health: () => (state === 'joined' ? null : reasons[state]()),
    assignment: () => assignment,
  };
}
