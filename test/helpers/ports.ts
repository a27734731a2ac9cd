import fs from 'node:fs';
import net from 'node:net';

const LOOPBACK = '127.0.0.1';

/**
 * The kernel's ephemeral range (outgoing connections take their local port from it). A port
 * handed out from inside it can be taken by any test's outgoing connection before our server
 * binds it, so ports are drawn from below it.
 */
function ephemeralLow(): number {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}
const RANGE_LOW = 10_000;
const RANGE_HIGH = Math.max(RANGE_LOW + 1000, ephemeralLow());

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, drawn at random below the
 * ephemeral range (so no outgoing connection can hold it) and checked by binding it. Two
 * parallel test files could still draw the same port in rare cases, which is why the server
 * helpers retry on "address in use".
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = RANGE_LOW + Math.floor(Math.random() * (RANGE_HIGH - RANGE_LOW));
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free TCP port on ${LOOPBACK} between ${RANGE_LOW} and ${RANGE_HIGH} after 50 tries`);
}

/** True when something accepts TCP connections on the port (127.0.0.1 unless told). */
export function isPortOpen(port: number, host = LOOPBACK, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when a server could bind the port on 127.0.0.1 right now (nobody holds it). */
export function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
