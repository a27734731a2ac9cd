// A thin OPC UA subscription client on node-opcua: one session, one subscription, one
// monitored item per node id; each DataValue becomes a sample with the source timestamp
// and the StatusCode mapped to a quality. node-opcua reconnects with its own exponential
// backoff; while the link is down every tag gets BAD_NOT_CONNECTED once, and after the
// session is back the current values are read again so tags turn GOOD without waiting for
// a change. Security (security.ts, cert-store.ts): None, Sign or SignAndEncrypt with the
// Basic256Sha256 / Aes128_Sha256_RsaOaep / Aes256_Sha256_RsaPss policies, anonymous, user
// name or user certificate identity; server certificates are checked against the store in
// the data directory and never accepted unseen.
import {
  AttributeIds, BrowseDirection, ClientMonitoredItem, ClientSession, ClientSubscription, DataType, DataValue,
  NodeClass, OPCUAClient, TimestampsToReturn, type UserIdentityInfo,
} from 'node-opcua';
import { QUALITY_CODES, type Sample } from '../../model';
import { joinTag } from '../tag-path';
import { statusToQuality } from './status-quality';
import { Backoff } from '../../platform';
import { sharedCertificateManager } from './cert-store';
import { toMessageSecurityMode, toSecurityPolicy, toUserIdentity, type OpcuaSecurity, type OpcuaUser } from './security';

export interface OpcuaItem {
  nodeId: string;
  tag: string;
}

export interface SubscriberOptions {
  endpoint: string;
  items: OpcuaItem[];
  /** ms, default 1000 */
  samplingInterval?: number;
  /** ms, default = samplingInterval */
  publishingInterval?: number;
  /** node-opcua reconnect backoff (ms) */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** certificate store (own certificate, trusted/rejected servers); default: node-opcua's per-user folder */
  pkiDir?: string;
  /** message security, default None/None */
  security?: OpcuaSecurity;
  /** user identity, default anonymous */
  user?: OpcuaUser;
  emit: (samples: Sample[]) => void;
  onState?: (state: 'connecting' | 'connected' | 'disconnected' | 'closed', detail?: string) => void;
  now?: () => number;
}

export function validateItems(items: unknown): OpcuaItem[] {
  if (!Array.isArray(items)) throw new Error('items: must be an array of {nodeId, tag}');
  const seen = new Set<string>();
  return items.map((it, i) => {
    const o = (it ?? {}) as Record<string, unknown>;
    const nodeId = String(o.nodeId ?? '').trim();
    if (!/^(ns=\d+;)?[isgb]=.+$/.test(nodeId)) throw new Error(`items[${i}].nodeId: must look like "ns=2;s=Temperature" or "i=2258" (got ${JSON.stringify(o.nodeId)})`);
    const tag = joinTag(String(o.tag ?? '').trim(), [], `items[${i}].tag`);
    if (seen.has(tag)) throw new Error(`items[${i}].tag: "${tag}" appears twice`);
    seen.add(tag);
    return { nodeId, tag };
  });
}

export function dataValueToSample(tag: string, dv: DataValue, now: number, last?: number): Sample | null {
  const quality = statusToQuality(dv.statusCode?.value ?? 0);
  const ts = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? now;
  const v = dv.value?.value;
  let value: number | undefined;
  if (typeof v === 'number') value = v;
  else if (typeof v === 'boolean') value = v ? 1 : 0;
  else if (v instanceof Date) value = v.getTime();
  else if (Array.isArray(v) && v.length === 2 && (dv.value.dataType === DataType.Int64 || dv.value.dataType === DataType.UInt64)) value = v[0] * 4294967296 + (v[1] >>> 0);
  if (value === undefined || !Number.isFinite(value)) {
    if (quality === QUALITY_CODES.GOOD) return null; // strings, structures: not a sample
    value = last ?? 0;
  }
  return { tag, ts: Math.round(ts), value, quality };
}

export interface BrowsedVariable {
  nodeId: string;
  browsePath: string;
  displayName: string;
  dataType: string;
}

/** Walks the address space below `root` (default ObjectsFolder) and lists every Variable. */
export async function browseVariables(session: ClientSession, root = 'ObjectsFolder', maxDepth = 6, maxNodes = 5000): Promise<BrowsedVariable[]> {
  const out: BrowsedVariable[] = [];
  const seen = new Set<string>();
  const queue: Array<{ nodeId: string; path: string; depth: number }> = [{ nodeId: root, path: '', depth: 0 }];
  while (queue.length && out.length < maxNodes) {
    const cur = queue.shift()!;
    const res = await session.browse({
      nodeId: cur.nodeId, referenceTypeId: 'HierarchicalReferences', includeSubtypes: true,
      browseDirection: BrowseDirection.Forward, nodeClassMask: NodeClass.Object | NodeClass.Variable, resultMask: 63,
    });
    for (const ref of res.references ?? []) {
      const id = ref.nodeId.toString();
      if (seen.has(id)) continue;
      seen.add(id);
      // The Server object holds hundreds of diagnostics variables nobody historises.
      if (id === 'ns=0;i=2253' || id === 'i=2253') continue;
      const path = cur.path ? `${cur.path}/${ref.browseName.name}` : String(ref.browseName.name);
      if (ref.nodeClass === NodeClass.Variable) out.push({ nodeId: id, browsePath: path, displayName: ref.displayName.text ?? String(ref.browseName.name), dataType: '' });
      if (cur.depth + 1 < maxDepth) queue.push({ nodeId: id, path, depth: cur.depth + 1 });
    }
  }
  if (out.length) {
    const dts = await session.read(out.map((v) => ({ nodeId: v.nodeId, attributeId: AttributeIds.DataType })));
    dts.forEach((dv, i) => {
      const id = dv.value?.value;
      out[i].dataType = id && typeof id.value === 'number' && id.namespace === 0 ? (DataType[id.value] ?? String(id)) : String(id ?? '');
    });
  }
  return out;
}

export class OpcuaSubscriber {
  private client: OPCUAClient | null = null;
  private session: ClientSession | null = null;
  private subscription: ClientSubscription | null = null;
  private readonly items: OpcuaItem[];
  private readonly last = new Map<string, { value: number; quality: number }>();
  private readonly now: () => number;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryWake: (() => void) | null = null;
  monitored: ClientMonitoredItem[] = [];

  constructor(private readonly o: SubscriberOptions) {
    if (!/^opc\.tcp:\/\/.+/.test(o.endpoint)) throw new Error(`endpoint: must be an opc.tcp:// URL (got ${JSON.stringify(o.endpoint)})`);
    this.items = validateItems(o.items);
    this.now = o.now ?? Date.now;
  }

  private state(s: 'connecting' | 'connected' | 'disconnected' | 'closed', detail?: string) {
    this.o.onState?.(s, detail);
  }

  private deliver(samples: Sample[]): void {
    for (const s of samples) this.last.set(s.tag, { value: s.value, quality: s.quality });
    if (samples.length) this.o.emit(samples);
  }

  private markDisconnected(): void {
    const ts = this.now();
    const out: Sample[] = [];
    for (const it of this.items) {
      const l = this.last.get(it.tag);
      if (l?.quality === QUALITY_CODES.BAD_NOT_CONNECTED) continue;
      out.push({ tag: it.tag, ts, value: l?.value ?? 0, quality: QUALITY_CODES.BAD_NOT_CONNECTED });
    }
    this.deliver(out);
  }

  /**
   * Connects and subscribes; resolves once subscribed. A failed first connection (server
   * down, server certificate not trusted yet, identity refused) is retried with backoff until
   * close(): trusting the certificate in the store is enough, no redeploy. Rejects only for
   * configuration errors (unreadable user certificate or key).
   */
  async start(): Promise<void> {
    // Read the user's key and certificate before connecting: a bad file is a configuration error, not a retry.
    const identity = toUserIdentity(this.o.user ?? { kind: 'anonymous' });
    const backoff = new Backoff({ initialMs: this.o.reconnectInitialMs ?? 500, maxMs: this.o.reconnectMaxMs ?? 10_000 });
    for (;;) {
      this.state('connecting');
      try {
        await this.open(identity);
        return;
      } catch (e) {
        if (this.closed) return;
        await this.dropClient();
        this.state('disconnected', (e as Error).message.split('\n')[0]);
        this.markDisconnected();
        await new Promise<void>((resolve) => {
          this.retryWake = resolve;
          this.retryTimer = setTimeout(resolve, backoff.next());
        });
        this.retryTimer = null;
        if (this.closed) return;
      }
    }
  }

  private async dropClient(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.session = null;
    this.subscription = null;
    try { await c?.disconnect(); } catch { /* already down */ }
  }

  private async open(identity: UserIdentityInfo): Promise<void> {
    const security = this.o.security ?? { mode: 'None', policy: 'None' };
    const client = OPCUAClient.create({
      applicationName: 'historian',
      applicationUri: 'urn:historian:opcua-client',
      endpointMustExist: false,
      securityMode: toMessageSecurityMode(security.mode),
      securityPolicy: toSecurityPolicy(security.policy),
      keepSessionAlive: true,
      connectionStrategy: { initialDelay: this.o.reconnectInitialMs ?? 500, maxDelay: this.o.reconnectMaxMs ?? 10_000, maxRetry: -1 },
      ...(this.o.pkiDir ? { clientCertificateManager: await sharedCertificateManager(this.o.pkiDir) } : {}),
    });
    this.client = client;
    // Each failed attempt (untrusted server certificate, refused identity, no server) is reported, not only the first.
    client.on('backoff', (retry: number, delay: number) => this.state('connecting', `retry ${retry} in ${Math.round(delay)} ms`));
    client.on('connection_lost', () => {
      this.state('disconnected', 'connection lost');
      this.markDisconnected();
    });
    client.on('connection_reestablished', () => {
      this.state('connected');
      void this.readAll().catch(() => {});
    });
    // node-opcua retries a refused first connection itself only for network errors; one attempt here, the loop in start() retries.
    await client.connect(this.o.endpoint);
    if (this.closed) return;
    try {
      this.session = await client.createSession(identity);
    } catch (e) {
      throw new Error(`session refused by the server (${this.o.user?.kind ?? 'anonymous'} identity): ${(e as Error).message.split('\n')[0]}`);
    }
    const sampling = this.o.samplingInterval ?? 1000;
    this.subscription = await this.session.createSubscription2({
      requestedPublishingInterval: this.o.publishingInterval ?? sampling,
      requestedLifetimeCount: 600, requestedMaxKeepAliveCount: 20, maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 1,
    });
    for (const it of this.items) {
      const mi = await this.subscription.monitor(
        { nodeId: it.nodeId, attributeId: AttributeIds.Value },
        { samplingInterval: sampling, discardOldest: true, queueSize: 100 },
        TimestampsToReturn.Both,
      );
      mi.on('changed', (dv: DataValue) => {
        const s = dataValueToSample(it.tag, dv, this.now(), this.last.get(it.tag)?.value);
        if (s) this.deliver([s]);
      });
      // a node id the server does not know (BadNodeIdUnknown) fails the item, not the subscription
      mi.on('err', () => this.deliver([{ tag: it.tag, ts: this.now(), value: this.last.get(it.tag)?.value ?? 0, quality: QUALITY_CODES.BAD_CONFIG_ERROR }]));
      this.monitored.push(mi);
    }
    this.state('connected');
  }

  /** Reads every item once (after a reconnect). */
  async readAll(): Promise<void> {
    if (!this.session) return;
    const dvs = await this.session.read(this.items.map((it) => ({ nodeId: it.nodeId, attributeId: AttributeIds.Value })));
    const out: Sample[] = [];
    dvs.forEach((dv, i) => {
      const s = dataValueToSample(this.items[i].tag, dv, this.now(), this.last.get(this.items[i].tag)?.value);
      if (s) out.push(s);
    });
    this.deliver(out);
  }

  async browse(root?: string): Promise<BrowsedVariable[]> {
    if (!this.session) throw new Error('browse: not connected to the server');
    return browseVariables(this.session, root);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryWake?.();
    try {
      await this.subscription?.terminate();
    } catch { /* server gone */ }
    try {
      await this.session?.close();
    } catch { /* server gone */ }
    try {
      await this.client?.disconnect();
    } catch { /* already down */ }
    this.subscription = null;
    this.session = null;
    this.client = null;
    this.state('closed');
  }
}

/** Connects, browses and disconnects: for the editor's tag picker. */
export async function browseEndpoint(endpoint: string, o: { root?: string; pkiDir?: string; timeoutMs?: number; security?: OpcuaSecurity; user?: OpcuaUser } = {}): Promise<BrowsedVariable[]> {
  if (!/^opc\.tcp:\/\/.+/.test(endpoint)) throw new Error(`endpoint: must be an opc.tcp:// URL (got ${JSON.stringify(endpoint)})`);
  const security = o.security ?? { mode: 'None', policy: 'None' };
  const identity = toUserIdentity(o.user ?? { kind: 'anonymous' });
  const client = OPCUAClient.create({
    applicationName: 'historian-browse', applicationUri: 'urn:historian:opcua-client', endpointMustExist: false,
    securityMode: toMessageSecurityMode(security.mode), securityPolicy: toSecurityPolicy(security.policy),
    connectionStrategy: { initialDelay: 200, maxDelay: 1000, maxRetry: 1 }, requestedSessionTimeout: o.timeoutMs ?? 10_000,
    ...(o.pkiDir ? { clientCertificateManager: await sharedCertificateManager(o.pkiDir) } : {}),
  });
  await client.connect(endpoint);
  try {
    const session = await client.createSession(identity);
    try {
      return await browseVariables(session, o.root);
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
}
