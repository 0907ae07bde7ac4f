#!/usr/bin/env node
// Container healthcheck for the services without an HTTP port: healthy while the service's
// heartbeat file (libs/runtime) was stamped within the last 10 s. Usage: healthcheck.mjs [service]
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const service = process.argv[2] ?? process.env.BATON_SERVICE;
if (!service) {
  console.error('usage: healthcheck.mjs <service>');
  process.exit(2);
}
const file = join(process.env.BATON_HEALTH_DIR ?? join(tmpdir(), 'baton-health'), `${service}.alive`);
try {
  const ageMs = Date.now() - statSync(file).mtimeMs;
  process.exit(ageMs < 10_000 ? 0 : 1);
} catch {
  process.exit(1);
}
