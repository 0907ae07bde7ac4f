// Writes one JSON Schema file per message type and version to libs/contracts/schemas/, plus the envelope.
// Users write topology files against cluster-snapshot.v1.schema.json; a unit test keeps the files current.
import { writeFileSync, mkdirSync } from 'node:fs';
import { jsonSchemaFiles } from '../src/json-schemas.ts';

const dir = new URL('../schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemaFiles())) {
  writeFileSync(new URL(name, dir), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schemas/${name}`);
}
