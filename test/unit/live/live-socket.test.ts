// The live socket's send timing on a real WebSocket over loopback: a sample after a quiet
// spell leaves at once, samples within one interval share a frame.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LiveBus } from '../../../runtime/live/bus';
import { LiveSocket } from '../../../runtime/live/live-socket';
import type { Sample } from '../../../runtime/model';
import { waitFor } from '../../helpers/wait';

const s = (tag: string, ts: number): Sample => ({ tag, ts, value: ts, quality: 0 });
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Frame { type: string; samples?: Array<{ tag: string; ts: number }> }

async function open(flushMs: number): Promise<{ bus: LiveBus; frames: Frame[]; close(): Promise<void> }> {
  const bus = new LiveBus();
  const live = new LiveSocket(bus, { flushMs });
  const server: Server = createServer();
  server.on('upgrade', (req, socket, head) => { void live.handleUpgrade(req, socket, head); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const frames: Frame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ op: 'subscribe', patterns: ['>'] }));
  await waitFor(() => frames.some((f) => f.type === 'subscribed'), { what: 'subscription' });
  return {
    bus, frames,
    async close() {
      ws.close();
      live.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let opened: { close(): Promise<void> } | null = null;
afterEach(async () => { await opened?.close(); opened = null; });

const sampleFrames = (frames: Frame[]) => frames.filter((f) => f.type === 'samples').map((f) => f.samples!.map((x) => `${x.tag}@${x.ts}`));

describe('live socket sending', () => {
  it('sends a sample that follows a quiet spell at once, not at the end of the interval', async () => {
    // a one-minute interval: waiting for its end would time the test out
    const c = opened = await open(60_000);
    c.bus.publish([s('a', 1), s('b', 1)]);
    await waitFor(() => sampleFrames(c.frames).length === 1, { timeoutMs: 5000, what: 'the first frame' });
    expect(sampleFrames(c.frames)).toEqual([['a@1', 'b@1']]);
  });

  it('puts samples published within one interval after a frame into one next frame, in order', async () => {
    const c = opened = await open(400);
    c.bus.publish([s('a', 1)]);
    await waitFor(() => sampleFrames(c.frames).length === 1, { what: 'the first frame' });
    // three publications in separate event-loop turns, well inside the 400 ms interval
    c.bus.publish([s('a', 2)]);
    await turn();
    c.bus.publish([s('b', 2)]);
    await turn();
    c.bus.publish([s('a', 3)]);
    await waitFor(() => sampleFrames(c.frames).length >= 2, { what: 'the second frame' });
    expect(sampleFrames(c.frames)).toEqual([['a@1'], ['a@2', 'b@2', 'a@3']]);
  });
});
