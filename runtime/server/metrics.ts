// Prometheus metrics: Node.js process metrics, Node-RED message counters (through the
// runtime's postDeliver hook) and the live bus. Capabilities add their own metrics to
// the same registry (services().metrics).
import { collectDefaultMetrics, Counter, Gauge, type Registry } from 'prom-client';
import type { LiveBus } from '../live';

export interface RedHooks {
  add(name: string, fn: (event: { source?: { node?: { type?: string } } }) => void): void;
  remove(name: string): void;
}

export function setupMetrics(registry: Registry, live: LiveBus, liveClients: () => number): { hookNodeRed(hooks: RedHooks): void } {
  registry.setDefaultLabels({ app: 'historian' });
  collectDefaultMetrics({ register: registry, prefix: 'historian_' });
  const messages = new Counter({
    name: 'historian_nodered_messages_total',
    help: 'Messages delivered between Node-RED nodes, by sending node type',
    labelNames: ['type'],
    registers: [registry],
  });
  new Gauge({
    name: 'historian_live_published_samples_total',
    help: 'Samples published on the live bus since start',
    registers: [registry],
    collect() { this.set(live.published); },
  });
  new Gauge({
    name: 'historian_live_clients',
    help: 'Connected live WebSocket clients',
    registers: [registry],
    collect() { this.set(liveClients()); },
  });
  return {
    hookNodeRed(hooks: RedHooks) {
      hooks.add('postDeliver.historian-metrics', (ev) => {
        messages.inc({ type: ev.source?.node?.type ?? 'unknown' });
      });
    },
  };
}
