export * from './mariadb/index.ts';
export { ensureRedis, pingRedis, startRedisServer, uniqueKeyPrefix, type RedisEndpoint, type OwnedRedis, type RedisServerOptions } from './redis.ts';
export { allocatePorts, isPortFree, PortAllocationError, type PortBlock, type AllocatePortsOptions } from './ports.ts';
export { waitFor, sleep, WaitTimeoutError, type WaitForOptions } from './wait-for.ts';
export { onProcessExit, isProcessAlive } from './process-cleanup.ts';
export { ensureKafka, kafkaAnswers, testSaslEndpoint, uniqueName, type EnsureKafkaOptions, type KafkaEndpoint, type KafkaSaslEndpoint, type KafkaSaslMechanism } from './kafka.ts';
export { startServiceProcess, type ServiceProcess, type ServiceProcessOptions, type ServiceExit } from './service-process.ts';
export { startPrivateKafka, type PrivateKafka, type PrivateKafkaOptions } from './kafka-broker.ts';
export { readSample } from './prometheus.ts';
