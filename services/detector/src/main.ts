// Entry point of the detector service: runService validates and logs the configuration, handles
// the signals and runs the stop steps; startDetector does the work (see start-detector.ts).
import { runService } from '@baton/runtime';
import { startDetector } from './start-detector.ts';

await runService({
  name: 'detector',
  start: async ({ config, logger, health }) => {
    const detector = startDetector({
      config,
      logger,
      health,
      onFatal: (error) => {
        // the registry consumer is gone for good: without ownership this process is useless
        logger.fatal({ err: error }, 'registry consumer crashed; exiting so a supervisor restarts the detector');
        void detector.stop().finally(() => process.exit(1));
      },
    });
    await detector.ready;
    return { stopSteps: [{ name: 'detector', run: () => detector.stop() }] };
  },
});
