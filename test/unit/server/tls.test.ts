import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTls } from '../../../runtime/server/tls';

const dirs: string[] = [];
const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-unit-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

describe('loadTls', () => {
  it('is off by default and refuses a certificate given with mode off', async () => {
    expect(await loadTls({}, tmp())).toBeNull();
    await expect(loadTls({ mode: 'off', certFile: '/c.pem' }, tmp())).rejects.toThrow(/^tls\.mode: "off" but a certificate is given/);
  });

  it('refuses certificate files given with mode self-signed (they would be ignored)', async () => {
    await expect(loadTls({ mode: 'self-signed', certFile: '/c.pem', keyFile: '/k.pem' }, tmp())).rejects.toThrow(/^tls\.mode: "self-signed" but a certificate is given/);
  });

  it('names the missing file setting in files mode', async () => {
    await expect(loadTls({ mode: 'files' }, tmp())).rejects.toThrow(/^tls\.certFile: required/);
    await expect(loadTls({ mode: 'files', certFile: '/c.pem' }, tmp())).rejects.toThrow(/^tls\.keyFile: required/);
  });

  it('generates a self-signed certificate for the configured names once, and reuses it', async () => {
    const dir = tmp();
    const logs: string[] = [];
    const a = (await loadTls({ mode: 'self-signed', hostnames: 'historian.plant.local,10.1.2.3' }, dir, (l) => logs.push(l)))!;
    const x = new X509Certificate(a.cert);
    expect(x.checkHost('historian.plant.local')).toBe('historian.plant.local');
    expect(x.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(x.fingerprint256).toBe(a.fingerprint256);
    expect(a.generated).toBe(true);
    expect(x.publicKey.asymmetricKeyType).toBe('ec');
    expect(a.validTo.getTime() - Date.now()).toBeGreaterThan(300 * 86_400_000);
    const b = (await loadTls({ mode: 'self-signed', hostnames: 'historian.plant.local,10.1.2.3' }, dir))!;
    expect(b.fingerprint256).toBe(a.fingerprint256);
    expect(logs).toEqual([]);
  });

  it('renews the generated certificate when it no longer covers a configured name', async () => {
    const dir = tmp();
    const a = (await loadTls({ mode: 'self-signed', hostnames: 'a.plant.local' }, dir))!;
    const logs: string[] = [];
    const b = (await loadTls({ mode: 'self-signed', hostnames: 'a.plant.local,b.plant.local' }, dir, (l) => logs.push(l)))!;
    expect(b.fingerprint256).not.toBe(a.fingerprint256);
    expect(new X509Certificate(b.cert).checkHost('b.plant.local')).toBe('b.plant.local');
    expect(logs.join('\n')).toMatch(/renewing the self-signed certificate \(does not cover b\.plant\.local\)/);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const one = (await loadTls({ mode: 'self-signed', hostnames: 'one' }, tmp()))!;
    const twoDir = tmp();
    await loadTls({ mode: 'self-signed', hostnames: 'two' }, twoDir);
    await expect(loadTls({ mode: 'files', certFile: one.certFile, keyFile: path.join(twoDir, 'tls', 'self-signed-key.pem') }, tmp()))
      .rejects.toThrow(/^tls\.keyFile: the key does not belong to the certificate/);
  });
});
