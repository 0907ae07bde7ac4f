import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; command?: string[]; healthcheck?: { test?: unknown }; depends_on?: Record<string, unknown>; volumes?: string[] }>;
};

const required = ['kafka', 'redis', 'mysql-primary', 'mysql-replica-1', 'mysql-replica-2', 'backend-db', 'detector', 'analyzer', 'recovery-executor', 'hook-runner', 'api'];

test('docker-compose.yml defines every dependency and every Baton service', () => {
  assert.deepEqual(required.filter((s) => !(s in compose.services)), []);
});

test('every compose service has a healthcheck and depends only on defined services', () => {
  for (const [name, svc] of Object.entries(compose.services)) {
    assert.ok(svc.healthcheck?.test, `${name} has no healthcheck`);
    assert.ok(svc.image, `${name} has no image`);
    for (const dep of Object.keys(svc.depends_on ?? {})) assert.ok(dep in compose.services, `${name} depends on unknown ${dep}`);
  }
});

test('files mounted into compose services and service entry points exist', () => {
  for (const [name, svc] of Object.entries(compose.services)) {
    for (const volume of svc.volumes ?? []) {
      const source = volume.split(':')[0] ?? '';
      if (source.startsWith('./')) assert.ok(existsSync(new URL(source.slice(2), root)), `${name} mounts missing ${source}`);
    }
    const entry = svc.command?.find((c) => c.endsWith('.ts'));
    if (entry) assert.ok(existsSync(new URL(entry, root)), `${name} runs missing ${entry}`);
  }
});

test('replicas replicate by GTID from the primary', () => {
  const init = readFileSync(new URL('infra/compose/replica-init.sql', root), 'utf8');
  assert.match(init, /MASTER_USE_GTID\s*=\s*slave_pos/);
  assert.match(init, /MASTER_HOST\s*=\s*'mysql-primary'/);
});

test('the configuration files shipped for compose and the sandbox are valid', async () => {
  const { loadConfig } = await import('@baton/config');
  for (const file of ['config/docker.yaml', 'config/sandbox.yaml']) {
    assert.doesNotThrow(() => loadConfig({ file: new URL(file, root).pathname, env: {} }), file);
  }
});
