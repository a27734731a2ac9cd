// The poll node every polled protocol has (modbus-poll, eip-poll): reads its poll groups and
// tag table (JSON rows from the editor, or CSV), runs the protocol's poller on the device
// config node's shared connection, emits samples as one batch or one message per sample,
// shows the link state and rate, and answers "csv" (the table) and "stats" on its input.
import { parseGroups, type PollGroup } from '../../runtime/devices';
import { toWireSample, type Sample } from '../../runtime/model';
import type { DeviceNode } from './device-config-node';
import { RateMeter } from './rate-meter';
import { formatRate, type NodeDef, type RED, type RedNode } from './red';

/** The connection as the poll node shows it. */
interface PolledConnection {
  readonly state: string;
  readonly lastError: Error | null;
}

interface Poller {
  start(): void;
  stop(): void;
}

export interface PollNodeSpec<T, C extends PolledConnection, P extends Poller> {
  /** node type, e.g. "modbus-poll" */
  type: string;
  /** its device config node's type, for the error when none is set */
  deviceType: string;
  /** topic of a batch when the config names none */
  topic: string;
  /** raw rows of the CSV form of the tag table */
  fromCsv(text: string): unknown;
  /** validated tag table */
  parseTable(rows: unknown, groups: PollGroup[]): T[];
  toCsv(tags: T[]): string;
  poller(o: { connection: C; groups: PollGroup[]; tags: T[]; emit: (s: Sample[]) => void; warn: (m: string) => void }, config: NodeDef): P;
  /** the answer to "stats" */
  stats(p: P | null): unknown;
}

/** A JSON config field that the editor may store as text. */
function rows(v: unknown, field: string): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new Error(`${field}: not valid JSON`);
  }
}

export function registerPollNode<T, C extends PolledConnection, P extends Poller>(RED: RED, spec: PollNodeSpec<T, C, P>): void {
  RED.nodes.registerType(spec.type, function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const meter = new RateMeter();
    let poller: P | null = null;
    let tags: T[] = [];
    let statusTimer: NodeJS.Timeout | null = null;
    const single = config.output === 'single';
    const topic = typeof config.topic === 'string' && config.topic ? config.topic : spec.topic;

    const emit = (samples: Sample[]) => {
      meter.add(samples.length);
      if (single) for (const s of samples) { const w = toWireSample(s); node.send({ topic: w.tag, payload: w.value, timestamp: w.ts, quality: w.quality }); }
      else node.send({ topic, payload: samples.map(toWireSample) });
    };

    try {
      const device = RED.nodes.getNode(String(config.device ?? '')) as DeviceNode<C> | null;
      if (!device) throw new Error(`device: no ${spec.deviceType} configured`);
      const groups = parseGroups(rows(config.groups, 'groups'));
      const rawTags = typeof config.csv === 'string' && config.csv.trim() ? spec.fromCsv(config.csv) : rows(config.tags, 'tags');
      tags = spec.parseTable(rawTags, groups);
      const conn = device.connection();
      poller = spec.poller({ connection: conn, groups, tags, emit, warn: (m) => node.warn(m) }, config);
      poller.start();
      const show = () => {
        const st = conn.state;
        const text = st === 'connected' ? `${formatRate(meter.perSecond())} · ${tags.length} tags` : `${st}${conn.lastError ? `: ${conn.lastError.message}` : ''}`;
        node.status({ fill: st === 'connected' ? 'green' : st === 'connecting' ? 'yellow' : 'red', shape: st === 'connected' ? 'dot' : 'ring', text });
      };
      show();
      statusTimer = setInterval(show, 1000);
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }

    node.on('input', (msg, send, done) => {
      const cmd = typeof msg.payload === 'string' ? msg.payload.toLowerCase() : '';
      if (cmd === 'csv') send({ ...msg, payload: spec.toCsv(tags) });
      else if (cmd === 'stats') send({ ...msg, payload: spec.stats(poller) });
      else return done(new Error(`msg.payload: expected "csv" or "stats" (got ${JSON.stringify(msg.payload)})`));
      done();
    });
    node.on('close', (_removed, done) => {
      poller?.stop();
      poller = null;
      if (statusTimer) clearInterval(statusTimer);
      node.status({});
      done();
    });
  });
}
