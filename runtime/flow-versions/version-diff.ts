// A readable difference between two flow configurations: nodes added and removed, and for
// each changed node the properties that differ with their value before and after. Nodes
// are matched by id (Node-RED keeps ids across edits); position (x, y) is reported as a
// move, not hidden, because a reviewer may want to know the layout changed too.
import { stableJson } from '../audit';
import { labelOf, type FlowNode } from './flow-nodes';

export interface NodeRef {
  id: string;
  type: string;
  label: string;
  /** Label of the tab (flow) or subflow holding the node, when it has one. */
  flow?: string;
}

export interface PropertyChange {
  key: string;
  /** Absent when the property did not exist on that side. */
  before?: unknown;
  after?: unknown;
}

export interface ChangedNode extends NodeRef {
  properties: PropertyChange[];
}

export interface VersionDiff {
  added: NodeRef[];
  removed: NodeRef[];
  changed: ChangedNode[];
  counts: { added: number; removed: number; changed: number; unchanged: number };
}

function containers(nodes: readonly FlowNode[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of nodes) if (n.type === 'tab' || n.type === 'subflow') m.set(n.id, labelOf(n));
  return m;
}

function refOf(n: FlowNode, flows: Map<string, string>): NodeRef {
  const r: NodeRef = { id: n.id, type: typeof n.type === 'string' ? n.type : '?', label: labelOf(n) };
  if (typeof n.z === 'string' && n.z) r.flow = flows.get(n.z) ?? n.z;
  return r;
}

function propertyChanges(a: FlowNode, b: FlowNode): PropertyChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'credentials').sort();
  const out: PropertyChange[] = [];
  for (const k of keys) {
    const hasA = Object.hasOwn(a, k) && a[k] !== undefined;
    const hasB = Object.hasOwn(b, k) && b[k] !== undefined;
    if (hasA && hasB && stableJson(a[k]) === stableJson(b[k])) continue;
    if (!hasA && !hasB) continue;
    const c: PropertyChange = { key: k };
    if (hasA) c.before = a[k];
    if (hasB) c.after = b[k];
    out.push(c);
  }
  return out;
}

export function diffVersions(before: readonly FlowNode[], after: readonly FlowNode[]): VersionDiff {
  const flowsA = containers(before);
  const flowsB = containers(after);
  const byId = new Map(before.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const added: NodeRef[] = [];
  const changed: ChangedNode[] = [];
  let unchanged = 0;
  for (const n of after) {
    seen.add(n.id);
    const old = byId.get(n.id);
    if (!old) { added.push(refOf(n, flowsB)); continue; }
    const properties = propertyChanges(old, n);
    if (properties.length === 0) unchanged++;
    else changed.push({ ...refOf(n, flowsB), properties });
  }
  const removed = before.filter((n) => !seen.has(n.id)).map((n) => refOf(n, flowsA));
  return { added, removed, changed, counts: { added: added.length, removed: removed.length, changed: changed.length, unchanged } };
}
