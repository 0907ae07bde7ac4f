export { main, processIo, usage } from './baton.ts';
export { analysisPolicyFlags, analyzeCommand, analyzeInput, analyzePolicy, analyzeUsage, parseAnalyzeArgs, type AnalyzeOptions, type PolicyFlag } from './analyze-command.ts';
export { parseAnalysisInput, parseSnapshotDocument, type AnalysisInput } from './read-snapshot.ts';
export { UsageError, exitCodes, type CliIo } from './io.ts';
export { discoverCommand, discoverUsage, parseDiscover } from './discover-command.ts';
export { callApi, resolveTarget, apiPath, ApiCallError, ApiUnreachableError, type ApiTarget, type ApiResponse } from './api-client.ts';
