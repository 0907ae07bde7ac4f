import type { Logger } from '@baton/logging';

/** One step of a shutdown: stop consuming, drain, close a client… */
export interface StopStep {
  name: string;
  run: () => Promise<void> | void;
}

/** Runs the steps in order, each in its own try/catch, so one failure skips none of the rest. */
export async function runStopSteps(steps: readonly StopStep[], logger: Logger): Promise<void> {
  for (const step of steps) {
    try {
      await step.run();
    } catch (error) {
      logger.error({ err: error, step: step.name }, 'stop step failed');
    }
  }
}
