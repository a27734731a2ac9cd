// Whether a stored version can be deployed on this installation: every node type it uses
// must be installed. Node-RED would otherwise accept the deploy and leave the flows
// stopped, "waiting for missing types" — a restore must not take a running plant there.
import { labelOf, type FlowNode } from './flow-nodes';

/** Types the runtime provides by itself, never registered as node modules. */
const STRUCTURAL = new Set(['tab', 'subflow', 'group', 'junction']);

export interface MissingType {
  type: string;
  /** Up to five node labels of that type, for the message. */
  nodes: string[];
  count: number;
}

export function missingTypes(nodes: readonly FlowNode[], isInstalled: (type: string) => boolean): MissingType[] {
  const subflows = new Set(nodes.filter((n) => n.type === 'subflow').map((n) => n.id));
  const missing = new Map<string, MissingType>();
  for (const n of nodes) {
    const type = typeof n.type === 'string' ? n.type : '';
    if (STRUCTURAL.has(type)) continue;
    if (type.startsWith('subflow:') && subflows.has(type.slice('subflow:'.length))) continue;
    if (type !== '' && isInstalled(type)) continue;
    const m = missing.get(type) ?? { type: type || '(no type)', nodes: [], count: 0 };
    m.count++;
    if (m.nodes.length < 5) m.nodes.push(labelOf(n));
    missing.set(type, m);
  }
  return [...missing.values()].sort((a, b) => a.type.localeCompare(b.type));
}

export function missingTypesMessage(version: number, missing: readonly MissingType[]): string {
  const list = missing.map((m) => `${m.type} (${m.count} node${m.count === 1 ? '' : 's'}: ${m.nodes.map((x) => `"${x}"`).join(', ')}${m.count > m.nodes.length ? ', …' : ''})`);
  return `version ${version} cannot be restored: it uses node type${missing.length === 1 ? '' : 's'} not installed here: ${list.join('; ')}. ` +
    'Install the missing nodes (Manage palette) or restore another version; the running flows are unchanged.';
}
