/**
 * Health reflects the deployment and the process: real processes stamp their heartbeat files,
 * one is frozen with SIGSTOP, and scripts/healthcheck.mjs (what the containers run) is asked
 * about each. Processes, not timers in this one, so that a frozen event loop is a real one.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@baton/testing';
import { heartbeatFile, startHeartbeat } from '../src/heartbeat.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const stamp = fileURLToPath(new URL('./fixtures/stamp.ts', import.meta.url));

// Every stamping process of a test, ended (and waited for) before its directory is removed: a
// process still stamping would refill the directory under rmSync.
function stampers(t: TestContext, dir: string): (deployment: string, ready?: 'ready') => Promise<ChildProcess> {
  const children: ChildProcess[] = [];
  t.after(async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  });
  return (deployment, ready) => {
    const child = spawn(process.execPath, ['--import', 'tsx', stamp, 'recovery-executor', deployment, ...(ready ? [ready] : [])], { cwd: root, env: { ...process.env, BATON_HEALTH_DIR: dir }, stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.stdout?.once('data', () => resolve(child));
    });
  };
}

const check = (dir: string, ...args: string[]): { healthy: boolean; why: string } => {
  const result = spawnSync(process.execPath, [join(root, 'scripts/healthcheck.mjs'), 'recovery-executor', '--max-age-ms', '3000', ...args], { env: { ...process.env, BATON_HEALTH_DIR: dir }, encoding: 'utf8' });
  return { healthy: result.status === 0, why: result.stderr.trim() };
};

test('a frozen executor fails its own check within the heartbeat limit, whatever else stamps on the machine', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-health-test-'));
  const stamper = stampers(t, dir);
  const [a1, a2, b] = await Promise.all([stamper('blue'), stamper('blue'), stamper('green')]);
  assert.ok(a1.pid && a2.pid && b.pid);
  assert.equal(check(dir, '--deployment', 'blue').healthy, true);
  assert.equal(check(dir, '--deployment', 'green').healthy, true);
  assert.deepEqual(check(dir, '--deployment', 'red'), { healthy: false, why: 'recovery-executor (deployment red): no running process has a heartbeat' });

  a1.kill('SIGSTOP');
  const frozenAt = Date.now();
  const failed = await waitFor(() => (check(dir, '--deployment', 'blue').healthy ? undefined : Date.now() - frozenAt), { description: 'the frozen process fails the check', timeoutMs: 10_000, intervalMs: 100 });
  t.diagnostic(`blue's check failed ${failed} ms after SIGSTOP (limit 3000 ms)`);
  assert.match(check(dir, '--deployment', 'blue').why, new RegExp(`pid ${a1.pid} last stamped \\d+ ms ago`));
  assert.equal(check(dir, '--deployment', 'blue', '--pid', String(a1.pid)).healthy, false, 'its own check fails');
  assert.equal(check(dir, '--deployment', 'blue', '--pid', String(a2.pid)).healthy, true, 'the other blue process is still healthy by itself');
  assert.equal(check(dir, '--deployment', 'green').healthy, true, 'another deployment on the machine is unaffected, and does not hide it');

  a1.kill('SIGCONT');
  await waitFor(() => check(dir, '--deployment', 'blue').healthy, { description: 'healthy again once it runs', timeoutMs: 10_000, intervalMs: 100 });
  a1.kill('SIGKILL');
  await new Promise((resolve) => a1.once('exit', resolve));
  assert.equal(check(dir, '--deployment', 'blue').healthy, true, 'a process that is gone no longer counts; the live one does');
  a2.kill('SIGKILL');
  await new Promise((resolve) => a2.once('exit', resolve));
  assert.equal(check(dir, '--deployment', 'blue').healthy, false, 'no live process: unhealthy');
});

test('without a deployment named, the check covers every deployment on the machine (a container runs one)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-health-test-'));
  const stamper = stampers(t, dir);
  const [unnamed, named] = await Promise.all([stamper('-'), stamper('blue')]);
  assert.equal(check(dir).healthy, true);
  assert.equal(check(dir, '--deployment', '').healthy, true, 'the unnamed deployment by itself');
  named.kill('SIGSTOP');
  await waitFor(() => !check(dir).healthy, { description: 'any late process fails the unqualified check', timeoutMs: 10_000, intervalMs: 100 });
  assert.equal(check(dir, '--deployment', '').healthy, true);
  named.kill('SIGCONT');
  assert.ok(unnamed.pid);
});

test('readiness: --ready passes only when every running process of the service said it is ready', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-health-test-'));
  const stamper = stampers(t, dir);
  const [starting, ready] = await Promise.all([stamper('blue'), stamper('blue', 'ready')]);
  assert.equal(check(dir, '--deployment', 'blue').healthy, true, 'both alive');
  assert.deepEqual(check(dir, '--deployment', 'blue', '--ready'), { healthy: false, why: `recovery-executor (deployment blue): pid ${starting.pid} not ready yet` });
  assert.equal(check(dir, '--deployment', 'blue', '--ready', '--pid', String(ready.pid)).healthy, true, 'the ready one by itself');
  starting.kill('SIGKILL');
  await new Promise((resolve) => starting.once('exit', resolve));
  assert.equal(check(dir, '--deployment', 'blue', '--ready').healthy, true, 'only ready processes left');
});

test('the stamp\'s ready flag follows the readiness checks once marked ready, and goes back when they fail', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-health-'));
  let ok = false;
  const heartbeat = startHeartbeat('analyzer', 'ready-flag', 50, () => ok, dir);
  t.after(() => {
    heartbeat.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const ready = (): boolean => (JSON.parse(readFileSync(heartbeatFile('analyzer', 'ready-flag', process.pid, dir), 'utf8')) as { ready: boolean }).ready;
  assert.equal(ready(), false, 'not marked ready yet');
  ok = true;
  assert.equal(ready(), false, 'checks passing are not enough before the service said it is ready');
  heartbeat.markReady();
  assert.equal(ready(), true);
  ok = false; // e.g. a consumer stopped
  await waitFor(() => !ready(), { description: 'the stamp says not ready', timeoutMs: 5000 });
  ok = true;
  await waitFor(() => ready(), { description: 'the stamp says ready again', timeoutMs: 5000 });
  assert.ok(Date.now() - heartbeat.lastStampAt() < 5000, 'lastStampAt: the latest stamp');
  heartbeat.stop();
  assert.equal(heartbeat.lastStampAt(), 0, 'stopped: no stamp');
});
