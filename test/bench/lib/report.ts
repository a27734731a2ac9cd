// One schema for every benchmark's JSON (see README "Benchmarks"):
// {"bench", "when", "node", "cpus", "metrics": [{name, value, unit, better, target, baseline}]}
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';

export interface Metric {
  name: string;
  value: number;
  unit: string;
  better: 'higher' | 'lower';
  target: number | null;
  baseline: { name: string; value: number } | null;
}

export interface BenchReport {
  bench: string;
  when: string;
  node: string;
  cpus: number;
  metrics: Metric[];
}

export const RESULTS_DIR = resolve(__dirname, '..', 'results');

/** A metric misses its target when it is on the wrong side of it. */
export function missesTarget(m: Metric): boolean {
  if (m.target === null) return false;
  return m.better === 'higher' ? m.value < m.target : m.value > m.target;
}

export function metric(
  name: string, value: number, unit: string, better: 'higher' | 'lower',
  target: number | null = null, baseline: { name: string; value: number } | null = null,
): Metric {
  if (!Number.isFinite(value)) throw new Error(`metric ${name}: value is not finite (${value})`);
  return { name, value, unit, better, target, baseline };
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(4)).toString();
}

/** Writes test/bench/results/<bench>.json and prints a summary; returns the report. */
export function writeReport(bench: string, metrics: Metric[]): BenchReport {
  const report: BenchReport = {
    bench, when: new Date().toISOString(), node: process.version, cpus: cpus().length, metrics,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${bench}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  const lines = [`\n== bench ${bench} (${report.node}, ${report.cpus} cpus) ==`];
  for (const m of metrics) {
    const target = m.target === null ? '' : ` target ${m.better === 'higher' ? '>=' : '<='} ${fmt(m.target)}`;
    const base = m.baseline ? ` (baseline ${m.baseline.name}: ${fmt(m.baseline.value)})` : '';
    const miss = missesTarget(m) ? '  <-- MISSES TARGET' : '';
    lines.push(`  ${m.name.padEnd(44)} ${fmt(m.value).padStart(14)} ${m.unit}${target}${base}${miss}`);
  }
  lines.push(`  -> ${file}`);
  console.log(lines.join('\n'));
  return report;
}
