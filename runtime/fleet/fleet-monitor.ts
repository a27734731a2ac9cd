// The central's subscription to gateway heartbeats (sys.gateway.*.health): feeds the fleet
// registry and its alarms. Connects in the background; while NATS is away every gateway
// ages into "offline", which is what the operator should see.
import type { NatsConnection, Subscription } from 'nats';
import { connectNats, type NatsConnectOptions } from '../uplink';
import { decodeHeartbeat, HEALTH_WILDCARD } from './heartbeat';
import type { FleetRegistry } from './fleet-registry';

export class FleetMonitor {
  private nc: NatsConnection | null = null;
  private sub: Subscription | null = null;
  private closed = false;
  private readonly abort = new AbortController();
  connected = false;
  lastError: string | null = null;

  constructor(private readonly registry: FleetRegistry, private readonly nats: NatsConnectOptions, private readonly log: (l: string) => void = () => undefined) {}

  start(): this {
    void this.run();
    return this;
  }

  private async run(): Promise<void> {
    for (let wait = 1000; !this.closed; wait = Math.min(wait * 2, 60_000)) {
      try {
        this.nc = await connectNats({ ...this.nats, signal: this.abort.signal, onRetry: (m) => { this.lastError = m; } });
        break;
      } catch (e) {
        this.lastError = (e as Error).message;
        this.log(`[historian] fleet: ${this.lastError}`);
        await new Promise((r) => setTimeout(r, wait).unref());
      }
    }
    const nc = this.nc;
    if (!nc || this.closed) { await nc?.close(); return; }
    this.connected = true;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.connected = false;
        else if (s.type === 'reconnect') this.connected = true;
      }
    })().catch(() => undefined);
    this.sub = nc.subscribe(HEALTH_WILDCARD, {
      callback: (err, m) => {
        if (err) { this.lastError = err.message; return; }
        try {
          const h = decodeHeartbeat(m.data);
          // the subject names the gateway: a body claiming another id is not believed
          if (m.subject !== `sys.gateway.${h.id}.health`) throw new Error(`heartbeat.id: ${h.id} does not match subject ${m.subject}`);
          this.registry.observe(h);
        } catch (e) {
          this.registry.invalid++;
          this.lastError = (e as Error).message;
        }
      },
    });
    this.log(`[historian] fleet: watching ${HEALTH_WILDCARD}`);
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.sub?.unsubscribe();
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.close();
  }
}
