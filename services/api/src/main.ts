// Entry point of the api service: orchestrator's failover routes over HTTP (api.host:api.port,
// under api.urlPrefix/api), commands out to baton.commands, reads from Redis and the backend.
// See start-api.ts.
import { runService } from '@baton/runtime';
import { startApi } from './start-api.ts';

await runService({
  name: 'api',
  start: async ({ config, logger, health }) => {
    const running = await startApi(config, logger, { health });
    return { stopSteps: running.stopSteps };
  },
});
