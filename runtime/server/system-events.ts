// System events on NATS (ARCHITECTURE.md §2 subjects): alarm transitions on
// `sys.alarm.<tag>`, identity events on `sys.auth.<event>` (e.g. sys.auth.login), audit
// entries on `sys.audit`, anomalies on `sys.analytics.anomaly`. They are notifications for
// other systems: the durable records are the alarm journal and the audit trail, so while
// NATS is unreachable events are dropped and counted, never queued without bound, and
// start-up never waits for the broker.
import { connect, JSONCodec, type ConnectionOptions, type NatsConnection } from 'nats';
import { natsOptions } from '../uplink/nats-connection';
import { natsFromSettings } from '../uplink/settings-connection';
import { Counter, type Registry } from 'prom-client';
import type { HistorianConfig } from './load-settings';

export interface EventPublisher {
  publish(subject: string, data: unknown): void;
}

const codec = JSONCodec();

export class SystemEvents implements EventPublisher {
  private nc: NatsConnection | null = null;
  private closed = false;
  private readonly sent: Counter;
  private readonly dropped: Counter;

  private constructor(metrics: Registry) {
    this.sent = new Counter({ name: 'historian_system_events_published_total', help: 'System events published on NATS', registers: [metrics] });
    this.dropped = new Counter({ name: 'historian_system_events_dropped_total', help: 'System events dropped while NATS was unreachable', registers: [metrics] });
  }

  /** Connects in the background when NATS is configured; null when it is not. */
  static open(nats: HistorianConfig['nats'], metrics: Registry, log: (l: string) => void): SystemEvents | null {
    if (!nats.url) return null;
    const conn = natsFromSettings(nats, 'historian-system-events');
    if (!conn) return null;
    const ev = new SystemEvents(metrics);
    let options: ConnectionOptions;
    try {
      // the same settings (user/password, token, creds file, tls:// URL) as the Uplink flow
      options = { ...natsOptions(conn), waitOnFirstConnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 2000 };
    } catch (e) {
      log(`[historian] system events: HISTORIAN_NATS_*: ${(e as Error).message}`);
      return null;
    }
    connect(options).then((nc) => {
      if (ev.closed) return void nc.close();
      ev.nc = nc;
      log(`[historian] system events: publishing sys.> on ${nats.url}`);
    }, (e) => log(`[historian] system events: cannot connect to ${nats.url}: ${(e as Error).message}`));
    return ev;
  }

  publish(subject: string, data: unknown): void {
    const nc = this.nc;
    if (!nc || nc.isClosed()) {
      this.dropped.inc();
      return;
    }
    try {
      nc.publish(subject, codec.encode(data));
      this.sent.inc();
    } catch {
      this.dropped.inc();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const nc = this.nc;
    this.nc = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }
}

/** A tag path as a subject tail: tags are already valid NATS tokens. */
export function alarmSubject(tag: string): string {
  return `sys.alarm.${tag}`;
}
