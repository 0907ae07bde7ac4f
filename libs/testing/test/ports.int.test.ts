import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { allocatePorts, isPortFree, PortAllocationError } from '../src/index.ts';

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
  // Each child holds its locks until every child has allocated (its stdin closes): a child that
  // exited early would release its ports, and a later child could then rightly take them again.
  const script = `
    import { allocatePorts } from '@baton/testing';
    const blocks = await Promise.all(Array.from({ length: 10 }, () => allocatePorts(8)));
    console.log(JSON.stringify(blocks.flatMap((b) => b.ports)));
    process.stdin.resume();
    await new Promise((r) => process.stdin.once('end', r));
  `;
  const children = Array.from({ length: 3 }, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const exited = children.map((child) => new Promise<number | null>((resolve) => child.once('exit', resolve)));
  try {
    const lines = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve, reject) => {
            let out = '';
            child.stdout.on('data', (chunk: Buffer) => {
              out += chunk.toString();
              if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
            });
            child.once('exit', (code) => reject(new Error(`allocating child exited (${code}) before printing its ports`)));
          }),
      ),
    );
    const all = lines.flatMap((line) => JSON.parse(line) as number[]);
    assert.equal(all.length, 3 * 10 * 8);
    assert.equal(new Set(all).size, all.length, 'no port handed out to two processes');
    for (const child of children) child.stdin.end();
    assert.deepEqual(await Promise.all(exited), [0, 0, 0]);
    for (const port of all) assert.equal(existsSync(`/dev/shm/baton-ports/${port}`), false, 'released at process exit');
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a port someone listens on is reported busy and never handed out', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  assert.equal(await isPortFree(port), false);
  // a range holding only that port: every attempt is refused by the bind check, and its lock given back
  await assert.rejects(allocatePorts(1, { min: port, max: port + 1, attempts: 5 }), (e: unknown) => {
    assert.ok(e instanceof PortAllocationError, String(e));
    assert.match(e.message, new RegExp(`no block of 1 free ports found in ${port}-${port + 1} after 5 attempts`));
    return true;
  });
  assert.equal(existsSync(`/dev/shm/baton-ports/${port}`), false, 'the lock of the busy port released');
});

test("a dead process's lock is cleared and the port handed out; a live process's lock is never touched", async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const lock = `/dev/shm/baton-ports/${port}`;
  const gone = spawn('true');
  await new Promise((resolve) => gone.once('exit', resolve));
  const deadPid = gone.pid as number;

  writeFileSync(lock, `${deadPid}\n`);
  const block = await allocatePorts(1, { min: port, max: port + 1, attempts: 3 });
  try {
    assert.equal(block.first, port);
    assert.equal(readFileSync(lock, 'utf8').trim(), String(process.pid));
  } finally {
    block.release();
  }

  writeFileSync(lock, `${process.ppid}\n`);
  try {
    await assert.rejects(allocatePorts(1, { min: port, max: port + 1, attempts: 3 }), PortAllocationError);
    assert.equal(readFileSync(lock, 'utf8').trim(), String(process.ppid));
    assert.deepEqual(readdirSync('/dev/shm/baton-ports').filter((f) => f.startsWith(`${port}.`)), [], 'nothing left aside');
  } finally {
    unlinkSync(lock);
  }
});
