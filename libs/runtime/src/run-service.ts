import { loadConfig, describeConfig, type BatonConfig } from '@baton/config';
import { ConfigError } from '@baton/errors';
import { createLogger, type Logger } from '@baton/logging';
import { createServiceHealth, type ServiceHealth } from '@baton/metrics';
import { startHeartbeat } from './heartbeat.ts';
import { runStopSteps, type StopStep } from './stop-steps.ts';

export interface ServiceContext {
  config: BatonConfig;
  logger: Logger;
  /** Aborted when shutdown starts: loops stop taking new work. */
  signal: AbortSignal;
  /**
   * The process's health: live while the heartbeat stamps, ready once the service started and its
   * `ready` resolved, until shutdown. The service adds its own readiness checks (its consumers, its
   * warm-up) and serves it with its metrics (GET /health/live, /health/ready).
   */
  health: ServiceHealth;
}

/** What a started service hands back: how to stop it, step by step, each step on its own. */
export interface RunningService {
  stopSteps: StopStep[];
  /** Resolves when the service is ready for work beyond its start (the executor's warm-up); default: at once. */
  ready?: Promise<void>;
}

export interface RunServiceOptions {
  name: string;
  start: (context: ServiceContext) => Promise<RunningService>;
  /** Deadline for the whole shutdown; past it the process exits anyway. */
  shutdownDeadlineMs?: number;
}

const heartbeatEveryMs = 2000;
/** Live while the heartbeat stamped within this (three stamps). */
const heartbeatStaleMs = 3 * heartbeatEveryMs;

/**
 * The one entry-point shape every service uses: validate the configuration (exit 2 naming every
 * bad key), log it with secrets redacted, start, stamp a heartbeat (ready once the service is), and on SIGINT/SIGTERM run the
 * service's stop steps in order — each in its own try/catch so one failure skips none of the rest.
 */
export async function runService(options: RunServiceOptions): Promise<void> {
  // JSON until the configuration says otherwise (logging.format): a bad configuration is logged as JSON
  const bootLogger = createLogger({ service: options.name });
  let config: BatonConfig;
  try {
    config = loadConfig({ env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      bootLogger.fatal({ issues: error.issues }, 'configuration invalid');
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger: Logger = config.logging.format === 'json' ? bootLogger : createLogger({ service: options.name, format: config.logging.format });
  // the whole configuration (secrets redacted) at debug: a 2-4 KB dump does not open every info log
  logger.info({ deployment: config.deployment.name ?? null }, 'starting');
  logger.debug({ config: describeConfig(config) }, 'configuration');
  const controller = new AbortController();
  let running: RunningService = { stopSteps: [] };
  let closing: Promise<void> | undefined;
  const health = createServiceHealth(options.name);
  const service = health.gate('service', 'starting');
  const heartbeat = startHeartbeat(options.name, config.deployment.name, heartbeatEveryMs, () => health.ready().ok);
  health.liveness('heartbeat', () => {
    const at = heartbeat.lastStampAt();
    if (at === 0) return 'heartbeat stopped (shutting down)';
    const age = Date.now() - at;
    return age > heartbeatStaleMs ? `heartbeat last stamped ${age} ms ago` : null;
  });

  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      logger.info({ reason }, 'stopping');
      controller.abort(reason);
      service.close('shutting down');
      heartbeat.stop();
      const deadline = setTimeout(() => {
        logger.error({ deadlineMs: options.shutdownDeadlineMs ?? 15000 }, 'shutdown deadline passed; exiting');
        process.exit(1);
      }, options.shutdownDeadlineMs ?? 15000);
      deadline.unref();
      await runStopSteps(running.stopSteps, logger);
      logger.info('stopped');
    })();
    return closing;
  };
  process.once('SIGINT', () => void shutdown('SIGINT').then(() => process.exit(0)));
  process.once('SIGTERM', () => void shutdown('SIGTERM').then(() => process.exit(0)));

  try {
    running = await options.start({ config, logger, signal: controller.signal, health });
    logger.info('started');
    await running.ready;
    if (!closing) {
      service.open();
      heartbeat.markReady();
      logger.info('ready');
    }
  } catch (error) {
    logger.fatal({ err: error }, 'start failed');
    await shutdown('start failed');
    process.exit(1);
  }
}
