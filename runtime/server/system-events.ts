// System events on NATS (ARCHITECTURE.md §2 subjects): alarm transitions on
// `sys.alarm.<tag>`, identity events on `sys.auth.<event>` (e.g. sys.auth.login), audit
// entries on `sys.audit`, anomalies on `sys.analytics.anomaly`. They are notifications for
// other systems: the durable records are the alarm journal and the audit trail, so while
// NATS is unreachable events are dropped and counted, never queued without bound, and
// start-up never waits for the broker.
import { JSONCodec, type NatsConnection } from 'nats';
import { connectNats, type NatsConnectOptions } from '../uplink';
import { natsConnectOptions } from '../uplink';
import { Counter, type Registry } from 'prom-client';
import type { HistorianConfig } from './load-settings';

export interface EventPublisher {
  publish(subject: string, data: unknown): void;
}

const codec = JSONCodec();

export class SystemEvents implements EventPublisher {
  private nc: NatsConnection | null = null;
  private closed = false;
  private abort: () => void = () => undefined;
  private up = false;
  private readonly sent: Counter;
  private readonly dropped: Counter;

  private constructor(metrics: Registry) {
    this.sent = new Counter({ name: 'historian_system_events_published_total', help: 'System events published on NATS', registers: [metrics] });
    this.dropped = new Counter({ name: 'historian_system_events_dropped_total', help: 'System events dropped while NATS was unreachable', registers: [metrics] });
  }

  /** Connects in the background when NATS is configured; null when it is not. */
  static open(nats: HistorianConfig['nats'], metrics: Registry, log: (l: string) => void): SystemEvents | null {
    if (!nats.url) return null;
    const ev = new SystemEvents(metrics);
    let options: NatsConnectOptions;
    try {
      options = { ...natsConnectOptions({ ...nats, name: 'historian-system-events' }), reconnectTimeWaitMs: 2000 };
    } catch (e) {
      log(`[historian] system events: NATS settings: historian.nats.${(e as Error).message}`);
      return null;
    }
    const stop = new AbortController();
    ev.abort = () => stop.abort();
    // refused credentials or certificates: said once, retried every minute (a fixed secret
    // or broker is picked up without a restart)
    const attempt = (said: boolean): void => {
      if (ev.closed) return;
      connectNats({ ...options, signal: stop.signal }).then((nc) => {
        if (ev.closed) return void nc.close();
        ev.nc = nc;
        ev.up = true;
        // The system health page shows whether the link is up.
        void (async () => {
          for await (const st of nc.status()) {
            if (st.type === 'disconnect') ev.up = false;
            else if (st.type === 'reconnect') ev.up = true;
          }
        })().catch(() => undefined);
        log(`[historian] system events: publishing sys.> on ${nats.url}`);
      }, (e) => {
        if (ev.closed) return;
        if (!said) log(`[historian] system events: cannot connect (retrying every minute): ${(e as Error).message}`);
        setTimeout(() => attempt(true), 60_000).unref();
      });
    };
    attempt(false);
    return ev;
  }

  /** Whether the NATS link is up now (system health). */
  get connected(): boolean {
    return this.up && !!this.nc && !this.nc.isClosed();
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
    this.abort();
    const nc = this.nc;
    this.nc = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }
}

/** A tag path as a subject tail: tags are already valid NATS tokens. */
export function alarmSubject(tag: string): string {
  return `sys.alarm.${tag}`;
}
