import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mqttConnectOptions, natsConnectOptions } from '../../../runtime/uplink/connection-settings';
import { natsOptions } from '../../../runtime/uplink/nats-connection';
import { mqttOptions } from '../../../runtime/uplink/mqtt-connection';

describe('natsConnectOptions', () => {
  it('splits a URL list, carries user/password and treats empty strings as not given', () => {
    const o = natsConnectOptions({ url: 'nats://a:4222, nats://b:4222', user: 'gw', password: 'pw', token: '', credsFile: '', caFile: '' });
    expect(o.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(o).toMatchObject({ user: 'gw', pass: 'pw', token: undefined, credsFile: undefined, tls: undefined });
    expect(natsOptions(o)).toMatchObject({ user: 'gw', pass: 'pw' });
  });

  it('turns TLS on for tls:// URLs and for CA / client certificate files', () => {
    expect(natsConnectOptions({ url: 'tls://a:4222' }).tls).toBe(true);
    expect(natsConnectOptions({ url: 'nats://a:4222', caFile: '/ca.pem' }).tls).toEqual({ caFile: '/ca.pem', certFile: undefined, keyFile: undefined });
    expect(natsConnectOptions({ url: 'nats://a:4222', tls: true }).tls).toBe(true);
  });

  it('names the field that is wrong', () => {
    expect(() => natsConnectOptions({ url: '' })).toThrow(/^url: /);
    expect(() => natsConnectOptions({ url: 'nats://a', certFile: '/c.pem' })).toThrow(/^keyFile: /);
    expect(() => natsConnectOptions({ url: 'nats://a', password: 'pw' })).toThrow(/^user: /);
    // two credential kinds at once are refused when the options are used
    expect(() => natsOptions(natsConnectOptions({ url: 'nats://a', user: 'u', password: 'p', token: 't' }))).toThrow(/^credentials: .*user \+ token/);
  });

  it('reads the creds file it is given and says which file it cannot read', () => {
    const missing = path.join(os.tmpdir(), `no-such-${process.pid}.creds`);
    expect(() => natsOptions(natsConnectOptions({ url: 'nats://a', credsFile: missing }))).toThrow(new RegExp(`^credsFile: cannot read ${missing}`));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'creds-')), 'u.creds');
    fs.writeFileSync(file, 'not a creds file');
    expect(natsOptions(natsConnectOptions({ url: 'nats://a', credsFile: file })).authenticator).toBeTypeOf('function');
  });
});

describe('mqttConnectOptions', () => {
  it('uses the default client id unless one is set', () => {
    expect(mqttConnectOptions({ url: 'mqtt://a:1883' }, 'historian-uplink').clientId).toBe('historian-uplink');
    expect(mqttConnectOptions({ url: 'mqtt://a:1883', clientId: 'gw7' }, 'x').clientId).toBe('gw7');
  });

  it('passes TLS files to the client and refuses them with a plain URL', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-tls-'));
    fs.writeFileSync(path.join(dir, 'ca.pem'), 'CA');
    const o = mqttConnectOptions({ url: 'mqtts://a:8883', caFile: path.join(dir, 'ca.pem'), username: 'gw', password: 'pw' });
    const client = mqttOptions(o);
    expect(client).toMatchObject({ username: 'gw', password: 'pw', rejectUnauthorized: true });
    expect(String(client.ca)).toBe('CA');
    expect(() => mqttConnectOptions({ url: 'mqtt://a:1883', caFile: '/ca.pem' })).toThrow(/^url: TLS files are given but mqtt:\/\/a:1883 is not a TLS URL/);
    expect(() => mqttConnectOptions({ url: 'mqtt://a', password: 'pw' })).toThrow(/^username: /);
  });
});
