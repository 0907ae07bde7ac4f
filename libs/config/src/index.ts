export { loadConfig, type LoadConfigOptions } from './load-config.ts';
export { describeConfig, redacted } from './describe-config.ts';
export { deploymentDatabase } from './deployment-defaults.ts';
export {
  normalizeHooks,
  placeholderTable,
  placeholderPattern,
  placeholderEnvName,
  placeholdersIn,
  batonEnvName,
  shellScriptArgument,
  scriptArguments,
  nestedInterpreterAt,
  type NormalizedHook,
  type PlaceholderSpec,
  type ShellScriptArgument,
} from './hooks.ts';
export { clusterAliasPattern, isClusterAlias } from './schema/services.ts';
export { envPrefix, toEnvSegment } from './env-overrides.ts';
export { legacyKeys } from './legacy-keys.ts';
export { BatonConfigSchema } from './schema/root.ts';
export { orchestratorRecoveryKeys } from './schema/recovery.ts';
export type {
  BatonConfig,
  DeploymentConfig,
  SecurityConfig,
  TlsConfig,
  KafkaConfig,
  RedisConfig,
  BackendConfig,
  MysqlConfig,
  DetectorConfig,
  AnalyzerConfig,
  ApiConfig,
  HooksConfig,
  RecoveryConfig,
  LoggingConfig,
  SeedConfig,
} from './schema/root.ts';
export { logFormats, type LogFormat } from './schema/logging.ts';
export type { HookEntry, HookObject, WebhookTarget } from './schema/hook-entry.ts';
