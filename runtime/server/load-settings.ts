// Loads the distribution's settings.js (or the file named by HISTORIAN_SETTINGS) and
// validates our `historian` section, so a bad option stops start-up with its name.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

export const historianConfigSchema = z.object({
  dataDir: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1),
  demoFlow: z.string(),
  shutdownTimeoutMs: z.number().int().positive(),
  nats: z.object({
    url: z.string(), user: z.string(), password: z.string(), token: z.string(), nkeySeed: z.string(), credsFile: z.string(),
    caFile: z.string(), certFile: z.string(), keyFile: z.string(), tls: z.boolean(),
  }).partial(),
  mqtt: z.object({ url: z.string(), username: z.string(), password: z.string(), caFile: z.string(), certFile: z.string(), keyFile: z.string() }).partial(),
  tls: z.object({
    mode: z.enum(['off', 'files', 'self-signed']),
    certFile: z.string(),
    keyFile: z.string(),
    hostnames: z.string(),
    redirectPort: z.number().int().min(0).max(65535),
    hstsMaxAge: z.number().int().min(0),
  }).partial().default({}),
  s3: z.object({ endpoint: z.string(), region: z.string(), bucket: z.string(), prefix: z.string(), forcePathStyle: z.boolean() }).partial(),
  ingest: z.object({
    samplesPerSecond: z.number().positive(),
    maxClockSkewSeconds: z.number().int().nonnegative().default(300),
    /** cardinality limits (README "Limits"); 0: no limit */
    maxTags: z.number().int().nonnegative().default(250_000),
    maxNewTagsPerMinute: z.number().int().nonnegative().default(20_000),
    maxNewTagsPerTokenPerMinute: z.number().int().nonnegative().default(10_000),
    maxTagsPerToken: z.number().int().nonnegative().default(100_000),
  }).default({ samplesPerSecond: 500_000, maxClockSkewSeconds: 300, maxTags: 250_000, maxNewTagsPerMinute: 20_000, maxNewTagsPerTokenPerMinute: 10_000, maxTagsPerToken: 100_000 }),
  /** Low-space watermark of the data disk (README "Disk pressure"); 0 switches one bound off. */
  disk: z.object({ minFreePercent: z.number().min(0).max(99), minFreeMb: z.number().min(0) }).partial().default({}),
  /** Built-in system alarms (runtime/health): thresholds and how often health is checked. */
  systemAlarms: z.object({
    bufferPending: z.number().int().min(0),
    bufferFailed: z.number().int().min(0),
    diskFreePercent: z.number().min(0).max(100),
    deviceDownSeconds: z.number().positive(),
    intervalMs: z.number().int().min(100),
  }).partial().default({}),
  /** Central fleet view (README "Scaling out"): watch gateway heartbeats on sys.gateway.*.health. */
  fleet: z.object({
    monitor: z.boolean(),
    offlineAfterSeconds: z.number().positive(),
    backlogGrowthSeconds: z.number().positive(),
  }).partial().default({}),
  /** Scheduled backups (README "Backup and restore"): an archive every `everyHours` into `dir`, the newest `keep` kept; no `dir`: none. */
  backup: z.object({ dir: z.string(), everyHours: z.number().int().min(1).max(8760), keep: z.number().int().min(1).max(1000) }).partial().default({}),
  /** Flow versions kept in <dataDir>/flow-versions (runtime/flow-versions). */
  flowVersions: z.object({ keep: z.number().int().min(1) }).partial().default({}),
  /** Heap pages V8 keeps after a burst, given back past this many MiB (runtime/platform/heap-trim.ts); 0: never. */
  process: z.object({ heapTrimMb: z.number().int().min(0) }).partial().default({}),
  storage: z.object({ memoryLimitMb: z.number().int().refine((v) => v === 0 || v >= 8, 'must be 0 (no limit) or at least 8') }).partial().default({}),
  security: z.object({
    adminPassword: z.string(),
    sessionIdleMinutes: z.number().int().positive(),
    sessionMaxHours: z.number().int().positive(),
    argon2MemoryKiB: z.number().int().min(7168).max(1_048_576),
    argon2Passes: z.number().int().min(1).max(100),
    bcryptCost: z.number().int().min(12).max(31),
    requireSignedDeploys: z.boolean(),
    trustProxy: z.string(),
  }).partial(),
});

export type HistorianConfig = z.infer<typeof historianConfigSchema>;

export interface LoadedSettings {
  file: string;
  /** the Node-RED settings object (also holds `historian`) */
  red: Record<string, any>;
  historian: HistorianConfig;
}

/** The distribution's root (where package.json and settings.js are), from src or dist. */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'historian') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the historian package root above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);

export function loadSettings(file = process.env.HISTORIAN_SETTINGS || resolve(PACKAGE_ROOT, 'settings.js')): LoadedSettings {
  const path = resolve(file);
  delete require.cache[path];
  const red = require(path) as Record<string, any>;
  const parsed = historianConfigSchema.safeParse(red.historian);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${path}: historian.${i.path.join('.')}: ${i.message}`);
  }
  return { file: path, red, historian: parsed.data };
}
