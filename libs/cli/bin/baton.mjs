#!/usr/bin/env node
// The `baton` command (`npx baton …` at the repository root). The sources are TypeScript run
// without a build step: tsx's loader is registered in this process, then the CLI is imported.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/baton.ts');
process.exitCode = await main(process.argv.slice(2));
