// Starts Debian's `victoria-metrics` (single-node) on 127.0.0.1 with its data in a temp
// dir, for the peer benchmark: retention of 100 years (the data sets reach back to 2013)
// and the rollup result cache disabled, so every query reads storage like ours does.
import fs from 'node:fs';
import path from 'node:path';
import { requireBinary, VICTORIA_METRICS } from './binaries';
import { freePort } from './ports';
import { outputBlock, spawnManaged, type ManagedProcess } from './process';
import { serverControl, type ServerControl } from './server-control';
import { makeTempDir, removeTempDir } from './tmp';
import { waitFor, WaitAbortedError } from './wait';

export interface VictoriaMetricsServer extends ServerControl {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Makes buffered samples searchable and written (GET /internal/force_flush). */
  forceFlush(): Promise<void>;
  /** Starts a full merge of every partition (GET /internal/force_merge); it runs in the background. */
  forceMerge(): Promise<void>;
}

export async function startVictoriaMetrics(opts: { startTimeoutMs?: number } = {}): Promise<VictoriaMetricsServer> {
  const binary = requireBinary(VICTORIA_METRICS);
  const dir = await makeTempDir('historian-vm-');
  const dataDir = path.join(dir, 'data');
  await fs.promises.mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let proc: ManagedProcess | undefined;
  const launch = async () => {
    const started = spawnManaged('victoria-metrics', binary, [
      `-storageDataPath=${dataDir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y',
      '-search.disableCache', '-loggerLevel=WARN',
    ]);
    proc = started;
    await waitFor(async () => {
      if (!started.isRunning()) throw new WaitAbortedError(`victoria-metrics exited\n${outputBlock('victoria-metrics', started.logs())}`);
      return (await fetch(`${url}/health`)).status === 200;
    }, { timeoutMs: opts.startTimeoutMs ?? 30_000, what: `${url}/health` });
  };
  await launch();
  const get = async (p: string) => {
    const r = await fetch(url + p);
    if (r.status !== 200) throw new Error(`victoria-metrics ${p}: HTTP ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  };
  return {
    url, port, dataDir,
    forceFlush: () => get('/internal/force_flush'),
    forceMerge: () => get('/internal/force_merge'),
    ...serverControl(() => proc, launch, () => removeTempDir(dir)),
  };
}
