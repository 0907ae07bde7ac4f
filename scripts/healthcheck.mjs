#!/usr/bin/env node
// Container healthcheck for the services without an HTTP port, from their heartbeat files
// (libs/runtime/src/heartbeat.ts: <dir>/<deployment>/<service>-<pid>.alive).
//
//   healthcheck.mjs <service> [--deployment NAME] [--pid PID] [--max-age-ms MS] [--ready]
//
// Healthy (exit 0) when at least one running process of <service> in the deployment (default
// BATON__DEPLOYMENT__NAME; neither given: every deployment on the machine, as in a container that
// runs one) stamped its file within the limit (default 10 s), and
// none of its running processes is late: a frozen process fails the check even while another
// process of the same service stamps. Files of processes that no longer run are ignored. With
// --pid only that process is checked. --ready (a readiness probe): the processes must also have
// said they are ready (consumers joined, warm-up over). Exit 1: unhealthy or not ready (the reason
// on stderr); 2: bad usage.
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const readyFlag = args.indexOf('--ready');
const wantReady = readyFlag !== -1;
if (wantReady) args.splice(readyFlag, 1);
const deployment = option('--deployment') ?? process.env.BATON__DEPLOYMENT__NAME;
const pidArg = option('--pid');
const maxAgeMs = Number(option('--max-age-ms') ?? 10_000);
const service = args[0] ?? process.env.BATON_SERVICE;
if (!service || !Number.isFinite(maxAgeMs) || (pidArg !== undefined && !/^\d+$/.test(pidArg))) {
  console.error('usage: healthcheck.mjs <service> [--deployment NAME] [--pid PID] [--max-age-ms MS] [--ready]');
  process.exit(2);
}

const running = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

const root = process.env.BATON_HEALTH_DIR ?? join(tmpdir(), 'baton-health');
const list = (dir) => {
  try {
    return readdirSync(dir);
  } catch {
    return []; // no directory: no process of this deployment ever stamped
  }
};
// an unnamed deployment stamps under _default (libs/runtime/src/heartbeat.ts)
const dirs = deployment === undefined ? list(root).map((d) => join(root, d)) : [join(root, deployment || '_default')];
const names = dirs.flatMap((dir) => list(dir).map((name) => join(dir, name)));
const pattern = new RegExp(`^${service.replace(/[^A-Za-z0-9-]/g, '')}-(\\d+)\\.alive$`);
const now = Date.now();
const processes = names
  .map((name) => ({ name, pid: Number(pattern.exec(basename(name))?.[1]) }))
  .filter(({ pid }) => Number.isInteger(pid) && (pidArg === undefined || pid === Number(pidArg)) && running(pid))
  .map(({ name, pid }) => {
    try {
      const stamp = JSON.parse(readFileSync(name, 'utf8'));
      return { pid, ageMs: now - stamp.stampedAt, ready: stamp.ready === true };
    } catch {
      return { pid, ageMs: Number.POSITIVE_INFINITY, ready: false };
    }
  });
const late = processes.filter((p) => !(p.ageMs < maxAgeMs));
if (processes.length === 0) {
  console.error(`${service} (deployment ${deployment ?? 'any'}${pidArg ? `, pid ${pidArg}` : ''}): no running process has a heartbeat`);
  process.exit(1);
}
if (late.length > 0) {
  console.error(`${service} (deployment ${deployment ?? 'any'}): ${late.map((p) => `pid ${p.pid} last stamped ${Math.round(p.ageMs)} ms ago`).join(', ')} (limit ${maxAgeMs} ms)`);
  process.exit(1);
}
const notReady = wantReady ? processes.filter((p) => !p.ready) : [];
if (notReady.length > 0) {
  console.error(`${service} (deployment ${deployment ?? 'any'}): ${notReady.map((p) => `pid ${p.pid}`).join(', ')} not ready yet`);
  process.exit(1);
}
process.exit(0);
