// Entry point of the analyzer service: snapshots in (baton.cluster-snapshots, consumer group
// analyzer.consumerGroup), orchestrator's analysis out (baton.analyses), latest snapshot cached in
// Redis for the api, analysis change log in the backend. See start-analyzer.ts.
import { runService } from '@baton/runtime';
import { startAnalyzer } from './start-analyzer.ts';

await runService({
  name: 'analyzer',
  start: async ({ config, logger, health }) => {
    const running = await startAnalyzer(config, logger, { health });
    return { stopSteps: running.stopSteps };
  },
});
