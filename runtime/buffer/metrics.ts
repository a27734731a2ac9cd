// Buffer figures in Prometheus form, read from the registered buffers at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import { isBufferComponent, type BufferStatus } from './component';

type Source = () => Array<[string, unknown]>;

const GAUGES: Array<[string, string, (s: BufferStatus) => number]> = [
  ['historian_buffer_pending_entries', 'envelopes waiting for a broker acknowledgement', (s) => s.pending],
  ['historian_buffer_pending_samples', 'samples waiting for a broker acknowledgement', (s) => s.pendingSamples],
  ['historian_buffer_disk_bytes', 'bytes of buffer segment and quarantine files', (s) => s.diskBytes],
  ['historian_buffer_ram_bytes', 'bytes of envelope bodies held in RAM', (s) => s.ramBytes],
  ['historian_buffer_oldest_pending_age_seconds', 'age of the oldest unacknowledged envelope', (s) => s.oldestAgeMs / 1000],
  ['historian_buffer_sent_samples_per_second', 'samples acknowledged by the broker per second (last second)', (s) => s.sentPerSecond],
  ['historian_buffer_quarantined_entries', 'envelopes the broker refused for good', (s) => s.quarantined],
  ['historian_buffer_connected', '1 when the uplink is connected', (s) => (s.connected ? 1 : 0)],
];
const COUNTERS: Array<[string, string, (s: BufferStatus) => number]> = [
  ['historian_buffer_sent_samples_total', 'samples acknowledged by the broker', (s) => s.sentSamples],
  ['historian_buffer_retries_total', 'send windows retried after a transient failure', (s) => s.retries],
  ['historian_buffer_dropped_samples_total', 'samples dropped by the drop-oldest disk policy', (s) => s.droppedSamples],
];

/** Adds the buffer metrics to `registry` once; `source` lists the registered buffers. */
export function registerBufferMetrics(registry: Registry, source: Source): void {
  if (registry.getSingleMetric(GAUGES[0][0])) return;
  const statuses = (): Array<[string, BufferStatus]> => {
    const out: Array<[string, BufferStatus]> = [];
    for (const [name, b] of source()) if (isBufferComponent(b)) out.push([name, b.status()]);
    return out;
  };
  for (const [name, help, get] of GAUGES) {
    new Gauge({
      name, help, labelNames: ['buffer'], registers: [registry],
      collect() { this.reset(); for (const [b, s] of statuses()) this.set({ buffer: b }, get(s)); },
    });
  }
  for (const [name, help, get] of COUNTERS) {
    new Counter({
      name, help, labelNames: ['buffer'], registers: [registry],
      collect() { this.reset(); for (const [b, s] of statuses()) { const v = get(s); if (v > 0) this.inc({ buffer: b }, v); } },
    });
  }
}
