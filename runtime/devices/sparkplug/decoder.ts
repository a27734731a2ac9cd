// Host-application state for Sparkplug B: what each edge node and device announced at
// BIRTH (metric names, aliases, data types, last values), the expected `seq`, and whether
// it is online. DATA messages are resolved against it; a gap in `seq`, an unknown alias or
// DATA from a node we never saw born asks for a rebirth; a DEATH marks every metric of the
// node (or device) BAD_NOT_CONNECTED. Tag paths: <prefix>.<group>.<edge>[.<device>].<metric>,
// metric names split on "/" into segments, other characters outside [A-Za-z0-9_-] → "_".
import { QUALITY_CODES, type Sample } from '../../model';
import { joinTag, nameToSegments, sanitizeSegment } from '../tag-path';
import { decodePayload, encodeRebirthRequest, scalarValue, type RawMetric, type RawPayload } from './payload';
import { parseTopic, rebirthTopic, type SparkplugTopic } from './topic';

const GOOD = QUALITY_CODES.GOOD;
const BAD_NOT_CONNECTED = QUALITY_CODES.BAD_NOT_CONNECTED;
const BAD_NO_DATA = QUALITY_CODES.BAD_NO_DATA;

interface MetricState {
  name: string;
  tag: string;
  datatype?: number;
  value?: number;
  /** a sample was sent for it (non-numeric metrics never are, so death does not mark them) */
  emitted?: boolean;
}

interface DeviceState {
  online: boolean;
  metrics: Map<string, MetricState>;
}

interface NodeState {
  online: boolean;
  bdSeq?: number;
  nextSeq: number;
  /** alias → metric, shared by the node and its devices (aliases are unique per edge node) */
  aliases: Map<number, { device: string | null; metric: MetricState }>;
  metrics: Map<string, MetricState>;
  devices: Map<string, DeviceState>;
  rebirthAskedAt?: number;
}

export interface RebirthRequest {
  topic: string;
  payload: Buffer;
  reason: string;
}

export interface DecodeResult {
  samples: Sample[];
  rebirth?: RebirthRequest;
  /** problems worth a warning (seq gap, unknown alias, non-numeric metric skipped) */
  warnings: string[];
}

export interface DecoderOptions {
  /** dotted tag prefix, e.g. "acme.mqtt"; empty for none */
  prefix?: string;
  /** minimum time between two rebirth requests to the same edge node (ms), default 5000 */
  rebirthIntervalMs?: number;
  /** also emit the node's "bdSeq" and "Node Control/*" metrics (default false) */
  includeControl?: boolean;
  now?: () => number;
}

export interface DecoderStats {
  messages: number;
  samples: number;
  rebirths: number;
  seqErrors: number;
  skipped: number;
}

/** Qualities sent by Ignition-style edge nodes as a metric property "Quality" (OPC DA codes). */
function propertyQuality(m: RawMetric): number | undefined {
  const q = m.properties?.Quality ?? m.properties?.quality;
  if (typeof q !== 'number') return undefined;
  if (q >= 192) return GOOD;
  if (q >= 64) return QUALITY_CODES.UNCERTAIN;
  return QUALITY_CODES.BAD;
}

export class SparkplugDecoder {
  private nodes = new Map<string, NodeState>();
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly rebirthIntervalMs: number;
  private readonly includeControl: boolean;
  readonly stats: DecoderStats = { messages: 0, samples: 0, rebirths: 0, seqErrors: 0, skipped: 0 };

  constructor(o: DecoderOptions = {}) {
    this.prefix = o.prefix ?? '';
    if (this.prefix) joinTag(this.prefix, [], 'prefix');
    this.now = o.now ?? Date.now;
    this.rebirthIntervalMs = o.rebirthIntervalMs ?? 5000;
    this.includeControl = o.includeControl ?? false;
  }

  /** The tag path of a metric. */
  tagFor(group: string, edge: string, device: string | null, metric: string): string {
    const segs = [sanitizeSegment(group), sanitizeSegment(edge)];
    if (device !== null) segs.push(sanitizeSegment(device));
    return joinTag(this.prefix, [...segs, ...nameToSegments(metric, /\//)], 'metric');
  }

  /** True when the edge node (and device, if given) is known online. */
  isOnline(group: string, edge: string, device?: string): boolean {
    const n = this.nodes.get(`${group}/${edge}`);
    if (!n?.online) return false;
    return device === undefined ? true : n.devices.get(device)?.online === true;
  }

  handle(topic: unknown, payload: unknown): DecodeResult {
    const t = parseTopic(topic);
    if (t.type === 'STATE' || t.type === 'NCMD' || t.type === 'DCMD') return { samples: [], warnings: [] };
    if (!(payload instanceof Uint8Array)) {
      throw new Error(`msg.payload: must be a Buffer (set the mqtt in node's output to "a Buffer"; got ${typeof payload})`);
    }
    const p = decodePayload(payload);
    this.stats.messages++;
    const res: DecodeResult = { samples: [], warnings: [] };
    const key = `${t.group}/${t.edge}`;
    switch (t.type) {
      case 'NBIRTH': this.nbirth(t, key, p, res); break;
      case 'NDEATH': this.ndeath(t, key, p, res); break;
      case 'DBIRTH': this.dbirth(t, key, p, res); break;
      case 'DDEATH': this.ddeath(t, key, p, res); break;
      case 'NDATA': case 'DDATA': this.data(t, key, p, res); break;
    }
    this.stats.samples += res.samples.length;
    return res;
  }

  private askRebirth(t: SparkplugTopic, node: NodeState | undefined, reason: string, res: DecodeResult): void {
    res.warnings.push(`${t.group}/${t.edge}: ${reason}; requesting rebirth`);
    const now = this.now();
    if (node?.rebirthAskedAt !== undefined && now - node.rebirthAskedAt < this.rebirthIntervalMs) return;
    if (node) node.rebirthAskedAt = now;
    else this.nodes.set(`${t.group}/${t.edge}`, { online: false, nextSeq: 0, aliases: new Map(), metrics: new Map(), devices: new Map(), rebirthAskedAt: now });
    this.stats.rebirths++;
    res.rebirth = { topic: rebirthTopic(t.group, t.edge), payload: encodeRebirthRequest(now), reason };
  }

  private checkSeq(t: SparkplugTopic, node: NodeState, p: RawPayload, res: DecodeResult): boolean {
    if (p.seq === undefined) return true;
    const ok = p.seq === node.nextSeq;
    if (!ok) {
      this.stats.seqErrors++;
      this.askRebirth(t, node, `${t.type} seq ${p.seq}, expected ${node.nextSeq}`, res);
    }
    node.nextSeq = (p.seq + 1) % 256;
    return ok;
  }

  private isControl(name: string): boolean {
    return name === 'bdSeq' || name.startsWith('Node Control/') || name.startsWith('Device Control/');
  }

  private learn(t: SparkplugTopic, node: NodeState, device: string | null, target: Map<string, MetricState>, p: RawPayload, res: DecodeResult): void {
    for (const m of p.metrics) {
      if (!m.name) {
        res.warnings.push(`${t.type} metric without a name skipped`);
        continue;
      }
      let tag: string;
      try {
        tag = this.tagFor(t.group, t.edge, device, m.name);
      } catch (e) {
        res.warnings.push((e as Error).message);
        this.stats.skipped++;
        continue;
      }
      const state: MetricState = { name: m.name, tag, datatype: m.datatype };
      target.set(m.name, state);
      if (m.alias !== undefined) node.aliases.set(m.alias, { device, metric: state });
      if (!this.includeControl && this.isControl(m.name)) continue;
      this.sample(state, m, p, res);
    }
  }

  private sample(state: MetricState, m: RawMetric, p: RawPayload, res: DecodeResult): void {
    const ts = m.timestamp ?? p.timestamp ?? this.now();
    if (m.isNull) {
      state.emitted = true;
      res.samples.push({ tag: state.tag, ts, value: state.value ?? 0, quality: BAD_NO_DATA });
      return;
    }
    let v = m.value;
    if (typeof v === 'boolean') v = v ? 1 : 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.stats.skipped++;
      return;
    }
    state.value = v;
    state.emitted = true;
    res.samples.push({ tag: state.tag, ts, value: v, quality: propertyQuality(m) ?? GOOD });
  }

  private nbirth(t: SparkplugTopic, key: string, p: RawPayload, res: DecodeResult): void {
    const bd = p.metrics.find((m) => m.name === 'bdSeq');
    const node: NodeState = {
      online: true, bdSeq: typeof bd?.value === 'number' ? bd.value : undefined, nextSeq: ((p.seq ?? 0) + 1) % 256,
      aliases: new Map(), metrics: new Map(), devices: new Map(),
    };
    this.nodes.set(key, node);
    this.learn(t, node, null, node.metrics, p, res);
  }

  private dbirth(t: SparkplugTopic, key: string, p: RawPayload, res: DecodeResult): void {
    const node = this.nodes.get(key);
    if (!node?.online) return this.askRebirth(t, node, `DBIRTH for ${t.device} before NBIRTH`, res);
    this.checkSeq(t, node, p, res);
    const dev: DeviceState = { online: true, metrics: new Map() };
    // Drop the device's old aliases: a rebirth may renumber them.
    for (const [a, e] of node.aliases) if (e.device === t.device) node.aliases.delete(a);
    node.devices.set(t.device!, dev);
    this.learn(t, node, t.device!, dev.metrics, p, res);
  }

  private data(t: SparkplugTopic, key: string, p: RawPayload, res: DecodeResult): void {
    const node = this.nodes.get(key);
    if (!node?.online) return this.askRebirth(t, node, `${t.type} from an edge node not born`, res);
    this.checkSeq(t, node, p, res);
    const deviceName = t.device ?? null;
    let metrics = node.metrics;
    if (deviceName !== null) {
      const dev = node.devices.get(deviceName);
      if (!dev?.online) return this.askRebirth(t, node, `DDATA from device ${deviceName} not born`, res);
      metrics = dev.metrics;
    }
    for (const m of p.metrics) {
      const state = m.name !== undefined ? metrics.get(m.name) : m.alias !== undefined ? node.aliases.get(m.alias)?.metric : undefined;
      if (!state) {
        this.askRebirth(t, node, `unknown metric ${m.name ?? `alias ${m.alias}`}`, res);
        continue;
      }
      if (!this.includeControl && this.isControl(state.name)) continue;
      // DATA may omit the datatype; the signedness of integers then comes from the BIRTH.
      if (m.datatype === undefined && state.datatype !== undefined) m.value = scalarValue(state.datatype, m.field, m.raw);
      this.sample(state, m, p, res);
    }
  }

  private markDead(metrics: Iterable<MetricState>, ts: number, res: DecodeResult): void {
    for (const s of metrics) {
      if (!s.emitted) continue;
      res.samples.push({ tag: s.tag, ts, value: s.value ?? 0, quality: BAD_NOT_CONNECTED });
    }
  }

  private ndeath(t: SparkplugTopic, key: string, p: RawPayload, res: DecodeResult): void {
    const node = this.nodes.get(key);
    if (!node?.online) return;
    const bd = p.metrics.find((m) => m.name === 'bdSeq');
    // A will message left over from an older session must not kill the current one.
    if (node.bdSeq !== undefined && typeof bd?.value === 'number' && bd.value !== node.bdSeq) {
      res.warnings.push(`${t.group}/${t.edge}: stale NDEATH (bdSeq ${bd.value}, current ${node.bdSeq}) ignored`);
      return;
    }
    node.online = false;
    const ts = p.timestamp ?? this.now();
    this.markDead(node.metrics.values(), ts, res);
    for (const dev of node.devices.values()) {
      if (dev.online) this.markDead(dev.metrics.values(), ts, res);
      dev.online = false;
    }
  }

  private ddeath(t: SparkplugTopic, key: string, p: RawPayload, res: DecodeResult): void {
    const node = this.nodes.get(key);
    const dev = node?.devices.get(t.device!);
    if (!node || !dev?.online) return;
    this.checkSeq(t, node, p, res);
    dev.online = false;
    this.markDead(dev.metrics.values(), p.timestamp ?? this.now(), res);
  }
}
