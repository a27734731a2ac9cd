// A CIP / Logix test server on loopback (PROTOCOL.md): EtherNet/IP encapsulation
// (ListIdentity, RegisterSession, UnRegisterSession, SendRRData), Unconnected Send routed
// to one backplane slot, and the Logix services Read Tag, Read Tag Fragmented, Write Tag
// and Multiple Service Packet on atomic tags, arrays, structures (UDT members) and
// program-scoped tags. Written from the published CIP Vol. 1/2 and Logix 5000 Data Access
// descriptions, independently of the client in runtime/devices/eip (no shared code), so a
// misreading on one side shows up as a failing test. Requests are counted per service so
// tests and the benchmark can prove batching.
import net from 'node:net';
import { freePort } from '../ports';

export type AtomicType = 'BOOL' | 'SINT' | 'INT' | 'DINT' | 'LINT' | 'USINT' | 'UINT' | 'UDINT' | 'ULINT' | 'REAL' | 'LREAL';
const CODES: Record<AtomicType, number> = { BOOL: 0xc1, SINT: 0xc2, INT: 0xc3, DINT: 0xc4, LINT: 0xc5, USINT: 0xc6, UINT: 0xc7, UDINT: 0xc8, ULINT: 0xc9, REAL: 0xca, LREAL: 0xcb };
const SIZE: Record<AtomicType, number> = { BOOL: 1, SINT: 1, INT: 2, DINT: 4, LINT: 8, USINT: 1, UINT: 2, UDINT: 4, ULINT: 8, REAL: 4, LREAL: 8 };

/** Tag definitions: an atomic (optionally an array), a structure, or an array of structures. */
export type TagDef =
  | { type: AtomicType; value: number | number[] }
  | { struct: Record<string, TagDef> }
  | { structArray: Array<Record<string, TagDef>> };

type Node =
  | { kind: 'atomic'; type: AtomicType; values: number[]; array: boolean }
  | { kind: 'struct'; members: Map<string, Node> }
  | { kind: 'structArray'; elements: Node[] };

export interface CipCounters {
  /** TCP connections accepted */
  connections: number;
  /** encapsulation commands by name */
  encap: Record<string, number>;
  /** top-level CIP requests (after Unconnected Send is unwrapped): one per round trip */
  requests: number;
  /** services executed, including those inside Multiple Service Packets */
  services: Record<string, number>;
}

export interface CipServerOptions {
  tags: Record<string, TagDef>;
  /** backplane slot the controller sits in (default 0) */
  slot?: number;
  /** largest reply the controller builds, in bytes (default 504, the Logix unconnected limit) */
  maxPacket?: number;
  port?: number;
}

export interface TestCipServer {
  host: string;
  port: number;
  counters: CipCounters;
  resetCounters(): void;
  get(name: string): number[];
  set(name: string, value: number | number[]): void;
  /** closes every client socket (the listener stays) */
  dropConnections(): void;
  /** stops answering requests (sockets stay open) */
  setSilent(silent: boolean): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function build(def: TagDef): Node {
  if ('type' in def) {
    const array = Array.isArray(def.value);
    return { kind: 'atomic', type: def.type, values: array ? [...(def.value as number[])] : [def.value as number], array };
  }
  if ('struct' in def) return { kind: 'struct', members: new Map(Object.entries(def.struct).map(([k, v]) => [k.toLowerCase(), build(v)])) };
  return { kind: 'structArray', elements: def.structArray.map((m) => build({ struct: m })) };
}

class PathError extends Error {
  constructor(readonly status: number, readonly ext: number[] = []) {
    super(`path error ${status}`);
  }
}

function newCounters(): CipCounters {
  return { connections: 0, encap: {}, requests: 0, services: {} };
}

export async function startCipServer(o: CipServerOptions): Promise<TestCipServer> {
  const slot = o.slot ?? 0;
  const maxPacket = o.maxPacket ?? 504;
  const root = new Map<string, Node>();
  // "Program:Main.Count" lives in the program's scope: the program is a container symbol.
  for (const [name, def] of Object.entries(o.tags)) {
    const m = /^(Program:[A-Za-z_]\w*)\.(.+)$/i.exec(name);
    if (m) {
      const key = m[1].toLowerCase();
      let prog = root.get(key);
      if (!prog) { prog = { kind: 'struct', members: new Map() }; root.set(key, prog); }
      (prog as { members: Map<string, Node> }).members.set(m[2].toLowerCase(), build(def));
    } else root.set(name.toLowerCase(), build(def));
  }
  const counters = newCounters();
  const sockets = new Set<net.Socket>();
  let silent = false;
  let nextSession = 0x1000;
  const port = o.port ?? await freePort();
  let server: net.Server | null = null;

  const count = (rec: Record<string, number>, k: string) => { rec[k] = (rec[k] ?? 0) + 1; };

  // --- EPATH resolution ---------------------------------------------------------------
  function resolve(path: Buffer): { node: Node; index: number } {
    let node: Node | null = null;
    let index = -1;
    let p = 0;
    while (p < path.length) {
      const seg = path[p];
      if (seg === 0x91) {
        const len = path[p + 1];
        const name = path.subarray(p + 2, p + 2 + len).toString('ascii').toLowerCase();
        p += 2 + len + (len % 2);
        if (node === null) node = root.get(name) ?? null;
        else if (node.kind === 'struct') node = node.members.get(name) ?? null;
        else if (node.kind === 'structArray' && index >= 0) { node = (node.elements[index] as { members: Map<string, Node> }).members.get(name) ?? null; index = -1; }
        else node = null;
        if (!node) throw new PathError(0x05, [0x0000]);
      } else if (seg === 0x28 || seg === 0x29 || seg === 0x2a) {
        let i: number;
        if (seg === 0x28) { i = path[p + 1]; p += 2; } else if (seg === 0x29) { i = path.readUInt16LE(p + 2); p += 4; } else { i = path.readUInt32LE(p + 2); p += 6; }
        if (!node) throw new PathError(0x04, [0x0000]);
        const len = node.kind === 'atomic' && node.array ? node.values.length : node.kind === 'structArray' ? node.elements.length : -1;
        if (len < 0) throw new PathError(0x04, [0x0000]);
        if (i >= len) throw new PathError(0xff, [0x2105]);
        index = i;
      } else throw new PathError(0x04, [0x0000]);
    }
    if (!node) throw new PathError(0x04, [0x0000]);
    if (node.kind === 'structArray' && index >= 0) return { node: node.elements[index], index: -1 };
    return { node, index };
  }

  function encodeAtomic(type: AtomicType, vals: number[]): Buffer {
    const b = Buffer.alloc(vals.length * SIZE[type]);
    vals.forEach((v, i) => {
      const o2 = i * SIZE[type];
      switch (type) {
        case 'BOOL': b[o2] = v ? 0xff : 0; break;
        case 'SINT': b.writeInt8(v, o2); break;
        case 'USINT': b.writeUInt8(v, o2); break;
        case 'INT': b.writeInt16LE(v, o2); break;
        case 'UINT': b.writeUInt16LE(v, o2); break;
        case 'DINT': b.writeInt32LE(v, o2); break;
        case 'UDINT': b.writeUInt32LE(v, o2); break;
        case 'LINT': b.writeBigInt64LE(BigInt(v), o2); break;
        case 'ULINT': b.writeBigUInt64LE(BigInt(v), o2); break;
        case 'REAL': b.writeFloatLE(v, o2); break;
        case 'LREAL': b.writeDoubleLE(v, o2); break;
      }
    });
    return b;
  }

  function decodeAtomic(type: AtomicType, b: Buffer, n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const o2 = i * SIZE[type];
      switch (type) {
        case 'BOOL': out.push(b[o2] ? 1 : 0); break;
        case 'SINT': out.push(b.readInt8(o2)); break;
        case 'USINT': out.push(b.readUInt8(o2)); break;
        case 'INT': out.push(b.readInt16LE(o2)); break;
        case 'UINT': out.push(b.readUInt16LE(o2)); break;
        case 'DINT': out.push(b.readInt32LE(o2)); break;
        case 'UDINT': out.push(b.readUInt32LE(o2)); break;
        case 'LINT': out.push(Number(b.readBigInt64LE(o2))); break;
        case 'ULINT': out.push(Number(b.readBigUInt64LE(o2))); break;
        case 'REAL': out.push(b.readFloatLE(o2)); break;
        case 'LREAL': out.push(b.readDoubleLE(o2)); break;
      }
    }
    return out;
  }

  function structBytes(n: Node): Buffer {
    if (n.kind === 'atomic') return encodeAtomic(n.type, n.values);
    if (n.kind === 'struct') return Buffer.concat([...n.members.values()].map(structBytes));
    return Buffer.concat(n.elements.map(structBytes));
  }

  /** Type head + data of `elements` values starting at the resolved element. */
  function readData(path: Buffer, elements: number): Buffer {
    const { node, index } = resolve(path);
    if (node.kind !== 'atomic') {
      // Whole structures come back as their packed bytes behind the structure type and a handle.
      const head = Buffer.from([0xa0, 0x02, 0x34, 0x12]);
      return Buffer.concat([head, structBytes(node)]);
    }
    const start = index < 0 ? 0 : index;
    if (start + elements > node.values.length) throw new PathError(0xff, [0x2105]);
    const head = Buffer.alloc(2);
    head.writeUInt16LE(CODES[node.type], 0);
    return Buffer.concat([head, encodeAtomic(node.type, node.values.slice(start, start + elements))]);
  }

  function reply(service: number, status: number, ext: number[], data: Buffer = Buffer.alloc(0)): Buffer {
    const h = Buffer.alloc(4 + 2 * ext.length);
    h[0] = service | 0x80;
    h[2] = status;
    h[3] = ext.length;
    ext.forEach((e, i) => h.writeUInt16LE(e, 4 + 2 * i));
    return Buffer.concat([h, data]);
  }

  function handleMr(req: Buffer, top: boolean): Buffer {
    const service = req[0];
    const pathLen = req[1] * 2;
    const path = req.subarray(2, 2 + pathLen);
    const data = req.subarray(2 + pathLen);
    try {
      switch (service) {
        case 0x4c: { // Read Tag
          count(counters.services, 'readTag');
          if (data.length < 2) return reply(service, 0x13, []);
          const body = readData(path, data.readUInt16LE(0));
          // A reply that does not fit the connection is cut at whole bytes: the client continues fragmented.
          if (4 + body.length > maxPacket) return reply(service, 0x06, [], body.subarray(0, maxPacket - 4));
          return reply(service, 0, [], body);
        }
        case 0x52: { // Read Tag Fragmented (to a symbol) / Unconnected Send (to the Connection Manager)
          if (path.length >= 4 && path[0] === 0x20 && path[1] === 0x06) return unconnectedSend(data);
          count(counters.services, 'readTagFragmented');
          if (data.length < 6) return reply(service, 0x13, []);
          const body = readData(path, data.readUInt16LE(0));
          const headLen = body.readUInt16LE(0) === 0x02a0 ? 4 : 2;
          const offset = data.readUInt32LE(2);
          const payload = body.subarray(headLen);
          if (offset > payload.length) return reply(service, 0xff, [0x2105]);
          const room = maxPacket - 4 - headLen;
          const chunk = payload.subarray(offset, offset + room);
          const more = offset + chunk.length < payload.length;
          return reply(service, more ? 0x06 : 0, [], Buffer.concat([body.subarray(0, headLen), chunk]));
        }
        case 0x4d: { // Write Tag
          count(counters.services, 'writeTag');
          if (data.length < 4) return reply(service, 0x13, []);
          const { node, index } = resolve(path);
          if (node.kind !== 'atomic') return reply(service, 0xff, [0x2107]);
          const code = data.readUInt16LE(0);
          if (code !== CODES[node.type]) return reply(service, 0xff, [0x2107]);
          const n = data.readUInt16LE(2);
          const start = index < 0 ? 0 : index;
          if (start + n > node.values.length) return reply(service, 0xff, [0x2105]);
          if (data.length - 4 < n * SIZE[node.type]) return reply(service, 0x13, []);
          decodeAtomic(node.type, data.subarray(4), n).forEach((v, i) => { node.values[start + i] = v; });
          return reply(service, 0, []);
        }
        case 0x0a: { // Multiple Service Packet, to the Message Router only
          count(counters.services, 'multipleServicePacket');
          if (!top) return reply(service, 0x08, []);
          if (!(path.length === 4 && path[0] === 0x20 && path[1] === 0x02 && path[2] === 0x24 && path[3] === 0x01)) return reply(service, 0x05, []);
          const n = data.readUInt16LE(0);
          const offs: number[] = [];
          for (let i = 0; i < n; i++) offs.push(data.readUInt16LE(2 + 2 * i));
          const replies = offs.map((off, i) => handleMr(data.subarray(off, i + 1 < n ? offs[i + 1] : data.length), false));
          const head = Buffer.alloc(2 + 2 * n);
          head.writeUInt16LE(n, 0);
          let at = head.length;
          replies.forEach((r, i) => { head.writeUInt16LE(at, 2 + 2 * i); at += r.length; });
          const body = Buffer.concat([head, ...replies]);
          if (4 + body.length > maxPacket) return reply(service, 0x11, []); // reply data too large
          return reply(service, replies.some((r) => r[2] !== 0 && r[2] !== 0x06) ? 0x1e : 0, [], body);
        }
        default:
          count(counters.services, `unsupported-0x${service.toString(16)}`);
          return reply(service, 0x08, []);
      }
    } catch (e) {
      if (e instanceof PathError) return reply(service, e.status, e.ext);
      return reply(service, 0xff, []);
    }
  }

  function unconnectedSend(data: Buffer): Buffer {
    count(counters.services, 'unconnectedSend');
    const size = data.readUInt16LE(2);
    const embedded = data.subarray(4, 4 + size);
    let p = 4 + size + (size % 2);
    const routeWords = data[p];
    p += 2;
    const route = data.subarray(p, p + routeWords * 2);
    // Port segment 0x01 (backplane) with the link address = slot.
    if (route.length < 2 || route[0] !== 0x01 || route[1] !== slot) return reply(0x52, 0x01, [0x0312]);
    return handleMr(embedded, true);
  }

  // --- encapsulation ------------------------------------------------------------------
  function onFrame(sock: net.Socket, state: { session: number }, frame: Buffer): void {
    const cmd = frame.readUInt16LE(0);
    const session = frame.readUInt32LE(4);
    const context = frame.subarray(12, 20);
    const body = frame.subarray(24);
    const send = (command: number, sess: number, status: number, data: Buffer) => {
      const h = Buffer.alloc(24);
      h.writeUInt16LE(command, 0);
      h.writeUInt16LE(data.length, 2);
      h.writeUInt32LE(sess, 4);
      h.writeUInt32LE(status, 8);
      context.copy(h, 12);
      sock.write(Buffer.concat([h, data]));
    };
    switch (cmd) {
      case 0x63: { // ListIdentity: one CIP Identity item
        count(counters.encap, 'listIdentity');
        const name = Buffer.from('1756-L83E/B historian-test', 'ascii');
        const item = Buffer.alloc(2 + 16 + 2 + 2 + 2 + 2 + 2 + 4 + 1 + name.length + 1);
        let q = 0;
        item.writeUInt16LE(1, q); q += 2; // protocol version
        item.writeUInt16BE(2, q); item.writeUInt16BE(44818, q + 2); q += 16; // sockaddr (sin_family, sin_port big-endian)
        item.writeUInt16LE(1, q); q += 2; // vendor: Rockwell
        item.writeUInt16LE(0x0e, q); q += 2; // device type: PLC
        item.writeUInt16LE(166, q); q += 2; // product code
        item[q++] = 35; item[q++] = 11; // revision
        item.writeUInt16LE(0x0060, q); q += 2; // status: run
        item.writeUInt32LE(0x00c0ffee, q); q += 4; // serial
        item[q++] = name.length; name.copy(item, q); q += name.length;
        item[q] = 3; // state
        const cpf = Buffer.alloc(6);
        cpf.writeUInt16LE(1, 0);
        cpf.writeUInt16LE(0x0c, 2);
        cpf.writeUInt16LE(item.length, 4);
        send(cmd, 0, 0, Buffer.concat([cpf, item]));
        return;
      }
      case 0x65: // RegisterSession
        count(counters.encap, 'registerSession');
        if (body.length < 4 || body.readUInt16LE(0) !== 1) return send(cmd, 0, 0x69, body); // unsupported protocol revision
        state.session = ++nextSession;
        send(cmd, state.session, 0, body);
        return;
      case 0x66: // UnRegisterSession: no reply, the target closes
        count(counters.encap, 'unregisterSession');
        sock.end();
        return;
      case 0x6f: { // SendRRData
        count(counters.encap, 'sendRRData');
        if (session === 0 || session !== state.session) return send(cmd, session, 0x64, Buffer.alloc(0)); // invalid session handle
        const items = body.readUInt16LE(6);
        let off = 8;
        let msg: Buffer | null = null;
        for (let i = 0; i < items; i++) {
          const type = body.readUInt16LE(off);
          const len = body.readUInt16LE(off + 2);
          if (type === 0xb2) msg = body.subarray(off + 4, off + 4 + len);
          off += 4 + len;
        }
        if (!msg) return send(cmd, session, 0x03, Buffer.alloc(0)); // incorrect data
        counters.requests++;
        const r = handleMr(msg, true);
        const out = Buffer.alloc(16);
        out.writeUInt16LE(2, 6);
        out.writeUInt16LE(0x0000, 8);
        out.writeUInt16LE(0xb2, 12);
        out.writeUInt16LE(r.length, 14);
        send(cmd, session, 0, Buffer.concat([out, r]));
        return;
      }
      default:
        count(counters.encap, `unsupported-0x${cmd.toString(16)}`);
        send(cmd, session, 0x01, Buffer.alloc(0)); // invalid or unsupported command
    }
  }

  const start = () => new Promise<void>((resolveStart, reject) => {
    const s = net.createServer((sock) => {
      counters.connections++;
      sockets.add(sock);
      const state = { session: 0 };
      let rx = Buffer.alloc(0);
      sock.on('data', (d) => {
        rx = Buffer.concat([rx, d]);
        while (rx.length >= 24) {
          const len = rx.readUInt16LE(2);
          if (rx.length < 24 + len) break;
          const frame = rx.subarray(0, 24 + len);
          rx = rx.subarray(24 + len);
          if (!silent) onFrame(sock, state, frame);
        }
      });
      sock.on('error', () => {});
      sock.on('close', () => sockets.delete(sock));
    });
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => { server = s; resolveStart(); });
  });
  const stop = () => new Promise<void>((res) => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (!server) return res();
    server.close(() => res());
    server = null;
  });
  await start();

  const atomicAt = (name: string): { node: Extract<Node, { kind: 'atomic' }>; index: number } => {
    const parts = name.split('.');
    let path = Buffer.alloc(0);
    const pm = /^(Program:\w+)\.(.*)$/i.exec(name);
    const segs = pm ? [pm[1], ...pm[2].split('.')] : parts;
    for (const s of segs) {
      const m = /^([\w:]+)(?:\[(\d+)\])?$/.exec(s)!;
      const sym = Buffer.from(m[1], 'ascii');
      const seg = Buffer.alloc(2 + sym.length + (sym.length % 2));
      seg[0] = 0x91; seg[1] = sym.length; sym.copy(seg, 2);
      path = Buffer.concat([path, seg, m[2] !== undefined ? Buffer.from([0x28, Number(m[2])]) : Buffer.alloc(0)]);
    }
    const r = resolve(path);
    if (r.node.kind !== 'atomic') throw new Error(`${name}: not an atomic tag`);
    return { node: r.node, index: r.index };
  };

  return {
    host: '127.0.0.1', port, counters,
    resetCounters() { Object.assign(counters, newCounters()); },
    get(name) { const { node, index } = atomicAt(name); return index < 0 ? [...node.values] : [node.values[index]]; },
    set(name, value) {
      const { node, index } = atomicAt(name);
      const vals = Array.isArray(value) ? value : [value];
      vals.forEach((v, i) => { node.values[(index < 0 ? 0 : index) + i] = v; });
    },
    dropConnections() { for (const s of sockets) s.destroy(); sockets.clear(); },
    setSilent(v) { silent = v; },
    stop, start,
    dispose: stop,
  };
}
