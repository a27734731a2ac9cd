import { afterAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto';
import { isPortFree } from '../../helpers/ports';
import { waitFor } from '../../helpers/wait';

function nextMessage(client: MqttClient, topic: string): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      client.off('message', onMessage);
      resolve(payload.toString());
    };
    client.on('message', onMessage);
  });
}

describe('startMosquitto', () => {
  let broker: MosquittoServer | undefined;
  const clients: MqttClient[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker?.dispose();
  });

  it('delivers messages, drops clients on stop and lets them reconnect after restart with retained data kept', async () => {
    broker = await startMosquitto();
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);

    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 100, connectTimeout: 2000 });
    clients.push(client);
    await client.subscribeAsync('plant/#', { qos: 1 });
    const received = nextMessage(client, 'plant/area1/pressure');
    await client.publishAsync('plant/area1/pressure', '3.25', { qos: 1, retain: true });
    expect(await received).toBe('3.25');

    let closes = 0;
    let connects = 0;
    client.on('close', () => closes++);
    client.on('connect', () => connects++);

    const { port } = broker;
    await broker.stop();
    expect(broker.isRunning()).toBe(false);
    await waitFor(() => closes > 0 && !client.connected, { what: 'the MQTT client to notice the broker is gone' });
    expect(await isPortFree(port)).toBe(true);

    await broker.restart();
    expect(broker.port).toBe(port);
    await waitFor(() => connects > 0 && client.connected, { timeoutMs: 10_000, what: 'the MQTT client to reconnect' });

    // a fresh subscriber gets the retained value back from the persistence file
    const late = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    clients.push(late);
    const retained = nextMessage(late, 'plant/area1/pressure');
    await late.subscribeAsync('plant/area1/pressure');
    expect(await retained).toBe('3.25');
  });

  it('frees its port after dispose and when killed', async () => {
    const other = await startMosquitto();
    const pid = other.pid();
    other.kill('SIGKILL');
    await waitFor(() => !other.isRunning(), { what: 'mosquitto to die after SIGKILL' });
    expect(() => process.kill(pid!, 0)).toThrow();
    await other.restart();
    expect(other.isRunning()).toBe(true);
    await other.dispose();
    expect(await isPortFree(other.port)).toBe(true);
  });

  it('names the failure and shows the broker output when it cannot start', async () => {
    await expect(startMosquitto({ extraConfig: ['no_such_option 1'] })).rejects.toThrow(
      /mosquitto did not start[\s\S]*no_such_option/,
    );
  });
});
