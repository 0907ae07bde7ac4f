// Entry point of the recovery-executor service: analyses in (baton.analyses, group
// baton-recovery-executor) and operator commands (baton.commands, group
// baton-recovery-executor-commands); orchestrator's dead-primary recovery out — hook requests,
// recovery events, the recoveries and their steps in the backend. See start-recovery-executor.ts.
import { runService } from '@baton/runtime';
import { startRecoveryExecutor } from './start-recovery-executor.ts';

await runService({
  name: 'recovery-executor',
  // running recoveries get up to recoveryDeadlineMs to finish; the whole shutdown a little more
  shutdownDeadlineMs: 45_000,
  start: async ({ config, logger, health }) => {
    const running = await startRecoveryExecutor({ config, logger, health });
    // ready once the warm-up is over: analyses before it are not acted on
    return { stopSteps: running.stopSteps, ready: running.executor.warmUp() };
  },
});
