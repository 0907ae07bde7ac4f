// Writes docs/asyncapi.yaml: the AsyncAPI document of the topics a user may consume (asyncapi.ts).
import { writeFileSync } from 'node:fs';
import { renderAsyncApi } from './asyncapi.ts';

const file = new URL('../../../docs/asyncapi.yaml', import.meta.url);
writeFileSync(file, renderAsyncApi());
console.log('wrote docs/asyncapi.yaml');
