/** Start-up path for a service that uses the backend database: migrate, then open the pool. */
import type { Logger } from '@baton/logging';
import { BackendDb, createBackendPool, type BackendPoolConfig } from './backend-pool.ts';
import { migrate, type MigrateResult } from './migrate.ts';

export interface OpenBackendConfig extends BackendPoolConfig {
  migrationLockTimeoutSeconds: number;
}

export async function openBackend(config: OpenBackendConfig, logger: Logger): Promise<{ db: BackendDb; migrated: MigrateResult }> {
  const bootstrap = createBackendPool({ ...config, connectionLimit: 1 }, { logger, database: null });
  let migrated: MigrateResult;
  try {
    migrated = await migrate(bootstrap, {
      database: config.database,
      logger,
      lockTimeoutSeconds: config.migrationLockTimeoutSeconds,
    });
  } finally {
    await bootstrap.end();
  }
  logger.info({ database: config.database, version: migrated.current, applied: migrated.applied }, 'backend schema ready');
  const pool = createBackendPool(config, { logger });
  return { db: new BackendDb(pool, config), migrated };
}
