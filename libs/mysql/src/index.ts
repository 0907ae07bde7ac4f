export { connectInstance, type InstanceConnection, type InstanceConnectOptions, type QueryOptions, type Row } from './instance-connection.ts';
export { createBackendPool, BackendDb, type BackendPoolConfig, type BackendPoolOptions, type Queryable } from './backend-pool.ts';
export { openBackend } from './open-backend.ts';
export { migrate, migrationLockName, type MigrateOptions, type MigrateResult } from './migrate.ts';
export { loadMigrations, defaultMigrationsDir, type Migration } from './migrations.ts';
export { splitSql } from './split-sql.ts';
export { toBatonError, isQueryTimeout, mysqlErrorCode } from './errors.ts';
export * from './probe/index.ts';
export * from './recovery/index.ts';
