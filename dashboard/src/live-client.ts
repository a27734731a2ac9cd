// Client side of the live WebSocket protocol (runtime/live/PROTOCOL.md): one connection
// shared by every view, listeners by tag pattern (subscriptions are reference counted),
// reconnect with exponential backoff and resubscribe after a reconnect.
import { getToken, sessionEnded } from './api';

/** Close codes meaning the session is over (runtime/live/PROTOCOL.md): sign in again, do not reconnect. */
const SESSION_OVER = new Set([4401, 4403]);

export interface LiveSample { tag: string; ts: number; value: number; quality: string }
export interface LiveAlarm { type: 'alarm'; [k: string]: unknown }
/** An event frame opened, closed, changed or discarded: only its id (read it through the API). */
export interface LiveFrame { type: 'frame'; change: 'open' | 'close' | 'update' | 'discard'; id: string }
export type LiveState = 'connecting' | 'connected' | 'disconnected';

type SampleListener = (samples: LiveSample[]) => void;

function matcher(pattern: string): (tag: string) => boolean {
  if (pattern === '>') return () => true;
  const p = pattern.split('.');
  return (tag) => {
    const t = tag.split('.');
    for (let i = 0; i < p.length; i++) {
      if (p[i] === '>') return t.length > i;
      if (i >= t.length || (p[i] !== '*' && p[i] !== t[i])) return false;
    }
    return t.length === p.length;
  };
}

export class LiveClient {
  private ws: WebSocket | null = null;
  private counts = new Map<string, number>();
  private listeners = new Set<{ match: (t: string) => boolean; fn: SampleListener }>();
  private alarmListeners = new Set<(a: LiveAlarm) => void>();
  private frameListeners = new Set<(f: LiveFrame) => void>();
  private stateListeners = new Set<(s: LiveState) => void>();
  private backoff = 500;
  private closed = true;
  private retry: number | undefined;
  state: LiveState = 'disconnected';

  /** Listens to samples of tags matching `pattern`; returns the function that stops it. */
  on(pattern: string, fn: SampleListener): () => void {
    const l = { match: matcher(pattern), fn };
    this.listeners.add(l);
    const n = this.counts.get(pattern) ?? 0;
    this.counts.set(pattern, n + 1);
    if (n === 0) this.send({ op: 'subscribe', patterns: [pattern] });
    return () => {
      this.listeners.delete(l);
      const left = (this.counts.get(pattern) ?? 1) - 1;
      if (left <= 0) { this.counts.delete(pattern); this.send({ op: 'unsubscribe', patterns: [pattern] }); } else this.counts.set(pattern, left);
    };
  }

  onAlarm(fn: (a: LiveAlarm) => void): () => void {
    this.alarmListeners.add(fn);
    return () => this.alarmListeners.delete(fn);
  }

  onFrame(fn: (f: LiveFrame) => void): () => void {
    this.frameListeners.add(fn);
    return () => this.frameListeners.delete(fn);
  }

  onState(fn: (s: LiveState) => void): () => void {
    this.stateListeners.add(fn);
    fn(this.state);
    return () => this.stateListeners.delete(fn);
  }

  private setState(s: LiveState): void {
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  /** Opens the connection; a call while one is open or opening keeps that one. */
  connect(): void {
    if (this.ws && !this.closed) return;
    this.closed = false;
    window.clearTimeout(this.retry);
    this.setState('connecting');
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const t = getToken();
    const ws = new WebSocket(`${proto}://${location.host}/api/v1/live${t ? `?access_token=${encodeURIComponent(t)}` : ''}`);
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 500;
      this.setState('connected');
      if (this.counts.size) this.send({ op: 'subscribe', patterns: [...this.counts.keys()] });
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data as string);
      if (msg.type === 'samples') {
        const samples = msg.samples as LiveSample[];
        for (const l of this.listeners) {
          const mine = samples.filter((s) => l.match(s.tag));
          if (mine.length) l.fn(mine);
        }
      } else if (msg.type === 'alarm') {
        for (const fn of this.alarmListeners) fn(msg as LiveAlarm);
      } else if (msg.type === 'frame') {
        for (const fn of this.frameListeners) fn(msg as LiveFrame);
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState('disconnected');
      if (SESSION_OVER.has(ev.code)) {
        this.closed = true;
        sessionEnded();
        return;
      }
      if (!this.closed) {
        this.retry = window.setTimeout(() => this.connect(), this.backoff);
        this.backoff = Math.min(10_000, this.backoff * 2);
      }
    };
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.retry);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.setState('disconnected');
  }

  private send(obj: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }
}

/** The one connection of the page. */
export const live = new LiveClient();
