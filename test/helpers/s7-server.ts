// A real S7 protocol endpoint for tests: Snap7's S7Server through node-snap7 (a dev
// dependency with a native module). Areas: data blocks, merkers (M), inputs (I/PE),
// outputs (Q/PA), each a Buffer the test changes with set(). stop()/start() drop and
// restore the endpoint on the same port (connection-loss tests).
import { freePort } from './ports';

interface Snap7Server {
  srvAreaPE: number; srvAreaPA: number; srvAreaMK: number; srvAreaDB: number; LocalPort: number;
  RegisterArea(area: number, indexOrBuf: number | Buffer, buf?: Buffer): boolean;
  SetArea(area: number, indexOrBuf: number | Buffer, buf?: Buffer): boolean;
  GetArea(area: number, index?: number): Buffer;
  SetParam(param: number, value: number): boolean;
  StartTo(address: string, cb: (err: unknown) => void): void;
  Stop(): boolean;
}

export interface S7Areas {
  /** data blocks by number */
  db?: Record<number, Buffer>;
  merkers?: Buffer;
  inputs?: Buffer;
  outputs?: Buffer;
}

export interface TestS7Server {
  port: number;
  /** replaces bytes of an area from `offset` on */
  set(area: 'db' | 'merkers' | 'inputs' | 'outputs', bytes: Buffer, offset?: number, db?: number): void;
  get(area: 'db' | 'merkers' | 'inputs' | 'outputs', db?: number): Buffer;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function loadSnap7(): { S7Server: new () => Snap7Server } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node-snap7');
  } catch (e) {
    throw new Error(`node-snap7 (dev dependency, native) cannot be loaded: ${(e as Error).message.split('\n')[0]}\n` +
      'Install it with `npm install`, then build it for the Node that runs the tests: ' +
      '`PATH=$PWD/node_modules/.bin:$PATH npx node-gyp rebuild --directory node_modules/node-snap7` (needs g++, make, python3).');
  }
}

export async function startS7Server(areas: S7Areas): Promise<TestS7Server> {
  const { S7Server } = loadSnap7();
  const port = await freePort();
  let server: Snap7Server | null = null;
  const bufs = { merkers: areas.merkers ?? Buffer.alloc(256), inputs: areas.inputs ?? Buffer.alloc(64), outputs: areas.outputs ?? Buffer.alloc(64), db: { ...(areas.db ?? {}) } };
  const code = (s: Snap7Server, a: 'db' | 'merkers' | 'inputs' | 'outputs') => (a === 'db' ? s.srvAreaDB : a === 'merkers' ? s.srvAreaMK : a === 'inputs' ? s.srvAreaPE : s.srvAreaPA);
  const start = async () => {
    const s = new S7Server();
    s.SetParam(s.LocalPort, port);
    // node-snap7 takes the DB number only for data blocks (the argument count is checked).
    s.RegisterArea(s.srvAreaMK, bufs.merkers);
    s.RegisterArea(s.srvAreaPE, bufs.inputs);
    s.RegisterArea(s.srvAreaPA, bufs.outputs);
    for (const [n, b] of Object.entries(bufs.db)) s.RegisterArea(s.srvAreaDB, Number(n), b);
    await new Promise<void>((resolve, reject) => s.StartTo('127.0.0.1', (err) => (err ? reject(new Error(`S7Server on 127.0.0.1:${port}: ${String(err)}`)) : resolve())));
    server = s;
  };
  await start();
  return {
    port,
    set(area, bytes, offset = 0, db = 1) {
      const cur = area === 'db' ? bufs.db[db] : bufs[area];
      bytes.copy(cur, offset);
      if (server) { if (area === 'db') server.SetArea(server.srvAreaDB, db, cur); else server.SetArea(code(server, area), cur); }
    },
    get(area, db = 1) {
      if (!server) throw new Error('S7 server stopped');
      return area === 'db' ? server.GetArea(server.srvAreaDB, db) : server.GetArea(code(server, area));
    },
    stop: async () => { server?.Stop(); server = null; },
    start,
    dispose: async () => { server?.Stop(); server = null; },
  };
}
