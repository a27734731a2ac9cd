// The slice of the Node-RED runtime API our nodes use. Node-RED ships no TypeScript
// types of its own; declaring the few members we call keeps the adapters typed
// without depending on a third-party types package that lags behind Node-RED 5.
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface NodeMessage {
  _msgid?: string;
  topic?: unknown;
  payload?: unknown;
  [key: string]: unknown;
}

export type SendFn = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null> | null) => void;
export type DoneFn = (err?: Error) => void;

export interface RedNode {
  id: string;
  type: string;
  name?: string;
  on(event: 'input', cb: (msg: NodeMessage, send: SendFn, done: DoneFn) => void): void;
  on(event: 'close', cb: (removed: boolean, done: () => void) => void): void;
  send: SendFn;
  status(s: NodeStatus | Record<string, never>): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(msg: unknown): void;
  log(msg: unknown): void;
  credentials?: Record<string, string | undefined>;
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

export interface RED {
  nodes: {
    createNode(node: object, config: NodeDef): void;
    registerType(type: string, ctor: (this: RedNode, config: NodeDef) => void, opts?: { credentials?: Record<string, { type: string }>; settings?: Record<string, unknown> }): void;
    getNode(id: string): unknown;
  };
  settings: Record<string, unknown>;
  log: { info(m: unknown): void; warn(m: unknown): void; error(m: unknown): void };
  httpAdmin?: { get: Function; post: Function };
  auth?: { needsPermission(permission: string): (req: unknown, res: unknown, next: () => void) => void };
}

/** Status text with a compact rate, e.g. "12.3k/s". */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  return `${perSecond.toFixed(perSecond < 10 ? 1 : 0)}/s`;
}

/** Reads a numeric config field, falling back to a default when empty. */
export function numberField(config: NodeDef, key: string, fallback: number): number {
  const v = config[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${key}: must be a number (got ${JSON.stringify(v)})`);
  return n;
}
