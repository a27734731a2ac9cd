import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, isPortFree, isPortOpen } from '../../helpers/ports';
import { makeTempDir, removeTempDir, withTempDir } from '../../helpers/tmp';
import { WaitAbortedError, waitFor, waitForHttp, waitForPort, waitForPortClosed } from '../../helpers/wait';

describe('waitFor', () => {
  it('resolves with the first truthy value, treating throws as "not yet"', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls++;
        if (calls < 3) throw new Error('not ready');
        return calls === 3 ? 0 : { calls };
      },
      { intervalMs: 1 },
    );
    expect(value).toEqual({ calls: 4 });
  });

  it('times out naming what it waited for and the last error', async () => {
    await expect(
      waitFor(() => {
        throw new Error('connection refused');
      }, { timeoutMs: 60, intervalMs: 10, what: 'the broker' }),
    ).rejects.toThrow(/timed out after 60 ms .*waiting for the broker; last error: connection refused/);
  });

  it('stops at once on WaitAbortedError', async () => {
    const started = Date.now();
    await expect(
      waitFor(() => {
        throw new WaitAbortedError('server exited with code 1');
      }, { timeoutMs: 10_000 }),
    ).rejects.toThrow('server exited with code 1');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ends the wait when abortIf gives a reason, without another attempt', async () => {
    let attempts = 0;
    await expect(
      waitFor(() => { attempts++; return false; }, { timeoutMs: 10_000, intervalMs: 1, what: 'the server', abortIf: () => (attempts >= 3 ? 'server exited with code 1' : undefined) }),
    ).rejects.toThrow('gave up waiting for the server: server exited with code 1');
    expect(attempts).toBe(3);
  });
});

describe('ports and HTTP', () => {
  it('hands out free ports below the ephemeral range, where no outgoing connection takes them', async () => {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const p of ports) expect(p).toBeLessThan(low);
  });

  it('hands out free ports and sees them open and closed', async () => {
    const port = await freePort();
    expect(await isPortFree(port)).toBe(true);
    expect(await isPortOpen(port)).toBe(false);
    const server = net.createServer().listen(port, '127.0.0.1');
    await waitForPort(port);
    expect(await isPortFree(port)).toBe(false);
    await new Promise((resolve) => server.close(resolve));
    await waitForPortClosed(port);
    expect(await isPortFree(port)).toBe(true);
  });

  it('waits for an HTTP status', async () => {
    let ready = false;
    const server = http.createServer((_req, res) => {
      res.writeHead(ready ? 200 : 503).end(ready ? 'up' : 'starting');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const url = `http://127.0.0.1:${port}/ready`;
    try {
      await expect(waitForHttp(url, 200, { timeoutMs: 100, intervalMs: 10 })).rejects.toThrow(/\/ready to answer HTTP 200; last error: HTTP 503 starting/);
      ready = true;
      expect((await waitForHttp(url)).text).toBe('up');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('temp dirs', () => {
  it('creates and removes them', async () => {
    const dir = await makeTempDir('historian-helper-');
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    await removeTempDir(dir);
    expect(fs.existsSync(dir)).toBe(false);

    let seen = '';
    await expect(
      withTempDir((d) => {
        seen = d;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).not.toBe('');
    expect(fs.existsSync(seen)).toBe(false);
  });
});
