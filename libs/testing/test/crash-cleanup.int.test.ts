import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { iptablesAvailable, isProcessAlive, sweepStaleResources, waitFor } from '../src/index.ts';

const withRule = await iptablesAvailable();
const noIptables = withRule ? false : 'iptables is not installed or not usable here (apt-get install -y iptables, as root): no cut-off rule to sweep';

test('a test process killed with SIGKILL leaves nothing running, and its dirs and rules are swept', async (t) => {
  // The child starts a topology (and a cut-off when iptables works), reports, then hangs until killed.
  const script = `
    import { startTopology } from '@baton/testing';
    const topo = await startTopology({ replicas: 1 });
    if (${withRule}) await topo.primary.cutOffFromMonitor();
    console.log(JSON.stringify({ pids: topo.instances.map((i) => i.pid), dir: topo.baseDir, port: topo.primary.port }));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const report = await waitFor(() => (out.includes('\n') ? (JSON.parse(out) as { pids: number[]; dir: string; port: number }) : null), {
    description: 'the child to start its topology',
    timeoutMs: 60_000,
  });
  // what the sweep is to remove is there first
  assert.equal(existsSync(report.dir), true);
  const rulesBefore = withRule ? execFileSync('iptables', ['-w', '-S', 'INPUT'], { encoding: 'utf8' }) : '';
  child.kill('SIGKILL');
  await exited;

  // pdeathsig: the kernel kills the servers with their parent (PID 1 then reaps the zombies).
  await waitFor(() => report.pids.every((pid) => !isProcessAlive(pid)), { description: 'the orphaned mariadbd to die', timeoutMs: 15_000 });

  // Left behind until a sweep: this one, or that of another test process making its MariaDB
  // template meanwhile (each sweeps once), which may get there first.
  await sweepStaleResources();
  assert.equal(existsSync(report.dir), false);
  await t.test('its iptables rule is swept', { skip: noIptables }, () => {
    assert.match(rulesBefore, new RegExp(`--dport ${report.port} `), 'the cut-off rule was there');
    assert.doesNotMatch(execFileSync('iptables', ['-w', '-S', 'INPUT'], { encoding: 'utf8' }), new RegExp(`--dport ${report.port} `));
  });
});
