export { build, type BuildOptions, type RouteContext } from './app.ts';
export { startApi, type RunningApi, type StartApiOptions } from './start-api.ts';
export { apiSettings, type ApiSettings } from './settings.ts';
export type * from './ports.ts';
export { ClusterDirectory, parseInstanceHint } from './cluster-directory.ts';
export { RegistryTable, NotAttemptedBook } from './adapters/kafka-adapters.ts';
export { backendAuditReader, auditPageSize } from './adapters/backend-audit.ts';
export { redisStateReader } from './adapters/redis-state.ts';
