export { runService, type RunServiceOptions, type RunningService, type ServiceContext } from './run-service.ts';
export { heartbeatDeployment, heartbeatFile, heartbeatRoot, startHeartbeat, type Heartbeat } from './heartbeat.ts';
export { runStopSteps, type StopStep } from './stop-steps.ts';
