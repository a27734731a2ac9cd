// Protobuf decoding of Sparkplug B payloads with the Eclipse Tahu schema shipped by
// `sparkplug-payload`. We decode the raw protobuf rather than use the package's
// decodePayload: DATA messages may omit a metric's datatype (it was given at BIRTH), and
// the raw form tells which value field is set.
import { get } from 'sparkplug-payload';
import * as proto from 'sparkplug-payload/lib/sparkplugPayloadProto';

const Payload = proto.org.eclipse.tahu.protobuf.Payload;

export interface RawMetric {
  name?: string;
  alias?: number;
  timestamp?: number;
  datatype?: number;
  isNull: boolean;
  /** the value as a JS value (numbers, booleans, strings), undefined for complex types */
  value: unknown;
  /** the protobuf value field that was set, and its raw content */
  field?: string;
  raw?: unknown;
  properties?: Record<string, unknown>;
}

export interface RawPayload {
  timestamp?: number;
  seq?: number;
  metrics: RawMetric[];
}

export const DATA_TYPES: Record<number, string> = {
  1: 'Int8', 2: 'Int16', 3: 'Int32', 4: 'Int64', 5: 'UInt8', 6: 'UInt16', 7: 'UInt32', 8: 'UInt64', 9: 'Float', 10: 'Double',
  11: 'Boolean', 12: 'String', 13: 'DateTime', 14: 'Text', 15: 'UUID', 16: 'DataSet', 17: 'Bytes', 18: 'File', 19: 'Template',
  20: 'PropertySet', 21: 'PropertySetList',
};

interface LongLike { low: number; high: number; unsigned?: boolean }

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).low === 'number' && typeof (v as LongLike).high === 'number';
}

// 64-bit protobuf integers arrive as protobufjs Long objects (or plain numbers).
function toBigInt(v: unknown): bigint {
  if (isLong(v)) return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return BigInt(Math.trunc(Number(v)));
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (isLong(v)) return Number(BigInt.asUintN(64, toBigInt(v)));
  return Number(v);
}

/** Converts a protobuf scalar to a JS value, signed or unsigned as `datatype` says. */
export function scalarValue(datatype: number | undefined, field: string | undefined, raw: unknown): unknown {
  if (raw === undefined || raw === null || !field) return undefined;
  switch (field) {
    case 'intValue': {
      const v = Number(raw) >>> 0;
      if (datatype === 1) return (v << 24) >> 24;
      if (datatype === 2) return (v << 16) >> 16;
      if (datatype === 3) return v | 0;
      return v;
    }
    case 'longValue': {
      const b = toBigInt(raw);
      return Number(datatype === 4 ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b));
    }
    case 'floatValue': case 'doubleValue': case 'booleanValue': case 'stringValue': return raw;
    default: return undefined;
  }
}

function properties(m: proto.org.eclipse.tahu.protobuf.Payload.IMetric): Record<string, unknown> | undefined {
  const ps = m.properties;
  if (!ps || !ps.keys || !ps.values) return undefined;
  const out: Record<string, unknown> = {};
  ps.keys.forEach((k, i) => {
    const pv = ps.values![i] as Record<string, unknown> & { type?: number };
    const field = ['intValue', 'longValue', 'floatValue', 'doubleValue', 'booleanValue', 'stringValue'].find((f) => pv[f] !== undefined && pv[f] !== null);
    out[k] = scalarValue(pv.type ?? undefined, field, field ? pv[field] : undefined);
  });
  return out;
}

/** Decodes a binary payload; throws naming msg.payload when it is not a Sparkplug B payload. */
export function decodePayload(buf: Uint8Array): RawPayload {
  let p: proto.org.eclipse.tahu.protobuf.Payload;
  try {
    p = Payload.decode(buf);
  } catch (e) {
    throw new Error(`msg.payload: not a Sparkplug B protobuf payload (${(e as Error).message})`);
  }
  // protobufjs puts proto2 defaults (0, "") on the prototype: only own properties were sent.
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  const metrics = (p.metrics ?? []).map((m): RawMetric => {
    const field = (m as unknown as { value?: string }).value;
    const datatype = has(m, 'datatype') ? (m.datatype ?? undefined) : undefined;
    return {
      name: has(m, 'name') ? (m.name ?? undefined) : undefined,
      alias: has(m, 'alias') ? num(m.alias) : undefined,
      timestamp: has(m, 'timestamp') ? num(m.timestamp) : undefined,
      datatype,
      isNull: has(m, 'isNull') && m.isNull === true,
      field,
      raw: field ? (m as unknown as Record<string, unknown>)[field] : undefined,
      value: scalarValue(datatype ?? undefined, field, field ? (m as unknown as Record<string, unknown>)[field] : undefined),
      properties: properties(m),
    };
  });
  return { timestamp: has(p, 'timestamp') ? num(p.timestamp) : undefined, seq: has(p, 'seq') ? num(p.seq) : undefined, metrics };
}

/** Encodes the NCMD asking an edge node to publish its births again. */
export function encodeRebirthRequest(now: number): Buffer {
  const sp = get('spBv1.0')!;
  return Buffer.from(sp.encodePayload({ timestamp: now, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] }));
}
