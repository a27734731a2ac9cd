// The node list of a flow configuration as Node-RED's admin API carries it (an array, or
// { flows: [...] }), without credentials: a version file must never hold secrets.
export type FlowNode = Record<string, unknown> & { id: string };

export function nodesOf(config: unknown): FlowNode[] {
  const list = Array.isArray(config)
    ? config
    : config && typeof config === 'object' && Array.isArray((config as { flows?: unknown }).flows) ? (config as { flows: unknown[] }).flows : null;
  if (!list) return [];
  return list.filter((n): n is FlowNode => !!n && typeof n === 'object' && typeof (n as { id?: unknown }).id === 'string');
}

export function withoutCredentials(nodes: readonly FlowNode[]): FlowNode[] {
  return nodes.map((n) => {
    if (!Object.hasOwn(n, 'credentials')) return n;
    const { credentials: _c, ...rest } = n;
    return rest as FlowNode;
  });
}

/** What a person reads for a node: its name or label, else its type and id. */
export function labelOf(n: FlowNode): string {
  for (const k of ['name', 'label']) {
    const v = n[k];
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return `${typeof n.type === 'string' ? n.type : '?'} ${n.id}`;
}
