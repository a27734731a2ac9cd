// A JetStream cluster of real `nats-server -js` processes on loopback (ARCHITECTURE.md §6):
// each node has its own client, route, monitor and (optionally) leaf-node port and its own
// store dir; the cluster is ready when every node reports the same JetStream meta leader
// and the full peer count. Leaf servers (a gateway's local nats-server) connect to it.
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './ports';
import { startNats, type NatsServer } from './nats';
import { makeTempDir, removeTempDir } from './tmp';
import { waitFor } from './wait';

export interface ClusterOptions {
  /** nodes (default 3) */
  size?: number;
  /** cluster name (default "hist") */
  name?: string;
  /** extra configuration text appended to every node's file (e.g. authorization, accounts) */
  extraConfig?: string;
  /** open a leaf-node listener on every node; the text goes inside `leafnodes { }` (e.g. authorization) */
  leafnodes?: string;
  /** a `tls { }` block for the cluster routes (nats-cluster-tls.ts makes the files and `routeTlsBlock`) */
  routeTls?: string;
}

export interface NatsCluster {
  readonly nodes: NatsServer[];
  /** client URLs of every node, comma-separated, for a client's `servers` */
  readonly urls: string[];
  /** nats-leaf://127.0.0.1:<port> of every node (when leafnodes were asked for) */
  readonly leafUrls: string[];
  readonly name: string;
  /** route ports of every node (nats-route://127.0.0.1:<port>) */
  readonly routeUrls: string[];
  /** the node the meta leader runs on, by index */
  metaLeader(): Promise<number>;
  /** waits until the running nodes agree on a meta leader and every one of `expectPeers` peers is current */
  waitForMetaLeader(o?: { timeoutMs?: number; expectPeers?: number }): Promise<string>;
  /** waits until `stream` has a leader and `replicas - 1` current replicas on running nodes */
  waitForStreamHealthy(stream: string, o?: { timeoutMs?: number }): Promise<void>;
  dispose(): Promise<void>;
}

interface Jsz { meta_cluster?: { name?: string; leader?: string; cluster_size?: number; replicas?: Array<{ name: string; current: boolean; offline?: boolean }> } }

async function jsz(node: NatsServer, q = ''): Promise<Jsz & Record<string, unknown>> {
  const r = await fetch(`${node.monitorUrl}/jsz${q}`, { signal: AbortSignal.timeout(2000) });
  return (await r.json()) as Jsz & Record<string, unknown>;
}

export async function startNatsCluster(o: ClusterOptions = {}): Promise<NatsCluster> {
  const size = o.size ?? 3;
  const name = o.name ?? 'hist';
  const root = await makeTempDir('historian-nats-cluster-');
  const routePorts: number[] = [];
  const leafPorts: number[] = [];
  const nodes: NatsServer[] = [];
  // A route or leaf port is written into every node's file, so a node that loses its port to
  // another process makes the whole cluster start again on new ports.
  for (let attempt = 1; ; attempt++) {
    routePorts.length = 0;
    leafPorts.length = 0;
    for (let i = 0; i < size; i++) {
      routePorts.push(await freePort());
      if (o.leafnodes !== undefined) leafPorts.push(await freePort());
    }
    // started together: a JetStream node waits for its peers before it elects a meta leader
    const started = await Promise.allSettled(Array.from({ length: size }, async (_, i) => {
      const storeDir = path.join(root, `a${attempt}`, `n${i}`);
      await fs.promises.mkdir(storeDir, { recursive: true });
      const conf = (sd: string) => [
        `server_name: ${name}-n${i}`,
        `jetstream { store_dir: ${JSON.stringify(path.join(sd, 'js'))} }`,
        'cluster {',
        `  name: ${name}`,
        `  listen: 127.0.0.1:${routePorts[i]}`,
        `  routes: [${routePorts.filter((_, k) => k !== i).map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}]`,
        ...(o.routeTls ? [`  ${o.routeTls}`] : []),
        '}',
        ...(o.leafnodes !== undefined ? ['leafnodes {', `  listen: 127.0.0.1:${leafPorts[i]}`, o.leafnodes, '}'] : []),
        o.extraConfig ?? '',
      ].join('\n') + '\n';
      return startNats({ storeDir, configText: conf });
    }));
    const up = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failed.length === 0) {
      nodes.push(...up);
      break;
    }
    await Promise.all(up.map((n) => n.dispose()));
    const retry = attempt < 3 && failed.every((e) => (e as { addressInUse?: boolean }).addressInUse);
    if (!retry) {
      await removeTempDir(root);
      throw failed[0];
    }
  }
  const cluster: NatsCluster = {
    nodes, name,
    urls: nodes.map((n) => n.url),
    routeUrls: routePorts.map((p) => `nats-route://127.0.0.1:${p}`),
    leafUrls: leafPorts.map((p) => `nats-leaf://127.0.0.1:${p}`),
    async metaLeader() {
      for (const n of nodes) {
        if (!n.isRunning()) continue;
        const j = await jsz(n).catch(() => null);
        const leader = j?.meta_cluster?.leader;
        if (leader) return Number(/-n(\d+)$/.exec(leader)?.[1] ?? -1);
      }
      return -1;
    },
    async waitForMetaLeader(w = {}) {
      const expectPeers = w.expectPeers ?? nodes.filter((n) => n.isRunning()).length;
      return waitFor(async () => {
        const running = nodes.map((n, i) => ({ n, i })).filter((x) => x.n.isRunning());
        const views = await Promise.all(running.map(async (x) => ({ i: x.i, v: await jsz(x.n) })));
        const leaders = new Set(views.map((x) => x.v.meta_cluster?.leader ?? ''));
        if (leaders.size !== 1 || leaders.has('')) return '';
        const leader = [...leaders][0];
        // the leader's own view lists the other peers and whether they are current
        const lv = views.find((x) => `${name}-n${x.i}` === leader)?.v;
        const current = (lv?.meta_cluster?.replicas ?? []).filter((r) => r.current && !r.offline).length + 1;
        return current >= expectPeers ? leader : '';
      }, { timeoutMs: w.timeoutMs ?? 30_000, intervalMs: 100, what: `JetStream meta leader with ${expectPeers} current peers in cluster ${name}` });
    },
    async waitForStreamHealthy(stream, w = {}) {
      await waitFor(async () => {
        for (const n of nodes) {
          if (!n.isRunning()) continue;
          const j = await jsz(n, '?accounts=true&streams=true') as { account_details?: Array<{ stream_detail?: Array<{ name: string; cluster?: { leader?: string; replicas?: Array<{ current: boolean; offline?: boolean }> }; config?: { num_replicas?: number } }> }> };
          for (const a of j.account_details ?? []) {
            const s = a.stream_detail?.find((x) => x.name === stream);
            if (!s?.cluster?.leader) continue;
            const want = (s.config?.num_replicas ?? 1) - 1;
            const ok = (s.cluster.replicas ?? []).filter((r) => r.current && !r.offline).length;
            if (ok >= want) return true;
          }
        }
        return false;
      }, { timeoutMs: w.timeoutMs ?? 30_000, intervalMs: 100, what: `stream ${stream} with a leader and current replicas` });
    },
    async dispose() {
      await Promise.all(nodes.map((n) => n.dispose()));
      await removeTempDir(root);
    },
  };
  await cluster.waitForMetaLeader();
  return cluster;
}
