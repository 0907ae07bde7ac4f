export { main, processIo, usage } from './baton.ts';
export { analyzeCommand, analyzeUsage } from './analyze-command.ts';
export { parseSnapshotDocument } from './read-snapshot.ts';
export { UsageError, exitCodes, type CliIo } from './io.ts';
