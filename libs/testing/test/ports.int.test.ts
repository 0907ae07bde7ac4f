import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { allocatePorts, isPortFree } from '../src/index.ts';

const run = promisify(execFile);

test('blocks allocated at the same time in one process are disjoint, consecutive and free', async () => {
  const blocks = await Promise.all(Array.from({ length: 20 }, () => allocatePorts(5)));
  try {
    const all = blocks.flatMap((b) => b.ports);
    assert.equal(new Set(all).size, all.length, 'no port handed out twice');
    for (const b of blocks) {
      assert.deepEqual(b.ports, [b.first, b.first + 1, b.first + 2, b.first + 3, b.first + 4]);
      assert.ok(b.first >= 20_000 && b.first + 4 < 45_000);
      for (const port of b.ports) assert.equal(existsSync(`/dev/shm/baton-ports/${port}`), true, 'locked');
    }
  } finally {
    for (const b of blocks) b.release();
  }
  for (const b of blocks) for (const port of b.ports) assert.equal(existsSync(`/dev/shm/baton-ports/${port}`), false, 'released');
});

test('blocks allocated by parallel processes are disjoint', async () => {
  const script = `
    import { allocatePorts } from '@baton/testing';
    const blocks = await Promise.all(Array.from({ length: 10 }, () => allocatePorts(8)));
    console.log(JSON.stringify(blocks.flatMap((b) => b.ports)));
    await new Promise((r) => setTimeout(r, 300)); // hold the locks while the others allocate
  `;
  const outputs = await Promise.all(
    Array.from({ length: 3 }, () => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 })),
  );
  const all = outputs.flatMap((o) => JSON.parse(o.stdout) as number[]);
  assert.equal(all.length, 3 * 10 * 8);
  assert.equal(new Set(all).size, all.length, 'no port handed out to two processes');
  for (const port of all) assert.equal(existsSync(`/dev/shm/baton-ports/${port}`), false, 'released at process exit');
});

test('a port someone listens on is reported busy and never handed out', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  assert.equal(await isPortFree(port), false);
  const block = await allocatePorts(1, { min: port, max: port + 2 }).catch(() => undefined);
  assert.notEqual(block?.first, port);
  block?.release();
});
