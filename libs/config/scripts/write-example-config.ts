/** Writes config/baton.example.yaml from the schema (see src/render-example.ts). */
import { writeFileSync } from 'node:fs';
import { renderExampleConfig } from '../src/render-example.ts';

const target = new URL('../../../config/baton.example.yaml', import.meta.url);
writeFileSync(target, renderExampleConfig());
process.stdout.write(`wrote ${target.pathname}\n`);
