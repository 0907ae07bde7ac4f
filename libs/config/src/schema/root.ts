import { Type, type Static } from '@sinclair/typebox';
import { BackendSchema, KafkaSchema, MysqlSchema, RedisSchema } from './infrastructure.ts';
import { AnalyzerSchema, ApiSchema, DetectorSchema, HooksSchema } from './services.ts';
import { RecoverySchema } from './recovery.ts';
import { DeploymentSchema, SecuritySchema } from './security.ts';
import { LoggingSchema } from './logging.ts';

export const BatonConfigSchema = Type.Object(
  {
    deployment: DeploymentSchema,
    security: SecuritySchema,
    kafka: KafkaSchema,
    redis: RedisSchema,
    backend: BackendSchema,
    mysql: MysqlSchema,
    detector: DetectorSchema,
    analyzer: AnalyzerSchema,
    api: ApiSchema,
    hooks: HooksSchema,
    recovery: RecoverySchema,
    logging: LoggingSchema,
  },
  { additionalProperties: false },
);

type Mutable = Static<typeof BatonConfigSchema>;
type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The validated, defaulted, frozen configuration every service receives. */
export type BatonConfig = DeepReadonly<Mutable>;
export type DeploymentConfig = BatonConfig['deployment'];
export type SecurityConfig = BatonConfig['security'];
export type TlsConfig = BatonConfig['redis']['tls'];
export type KafkaConfig = BatonConfig['kafka'];
export type RedisConfig = BatonConfig['redis'];
export type BackendConfig = BatonConfig['backend'];
export type MysqlConfig = BatonConfig['mysql'];
export type DetectorConfig = BatonConfig['detector'];
export type AnalyzerConfig = BatonConfig['analyzer'];
export type ApiConfig = BatonConfig['api'];
export type HooksConfig = BatonConfig['hooks'];
export type RecoveryConfig = BatonConfig['recovery'];
export type LoggingConfig = BatonConfig['logging'];
export type SeedConfig = DetectorConfig['seeds'][number];
