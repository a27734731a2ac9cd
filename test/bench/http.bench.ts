// HTTP ingest throughput (bulk requests of 1,000 samples from a second process) and
// login latency, against the real distribution; baseline: the same client against a
// server that only parses JSON.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startDistribution } from '../helpers/distribution';
import { createUser } from '../helpers/signing';
import { metric, writeReport } from './lib/report';

const SECONDS = 10;
const load = (url: string, token: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'lib', 'http-load.ts'), url, token, String(SECONDS), '8', '1000'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { samples: number; seconds: number; errors: number };
};

async function main(): Promise<void> {
  const dist = await startDistribution({ env: { HISTORIAN_INGEST_RATE: '100000000' } });
  try {
    const admin = await dist.login();
    const post = (path: string, body: unknown) => dist.request(path, { method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await createUser(dist, admin, { username: 'bench', name: 'Bench client', role: 'SERVICE' });
    const token = ((await (await post('/api/v1/tokens', { user: 'bench', scopes: ['ingest'] })).json()) as { token: string }).token;

    const logins: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await dist.login();
      logins.push(performance.now() - t);
    }
    logins.sort((a, b) => a - b);

    const ours = load(`${dist.url}/api/v1/metrics`, token);
    const sink = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'lib', 'http-sink.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve) => sink.stdout!.once('data', (d) => resolve(JSON.parse(String(d)).port)));
    const base = load(`http://127.0.0.1:${port}/`, token);
    sink.kill();
    if (ours.errors) console.log(`  (${ours.errors} failed requests)`);
    writeReport('http', [
      metric('ingest_http.samples_per_s', ours.samples / ours.seconds, 'samples/s', 'higher', null, { name: 'JSON-parsing sink, same client', value: base.samples / base.seconds }),
      metric('login.p50_ms', logins[Math.floor(logins.length / 2)], 'ms', 'lower', null, null),
    ]);
  } finally {
    await dist.stop();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
