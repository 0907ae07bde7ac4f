export { runService, type RunServiceOptions, type RunningService, type ServiceContext } from './run-service.ts';
export { heartbeatFile, startHeartbeat } from './heartbeat.ts';
export { runStopSteps, type StopStep } from './stop-steps.ts';
