// tier-mover: moves a store's old blocks to an S3-compatible bucket on a schedule or when
// a message arrives, and registers itself for GET /api/v1/tiers. Credentials come from the
// node's credentials, `historian.s3` in the settings or HISTORIAN_S3_* — never the flow.
import { auditTrailOf, servicesOf } from '../lib/services';
import { parseDurationSetting } from '../../runtime/platform';
import { MoverSchedule, resolveS3Settings, TierMover, type PassReport } from '../../runtime/tier';
import { storeHandleOf } from '../lib/store-ref';
import { numberField, type NodeDef, type RED, type RedNode } from '../lib/red';

const MB = 1 << 20;

function statusText(m: TierMover): string {
  const s = m.status();
  const last = s.lastRun ? new Date(s.lastRun).toISOString().slice(11, 16) : 'never';
  return `last run ${last} · ${s.blocksMoved} blocks, ${(s.bytesMoved / MB).toFixed(1)} MB · ${s.errors} errors`;
}

/** What the status says when no bucket is given anywhere (node, settings, environment). */
export const NOT_CONFIGURED = 'not configured: set HISTORIAN_S3_BUCKET';

function bucketGiven(config: NodeDef, s3: Record<string, unknown>): boolean {
  return [config.bucket, s3.bucket, process.env.HISTORIAN_S3_BUCKET].some((v) => typeof v === 'string' && v.trim() !== '');
}

export default function register(RED: RED): void {
  RED.nodes.registerType('tier-mover', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const svc = servicesOf(RED);
    let schedule: MoverSchedule | null = null;
    let unregister: (() => void) | null = null;
    let closed = false;
    const historianS3 = ((RED.settings.historian ?? {}) as { s3?: Record<string, unknown> }).s3 ?? {};
    if (!bucketGiven(config, historianS3)) {
      // Inactive by design: a gateway without a cold tier keeps everything on local disk.
      node.status({ fill: 'grey', shape: 'ring', text: NOT_CONFIGURED });
      node.on('input', (_msg, _send, done) => done(new Error(`tier mover ${NOT_CONFIGURED}`)));
      node.on('close', (_removed, done) => { node.status({}); done(); });
      return;
    }
    const starting = (async () => {
      const handle = storeHandleOf(RED, config);
      const historian = (RED.settings.historian ?? {}) as { s3?: Record<string, unknown> };
      const creds = node.credentials ?? {};
      const s3 = resolveS3Settings({
        endpoint: config.endpoint, region: config.region, bucket: config.bucket, prefix: config.prefix,
        forcePathStyle: config.pathStyle === undefined || config.pathStyle === '' ? undefined : config.pathStyle === true || config.pathStyle === 'true',
        accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey,
      }, historian.s3 ?? {});
      const bandwidth = numberField(config, 'bandwidthMBps', 0);
      const store = await handle.ready;
      if (closed) return;
      const mover = new TierMover({
        store, storeName: handle.name, s3,
        policyAgeMs: parseDurationSetting('policyAge', config.policyAge || '30d'),
        tagPattern: typeof config.tagPattern === 'string' && config.tagPattern.trim() ? config.tagPattern.trim() : null,
        bandwidthBytesPerSec: bandwidth > 0 ? bandwidth * MB : null,
        parquet: config.parquet === true || config.parquet === 'true',
        cacheBytes: numberField(config, 'cacheMB', 256) * MB,
        metrics: svc.metrics,
        logger: { info: (m) => node.log(m), warn: (m) => node.warn(m), error: (m) => node.error(m) },
        // deletions from the cold tier and corrupt objects are records the plant must keep
        onAudit: (e) => auditTrailOf(RED)?.append({
          action: e.action, target: `${e.store}/${e.blockId}`, username: 'system', role: 'SYSTEM', reason: e.reason, newValue: e,
        }),
      });
      const name = (typeof config.name === 'string' && config.name.trim()) || handle.name;
      unregister = svc.components.tiers.register(name, mover);
      schedule = new MoverSchedule(mover, numberField(config, 'intervalMinutes', 60) * 60_000, (r, e) => {
        if (e) node.error(`tier pass failed: ${(e as Error).message}`);
        node.status({ fill: r && r.errors.length === 0 ? 'green' : 'red', shape: 'dot', text: statusText(mover) });
      });
      node.status({ fill: 'grey', shape: 'ring', text: 'waiting for the first pass' });
      schedule.start();
    })();
    starting.catch((e) => {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message.slice(0, 60) });
      node.error(e);
    });

    node.on('input', (msg, send, done) => {
      starting.then(async () => {
        if (!schedule) throw new Error('tier mover is not running; see its error');
        node.status({ fill: 'blue', shape: 'ring', text: 'moving…' });
        const report: PassReport | null = await schedule.runNow();
        if (!report) throw new Error('tier pass failed');
        msg.payload = report;
        send(msg);
        if (report.errors.length) done(new Error(`tier pass: ${report.errors.length} error(s), first: ${report.errors[0].step}: ${report.errors[0].message}`));
        else done();
      }).catch((e) => done(e instanceof Error ? e : new Error(String(e))));
    });

    node.on('close', (_removed, done) => {
      closed = true;
      unregister?.();
      starting.catch(() => undefined).then(() => schedule?.stop()).finally(done);
    });
  }, {
    credentials: { accessKeyId: { type: 'text' }, secretAccessKey: { type: 'password' } },
  });
}
