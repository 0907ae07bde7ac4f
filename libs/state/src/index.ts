export { createRedis, waitForRedis, reconnectDelayMs, redisOptions, redisTlsOptions, scrubRedisError, type RedisConnectionConfig, type RedisTlsConfig, type ReadPemFile } from './create-redis.ts';
export { createKeys, type Keys } from './keys.ts';
export { LeaseManager, type Lease, type LeaseHolder, type LeaseLossReason, type LeaseManagerOptions } from './lease.ts';
export { setFlag, exists, pttl, clearFlag, markProcessed, type SetFlagOptions } from './flags.ts';
export { scripts, runScript, type LuaScript } from './scripts.ts';
export { formatCandidateValue, formatDowntimeValue, parseCandidateValue, parseDowntimeValue, type CandidateValue, type DowntimeValue, type Downtime } from './annotation-values.ts';
export { formatMaintenanceValue, parseMaintenanceValue, type MaintenanceValue } from './maintenance-value.ts';
