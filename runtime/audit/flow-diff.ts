// What a Node-RED deploy changed: nodes added, changed and removed, by id, comparing the
// previous flow configuration with the deployed one. Credentials are never compared nor
// reported (the editor sends them only for nodes whose credentials changed).
import { stableJson } from './canonical';

export interface FlowNodeRef {
  id: string;
  type: string;
  name?: string;
  /** Flow (tab) the node sits on. */
  z?: string;
}

export interface FlowDiff {
  added: FlowNodeRef[];
  changed: FlowNodeRef[];
  removed: FlowNodeRef[];
  counts: { added: number; changed: number; removed: number; total: number };
}

type FlowNode = Record<string, unknown> & { id: string };

/** Accepts the admin API's v1 body (an array) or v2 body ({ flows: [...] }). */
export function flowsOf(body: unknown): FlowNode[] {
  const list = Array.isArray(body) ? body : body && typeof body === 'object' && Array.isArray((body as { flows?: unknown }).flows) ? (body as { flows: unknown[] }).flows : [];
  return list.filter((n): n is FlowNode => !!n && typeof n === 'object' && typeof (n as { id?: unknown }).id === 'string');
}

function ref(n: FlowNode): FlowNodeRef {
  const r: FlowNodeRef = { id: n.id, type: typeof n.type === 'string' ? n.type : '?' };
  if (typeof n.name === 'string' && n.name !== '') r.name = n.name;
  else if (typeof n.label === 'string' && n.label !== '') r.name = n.label;
  if (typeof n.z === 'string') r.z = n.z;
  return r;
}

function comparable(n: FlowNode): string {
  const { credentials: _c, ...rest } = n;
  return stableJson(rest);
}

/** Lists are cut at `limit` entries each; counts are always complete. */
export function diffFlows(previous: unknown, next: unknown, limit = 200): FlowDiff {
  const before = new Map(flowsOf(previous).map((n) => [n.id, n]));
  const after = flowsOf(next);
  const added: FlowNodeRef[] = [];
  const changed: FlowNodeRef[] = [];
  const seen = new Set<string>();
  for (const n of after) {
    seen.add(n.id);
    const old = before.get(n.id);
    if (!old) added.push(ref(n));
    else if (comparable(old) !== comparable(n)) changed.push(ref(n));
  }
  const removed = [...before.values()].filter((n) => !seen.has(n.id)).map(ref);
  return {
    added: added.slice(0, limit), changed: changed.slice(0, limit), removed: removed.slice(0, limit),
    counts: { added: added.length, changed: changed.length, removed: removed.length, total: after.length },
  };
}
