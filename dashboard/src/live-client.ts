// Client side of the live WebSocket protocol (runtime/live/PROTOCOL.md): subscribes by
// pattern, reconnects with exponential backoff and resubscribes after a reconnect.
export interface LiveSample { tag: string; ts: number; value: number; quality: string }
export type LiveState = 'connecting' | 'connected' | 'disconnected';

export class LiveClient {
  private ws: WebSocket | null = null;
  private patterns = new Set<string>();
  private backoff = 500;
  private closed = false;
  private retry: number | undefined;

  constructor(
    private readonly token: () => string | null,
    private readonly onSamples: (samples: LiveSample[]) => void,
    private readonly onState: (s: LiveState) => void,
  ) {}

  subscribe(pattern: string): void {
    this.patterns.add(pattern);
    this.send({ op: 'subscribe', patterns: [pattern] });
  }

  connect(): void {
    this.closed = false;
    this.onState('connecting');
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const t = this.token();
    const ws = new WebSocket(`${proto}://${location.host}/api/v1/live${t ? `?access_token=${encodeURIComponent(t)}` : ''}`);
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 500;
      this.onState('connected');
      if (this.patterns.size) this.send({ op: 'subscribe', patterns: [...this.patterns] });
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data as string);
      if (msg.type === 'samples') this.onSamples(msg.samples as LiveSample[]);
    };
    ws.onclose = () => {
      this.ws = null;
      this.onState('disconnected');
      if (!this.closed) {
        this.retry = window.setTimeout(() => this.connect(), this.backoff);
        this.backoff = Math.min(10_000, this.backoff * 2);
      }
    };
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.retry);
    this.ws?.close();
  }

  private send(obj: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }
}
