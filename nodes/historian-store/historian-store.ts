// historian-store (config node): opens a TsdbStore in the data directory, registers it by
// name for the nodes, the HTTP API and the dashboard, publishes what it made durable on
// the live bus, and closes it (flushing everything) on redeploy or shutdown.
import { isAbsolute, join, normalize } from 'node:path';
import { servicesOf } from '../lib/services';
import { DEFAULT_MAX_FUTURE_MS, TsdbStore } from '../../runtime/tsdb';
import { StoreHandle } from '../../runtime/tsdb';
import type { TagLimitOptions } from '../../runtime/tsdb';
import { numberField, type NodeDef, type RED, type RedNode } from '../lib/red';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function storeDirectory(dataDir: string, dir: string): string {
  const d = normalize(dir || 'tsdb/default');
  if (isAbsolute(d) || d.startsWith('..')) throw new Error(`directory: must be a relative path inside the data directory (got "${dir}")`);
  return join(dataDir, d);
}

/** Cardinality limits from settings.js (`historian.ingest.maxTags` / `maxNewTagsPerMinute`; 0: none). */
export function tagLimitsFromSettings(historian: unknown): Partial<TagLimitOptions> {
  const ingest = (historian as { ingest?: { maxTags?: unknown; maxNewTagsPerMinute?: unknown } } | undefined)?.ingest;
  const limit = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? (v === 0 ? null : v) : undefined);
  const out: Partial<TagLimitOptions> = {};
  const total = limit(ingest?.maxTags), perMin = limit(ingest?.maxNewTagsPerMinute);
  if (total !== undefined) out.maxTags = total;
  if (perMin !== undefined) out.maxNewTagsPerMinute = perMin;
  return out;
}

/** The clock-skew limit from settings.js (`historian.ingest.maxClockSkewSeconds`, HISTORIAN_MAX_CLOCK_SKEW_S). */
export function maxClockSkewMs(historian: unknown): number {
  const v = (historian as { ingest?: { maxClockSkewSeconds?: unknown } } | undefined)?.ingest?.maxClockSkewSeconds;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v * 1000 : DEFAULT_MAX_FUTURE_MS;
}

/** historian.storage.memoryLimitMb of settings.js (HISTORIAN_MEMORY_LIMIT_MB); 0 or unset: no limit. */
function memoryLimit(historian: unknown): number | undefined {
  const v = Number((historian as { storage?: { memoryLimitMb?: unknown } } | undefined)?.storage?.memoryLimitMb);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

export default function register(RED: RED): void {
  RED.nodes.registerType('historian-store', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const svc = servicesOf(RED);
    const name = (typeof config.name === 'string' && config.name.trim()) || 'default';
    const dataDir = svc.dataDir ?? String(RED.settings.userDir ?? join(process.cwd(), 'data'));
    let unregister: (() => void) | null = null;
    let unpublish: (() => void) | null = null;
    let handle: StoreHandle;
    try {
      const retentionDays = numberField(config, 'retentionDays', 0);
      const lateLimitDays = numberField(config, 'lateLimitDays', 0);
      const fsync = config.fsync === 'always' || config.fsync === 'never' ? config.fsync : 'interval';
      const opening = TsdbStore.open({
        dir: storeDirectory(dataDir, String(config.directory ?? '')),
        retentionMs: retentionDays > 0 ? retentionDays * DAY : undefined,
        blockRangeMs: numberField(config, 'blockHours', 2) * HOUR,
        fsync,
        fsyncIntervalMs: numberField(config, 'fsyncIntervalMs', 200),
        // late data is stored (a gateway offline for a day delivers a day late); the old
        // "outOfOrderMinutes" window is no longer read: it dropped current samples after one
        // stamped in the future
        lateLimitMs: lateLimitDays > 0 ? lateLimitDays * DAY : null,
        maxFutureMs: maxClockSkewMs(RED.settings.historian),
        memoryLimitMb: memoryLimit(RED.settings.historian),
        tagLimits: tagLimitsFromSettings(RED.settings.historian),
        // below the disk watermark every write is refused whole (README "Disk pressure")
        writeGuard: () => svc.disk?.assertWritable(),
        logger: { info: (m) => node.log(m), warn: (m) => node.warn(m), error: (m) => node.error(m) },
      });
      handle = new StoreHandle(name, opening);
      (node as RedNode & { handle?: StoreHandle }).handle = handle;
      unregister = svc.components.stores.register(name, handle);
      opening.then((store) => {
        unpublish = store.onDurable((rows) => svc.live.publishRows(rows));
      }, (e) => node.error(`cannot open store "${name}": ${(e as Error).message}`));
    } catch (e) {
      node.error(e);
      return;
    }
    node.on('close', (_removed, done) => {
      unregister?.();
      handle.closed = true;
      handle.ready.then((s) => {
        unpublish?.();
        return s.close();
      }).catch((e) => node.error(`closing store "${name}": ${(e as Error).message}`)).finally(done);
    });
  });
}
