// Entry point of the hook-runner service: consumes baton.hook-requests, runs the configured hooks
// and answers on baton.hook-results (see start-hook-runner.ts).
import { runService } from '@baton/runtime';
import { startHookRunner } from './start-hook-runner.ts';

await runService({
  name: 'hook-runner',
  start: async ({ config, logger, health }) => {
    const running = await startHookRunner({ config, logger, health });
    return { stopSteps: running.stopSteps };
  },
});
