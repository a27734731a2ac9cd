// Modbus poll performance on loopback, against a modbus-serial TCP server running in a
// child process (so its CPU is not counted as ours):
//   modbus.samples_per_s              polls back to back, 2,000 holding registers as 2,000
//                                      tags (16 coalesced reads per poll); registers/s as an
//                                      extra metric; baseline: the same tags read one
//                                      request per tag (no coalescing), same run
//   modbus.cpu_fraction_1k_tags_1s    process CPU time / wall time while polling 1,000 tags
//                                      every second (fraction of one core, lower is better)
//   modbus.jitter_p99_ms_100ms_group  p99 lateness of a 100 ms poll group of 500 tags
//   modbus.server_bound_registers_per_s  what the test server answers at most: 125-register
//                                      reads back to back from a bare socket (no client
//                                      library), same run; the coalesced figure cannot pass it
//   eip.samples_per_s, egd.exchanges_per_s: see lib/eip-egd-load.ts
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { resolve } from 'node:path';
import { ModbusConnection, ModbusPoller, parseGroups, parseTagTable, planReads } from '../../runtime/devices/modbus';
import { egdMetrics, eipMetrics } from './lib/eip-egd-load';
import { metric, writeReport } from './lib/report';

const ROOT = resolve(__dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => res(p)); });
  });
}

async function startServer(port: number): Promise<ChildProcess> {
  const script = `
    const { ServerTCP } = require('modbus-serial');
    const regs = Array.from({ length: 10000 }, (_, i) => i & 0xffff);
    const s = new ServerTCP({
      getHoldingRegister: (a) => regs[a], getInputRegister: (a) => regs[a],
      getMultipleHoldingRegisters: (a, n) => regs.slice(a, a + n), getMultipleInputRegisters: (a, n) => regs.slice(a, a + n),
      getCoil: (a) => (a & 1) === 1, getDiscreteInput: (a) => (a & 1) === 1,
    }, { host: '127.0.0.1', port: ${port}, unitID: 1 });
    s.on('initialized', () => console.log('ready'));
    s.on('socketError', () => {});
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    child.stdout!.on('data', (d) => { if (String(d).includes('ready')) res(); });
    child.once('exit', (c) => rej(new Error(`server exited ${c}`)));
  });
  return child;
}

function tags(n: number, group: string, base = 0) {
  return Array.from({ length: n }, (_, i) => ({ tag: `bench.${group}.t${i}`, group, register: 'holding', address: base + i, type: 'uint16', scale: 0.1 }));
}

async function connected(port: number): Promise<ModbusConnection> {
  const c = new ModbusConnection({ host: '127.0.0.1', port, unitId: 1, timeoutMs: 2000 });
  c.start();
  for (let i = 0; i < 200 && c.state !== 'connected'; i++) await new Promise((r) => setTimeout(r, 10));
  if (c.state !== 'connected') throw new Error('no connection to the bench server');
  return c;
}

// Reads the plan over and over for `ms`: what one device connection sustains.
async function throughput(port: number, n: number, maxRegisters: number, ms: number): Promise<{ samplesPerS: number; registersPerS: number }> {
  const conn = await connected(port);
  const groups = parseGroups([{ name: 'g', period: '1s' }]);
  const table = parseTagTable(tags(n, 'g'), groups);
  const plan = planReads(table, { maxRegisters });
  let samples = 0, registers = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (const p of plan) {
      const words = await conn.read(p.register, p.address, p.count);
      registers += p.count;
      for (const { tag, offset } of p.items) { if (words[offset] * tag.scale + tag.offset >= 0) samples++; }
    }
  }
  const s = (performance.now() - t0) / 1000;
  await conn.close();
  return { samplesPerS: samples / s, registersPerS: registers / s };
}

// The test server's own limit: a bare socket sends a 125-register read (FC 3) as soon as
// the previous answer is complete, so only the server and loopback are in the loop.
async function serverBound(port: number, ms: number): Promise<{ registersPerS: number; msPerRequest: number }> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((res, rej) => { sock.once('connect', res); sock.once('error', rej); });
  sock.setNoDelay(true);
  const ANSWER = 9 + 2 * 125; // MBAP 7 + function 1 + byte count 1 + data
  let id = 0, got = 0, requests = 0;
  const t0 = performance.now();
  await new Promise<void>((res, rej) => {
    const send = () => { id = (id + 1) & 0xffff; sock.write(Buffer.from([id >> 8, id & 255, 0, 0, 0, 6, 1, 3, 0, 0, 0, 125])); };
    sock.on('error', rej);
    sock.on('data', (d) => {
      got += d.length;
      while (got >= ANSWER) {
        got -= ANSWER; requests++;
        if (performance.now() - t0 >= ms) return res();
        send();
      }
    });
    send();
  });
  const s = (performance.now() - t0) / 1000;
  sock.destroy();
  return { registersPerS: (requests * 125) / s, msPerRequest: (s * 1000) / requests };
}

async function pollFor(port: number, rows: ReturnType<typeof tags>, groupsDef: Array<{ name: string; period: string }>, ms: number) {
  const conn = await connected(port);
  const groups = parseGroups(groupsDef);
  let samples = 0;
  const poller = new ModbusPoller({ connection: conn, groups, tags: parseTagTable(rows, groups), emit: (s) => { samples += s.length; } });
  global.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  poller.start();
  await new Promise((r) => setTimeout(r, ms));
  poller.stop();
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const stats = poller.stats();
  await conn.close();
  return { cpuFraction: (cpu.user + cpu.system) / 1000 / wall, stats, samples };
}

function p99(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.99 * s.length))];
}

async function main() {
  const port = await freePort();
  const server = await startServer(port);
  try {
    const coalesced = await throughput(port, 2000, 125, 4000);
    const perTag = await throughput(port, 2000, 1, 4000);
    const bound = await serverBound(port, 4000);
    console.log(`throughput: ${Math.round(coalesced.samplesPerS)} samples/s coalesced, ${Math.round(perTag.samplesPerS)} samples/s one request per tag; the test server answers at most ${Math.round(bound.registersPerS)} registers/s (${bound.msPerRequest.toFixed(2)} ms per 125-register read from a bare socket)`);

    const cpuRun = await pollFor(port, tags(1000, 'g'), [{ name: 'g', period: '1s' }], 20_000);
    console.log(`1,000 tags at 1 s: ${cpuRun.samples} samples, cpu ${(cpuRun.cpuFraction * 100).toFixed(3)} % of a core`);

    const jitterRun = await pollFor(port, tags(500, 'fast'), [{ name: 'fast', period: '100ms' }], 15_000);
    const st = jitterRun.stats[0];
    console.log(`100 ms group, 500 tags: ${st.polls} polls, skipped ${st.skipped}, overruns ${st.overruns}, max lateness ${Math.max(...st.lateness)} ms`);

    const eip = await eipMetrics();
    const egd = await egdMetrics();

    writeReport('devices', [
      ...eip,
      ...egd,
      metric('modbus.samples_per_s', coalesced.samplesPerS, 'samples/s', 'higher', 100_000, { name: 'one request per tag (no coalescing)', value: perTag.samplesPerS }),
      metric('modbus.registers_per_s', coalesced.registersPerS, 'registers/s', 'higher', null, { name: 'one request per tag (no coalescing)', value: perTag.registersPerS }),
      metric('modbus.server_bound_registers_per_s', bound.registersPerS, 'registers/s', 'higher', null, { name: 'our client, coalesced reads', value: coalesced.registersPerS }),
      metric('modbus.cpu_fraction_1k_tags_1s', cpuRun.cpuFraction, 'fraction of one core', 'lower', 0.02),
      metric('modbus.jitter_p99_ms_100ms_group', p99(st.lateness), 'ms', 'lower', 10),
    ]);
  } finally {
    server.kill();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
