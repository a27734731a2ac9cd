import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { nkeys } from 'nats';
import { describe, expect, it } from 'vitest';
import { run } from '../../../runtime/cli/main';
import { gatewayPermissions } from '../../../runtime/fleet/gateway-config';

function io() {
  const stdout = new PassThrough(), stderr = new PassThrough();
  let out = '', err = '';
  stdout.on('data', (d) => { out += d; });
  stderr.on('data', (d) => { err += d; });
  return { io: { stdin: process.stdin, stdout, stderr } as never, out: () => out, err: () => err };
}

describe('per-gateway NATS configuration', () => {
  it('limits publishing to the site prefix and the gateway health subject', () => {
    expect(gatewayPermissions('gw1', 'acme.izmir')).toEqual({
      publish: { allow: ['hist.acme.izmir.>', 'sys.gateway.gw1.health'] }, subscribe: { allow: ['_INBOX.>'] },
    });
    expect(() => gatewayPermissions('gw.1', 'acme.izmir')).toThrow(/^gateway:/);
    expect(() => gatewayPermissions('gw1', 'acme.*')).toThrow(/^site:/);
    expect(() => gatewayPermissions('gw1', 'acme.izmir', 'hist.>')).toThrow(/^prefix:/);
  });

  it('historian fleet gateway writes matching leaf, hub and gateway files, secrets readable by the owner only', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'historian-fleet-cli-'));
    try {
      const t = io();
      const code = await run(['fleet', 'gateway', '--id', 'gw7', '--site', 'acme.izmir', '--hub', 'nats-leaf://hub1:7422,nats-leaf://hub2:7422', '--out', out], t.io, {});
      expect(code, t.err()).toBe(0);
      const read = (f: string) => fs.readFileSync(path.join(out, f), 'utf8');
      for (const f of ['leaf.conf', 'gateway.env', 'hub-client-user.conf', 'hub-leaf-user.conf']) {
        expect(fs.statSync(path.join(out, f)).mode & 0o077, f).toBe(0);
      }
      const seed = /HISTORIAN_NATS_NKEY_SEED=(\S+)/.exec(read('gateway.env'))![1];
      const pub = Buffer.from(nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey()).toString();
      // the leaf's local user and the hub's client user are the gateway's key, with its permissions
      for (const f of ['leaf.conf', 'hub-client-user.conf']) {
        expect(read(f)).toContain(`nkey: "${pub}"`);
        expect(read(f)).toContain('publish: { allow: ["hist.acme.izmir.>","sys.gateway.gw7.health"] }');
      }
      const leafUser = /user: "([^"]+)", password: "([^"]+)"/.exec(read('hub-leaf-user.conf'))!;
      expect(read('leaf.conf')).toContain(`nats-leaf://${leafUser[1]}:${leafUser[2]}@hub1:7422`);
      expect(read('leaf.conf')).toContain(`nats-leaf://${leafUser[1]}:${leafUser[2]}@hub2:7422`);
      expect(t.out()).toContain('hist.acme.izmir.>');
      const bad = io();
      expect(await run(['fleet', 'gateway', '--id', 'gw7', '--site', 'acme izmir', '--out', out], bad.io, {})).toBe(2);
      expect(bad.err()).toMatch(/site:/);
    } finally { fs.rmSync(out, { recursive: true, force: true }); }
  });
});
