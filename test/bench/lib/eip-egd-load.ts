// EtherNet/IP and EGD figures for the device benchmark (test/bench/devices.bench.ts):
//   eip.samples_per_s     500 REAL tags polled back to back from the CIP test server (child
//                         process) with reads packed into Multiple Service Packets; baseline:
//                         the same tags one Read Tag request per tag, same run
//   egd.exchanges_per_s   productions of a 200-byte exchange (50 float32 tags) decoded per
//                         second by one consumer, a child producer sending back to back;
//                         baseline: what the producer sent per second
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { EgdConsumer, parseEgdLayout } from '../../../runtime/devices/egd';
import { EipConnection, EipPoller, parseEipTagTable, parseGroups } from '../../../runtime/devices/eip';
import { metric, type Metric } from './report';

const ROOT = resolve(__dirname, '..', '..', '..');

function child(file: string, args: string[]): { proc: ChildProcess; lines: AsyncIterableIterator<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, file), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const queue: string[] = [];
  const waiters: Array<(s: string) => void> = [];
  let buf = '';
  proc.stdout!.on('data', (d) => {
    buf += String(d);
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line); else queue.push(line);
    }
  });
  const lines = {
    next: () => new Promise<IteratorResult<string>>((res) => { const q = queue.shift(); if (q !== undefined) res({ value: q, done: false }); else waiters.push((s) => res({ value: s, done: false })); }),
    [Symbol.asyncIterator]() { return this; },
  } as AsyncIterableIterator<string>;
  return { proc, lines };
}

async function eipRun(port: number, n: number, coalesce: boolean, ms: number, counters: () => Promise<{ requests: number }>): Promise<{ samplesPerS: number; requestsPerPoll: number }> {
  const conn = new EipConnection({ host: '127.0.0.1', port, slot: 0, timeoutMs: 2000 });
  conn.start();
  for (let i = 0; i < 200 && conn.state !== 'connected'; i++) await new Promise((r) => setTimeout(r, 10));
  if (conn.state !== 'connected') throw new Error('no connection to the CIP bench server');
  const groups = parseGroups([{ name: 'g', period: '1s' }]);
  const tags = parseEipTagTable(Array.from({ length: n }, (_, i) => ({ tag: `bench.eip.t${i}`, address: `Tag${i}`, type: 'real' })), groups);
  let samples = 0;
  const poller = new EipPoller({ connection: conn, groups, tags, coalesce, emit: (s) => { samples += s.length; } });
  await counters();
  let polls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) { await poller.pollOnce(); polls++; }
  const s = (performance.now() - t0) / 1000;
  const c = await counters();
  await conn.close();
  return { samplesPerS: samples / s, requestsPerPoll: c.requests / polls };
}

export async function eipMetrics(): Promise<Metric[]> {
  const n = 500;
  const { proc, lines } = child('cip-server-child.ts', [String(n)]);
  try {
    const ready = JSON.parse((await lines.next()).value) as { port: number };
    const counters = async () => { proc.stdin!.write('counters\n'); return JSON.parse((await lines.next()).value) as { requests: number }; };
    const packed = await eipRun(ready.port, n, true, 4000, counters);
    const perTag = await eipRun(ready.port, n, false, 4000, counters);
    console.log(`eip: ${Math.round(packed.samplesPerS)} samples/s packed (${packed.requestsPerPoll.toFixed(1)} requests per poll of ${n} tags), ${Math.round(perTag.samplesPerS)} samples/s one request per tag (${perTag.requestsPerPoll.toFixed(1)})`);
    return [
      metric('eip.samples_per_s', packed.samplesPerS, 'samples/s', 'higher', null, { name: 'one Read Tag request per tag (no Multiple Service Packet)', value: perTag.samplesPerS }),
      metric('eip.requests_per_poll_500_tags', packed.requestsPerPoll, 'requests', 'lower', null, { name: 'one request per tag', value: perTag.requestsPerPoll }),
    ];
  } finally {
    proc.kill();
  }
}

export async function egdMetrics(): Promise<Metric[]> {
  const port = await new Promise<number>((res) => { const s = require('node:net').createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
  const layout = parseEgdLayout(Array.from({ length: 50 }, (_, i) => ({ tag: `bench.egd.v${i}`, byte: i * 4, type: 'float32' })));
  let samples = 0;
  const consumer = new EgdConsumer({ port, bindAddress: '127.0.0.1', producerId: '10.0.0.5', exchangeId: 1, periodMs: 1000, tags: layout, emit: (s) => { samples += s.length; } });
  await consumer.start();
  const { proc, lines } = child('egd-producer-child.ts', [String(port), '1', '200', '4']);
  try {
    const done = JSON.parse((await lines.next()).value) as { sent: number; seconds: number };
    await new Promise((r) => setTimeout(r, 100)); // datagrams still in the socket buffer
    // The producer's sending window (its start-up is not part of it); datagrams left in the buffer are counted.
    const rate = consumer.stats.exchanges / done.seconds;
    console.log(`egd: ${Math.round(rate)} exchanges/s decoded (${samples} samples), producer sent ${Math.round(done.sent / done.seconds)}/s, lost on the way (UDP, receiver saturated) ${done.sent - consumer.stats.exchanges}`);
    return [metric('egd.exchanges_per_s', rate, 'exchanges/s', 'higher', null, { name: 'productions sent per second by the producer', value: done.sent / done.seconds })];
  } finally {
    proc.kill();
    await consumer.close();
  }
}
