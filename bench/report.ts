/** What every benchmark under bench/ shares: percentiles, the machine it ran on, the result file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Nearest-rank p50/p99 plus min, max and mean, in ms with one decimal. */
export function summarize(samples: readonly number[]): { p50: number; p99: number; min: number; max: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0);
  return {
    p50: rank(50),
    p99: rank(99),
    min: round(sorted[0] ?? 0),
    max: round(sorted[sorted.length - 1] ?? 0),
    mean: round(samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)),
  };
}

export function machine(): Record<string, string | number> {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
  };
}

/** Writes bench/results/<name>.json with the machine and time added, and prints it. */
export function writeReport(name: string, report: Record<string, unknown>): void {
  const full = { ...report, machine: machine(), measuredAt: new Date().toISOString() };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/${name}.json`, import.meta.url), `${JSON.stringify(full, null, 2)}\n`);
  console.log(JSON.stringify(full, null, 2));
}
