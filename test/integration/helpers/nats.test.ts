import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AckPolicy, connect, StringCodec, type NatsConnection } from 'nats';
import { startNats, type NatsServer } from '../../helpers/nats';
import { isPortFree } from '../../helpers/ports';
import { waitFor } from '../../helpers/wait';

const sc = StringCodec();

describe('startNats', () => {
  let server: NatsServer | undefined;
  let nc: NatsConnection | undefined;

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await server?.dispose();
  });

  it('runs JetStream whose stream content survives a stop and restart on the same port', async () => {
    server = await startNats();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(server.isRunning()).toBe(true);

    nc = await connect({ servers: server.url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'PLANT', subjects: ['plant.>'] });
    const js = nc.jetstream();
    const ack = await js.publish('plant.area1.flow', sc.encode('42.5'));
    expect(ack.stream).toBe('PLANT');
    expect(ack.seq).toBe(1);
    await nc.close();

    const { port } = server;
    await server.stop();
    expect(server.isRunning()).toBe(false);
    expect(await isPortFree(port)).toBe(true);

    await server.restart();
    expect(server.port).toBe(port);
    nc = await connect({ servers: server.url });
    const info = await (await nc.jetstreamManager()).streams.info('PLANT');
    expect(info.state.messages).toBe(1);
    const stored = await (await nc.jetstreamManager()).streams.getMessage('PLANT', { seq: 1 });
    expect(stored.subject).toBe('plant.area1.flow');
    expect(sc.decode(stored.data)).toBe('42.5');

    // a durable consumer reads it too, proving the stream is usable after recovery
    await (await nc.jetstreamManager()).consumers.add('PLANT', { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
    const consumer = await nc.jetstream().consumers.get('PLANT', 'reader');
    const msg = await consumer.next({ expires: 2000 });
    expect(msg && sc.decode(msg.data)).toBe('42.5');
    msg?.ack();
    await nc.close();
    nc = undefined;
  });

  it('recovers JetStream state after a crash (SIGKILL) and frees the port on dispose', async () => {
    const crashy = await startNats();
    try {
      const conn = await connect({ servers: crashy.url });
      await (await conn.jetstreamManager()).streams.add({ name: 'CRASH', subjects: ['crash.*'] });
      await conn.jetstream().publish('crash.one', sc.encode('before-kill'));
      await conn.close();

      const pid = crashy.pid();
      expect(pid).toBeTypeOf('number');
      crashy.kill('SIGKILL');
      await waitFor(() => !crashy.isRunning(), { what: 'nats-server to die after SIGKILL' });
      expect(() => process.kill(pid!, 0)).toThrow();

      await crashy.restart();
      const again = await connect({ servers: crashy.url });
      const info = await (await again.jetstreamManager()).streams.info('CRASH');
      expect(info.state.messages).toBe(1);
      await again.close();
    } finally {
      await crashy.dispose();
    }
    expect(await isPortFree(crashy.port)).toBe(true);
    expect(await isPortFree(crashy.monitorPort)).toBe(true);
  });

  it('starts without JetStream when asked', async () => {
    const plain = await startNats({ jetstream: false });
    try {
      const conn = await connect({ servers: plain.url });
      const sub = conn.subscribe('ping');
      conn.publish('ping', sc.encode('pong'));
      for await (const m of sub) {
        expect(sc.decode(m.data)).toBe('pong');
        break;
      }
      await expect(conn.jetstreamManager()).rejects.toThrow();
      await conn.close();
    } finally {
      await plain.dispose();
    }
  });

  it('names the failure and shows the server output when the server cannot start', async () => {
    await expect(startNats({ args: ['--no-such-flag'] })).rejects.toThrow(/nats-server did not start[\s\S]*--- nats-server output ---/);
  });

  it('gives up at once, saying the address is in use, when a route port written in its file is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const err = await startNats({ configText: (sd) => `server_name: taken-route\njetstream { store_dir: ${JSON.stringify(sd + '/js')} }\ncluster { name: x\n listen: 127.0.0.1:${port}\n routes: [nats-route://127.0.0.1:1] }\n` }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as { addressInUse?: boolean }).addressInUse).toBe(true);
      // the node exited after "Server is ready": the wait ends there instead of at its timeout
      expect((err as Error).message).toMatch(/gave up waiting for nats-server health[^\n]*exited/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
