export { main, processIo, usage } from './baton.ts';
export { analyzeCommand, analyzeUsage } from './analyze-command.ts';
export { parseSnapshotDocument } from './read-snapshot.ts';
export { UsageError, exitCodes, type CliIo } from './io.ts';
export { discoverCommand, discoverUsage, parseDiscover } from './discover-command.ts';
export { callApi, resolveTarget, apiPath, ApiCallError, ApiUnreachableError, type ApiTarget, type ApiResponse } from './api-client.ts';
