// Entry point of the analyzer service. The foundation only validates the configuration, logs it and
// waits for a signal; the service's work loop is built on top of this in its own issue.
import { runService } from '@baton/runtime';

await runService({
  name: 'analyzer',
  start: async ({ signal }) => {
    const idle = setInterval(() => {}, 60_000);
    signal.addEventListener('abort', () => clearInterval(idle));
    return { stopSteps: [] };
  },
});
