// A flow's own critical event (from the audit-log node) as a trail entry. Flows are not
// people: the entry names the node and flow that appended it (role FLOW), and flow
// actions live under "flow." so a flow cannot pass itself off as a user or role change.
import type { AuditEntryInput } from './entry';
import { invalid } from './errors';

export interface FlowEventSource {
  nodeId: string;
  nodeName?: string;
  flowId?: string;
}

export interface FlowEventDefaults {
  action?: string;
  target?: string;
  reason?: string;
}

export function flowAction(action: string): string {
  return action.startsWith('flow.') ? action : `flow.${action}`;
}

/** Builds the entry from msg.payload {action, target, reason, previousValue, newValue} and node defaults. */
export function flowEventEntry(payload: unknown, source: FlowEventSource, defaults: FlowEventDefaults = {}): AuditEntryInput {
  const p = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload as Record<string, unknown> : {};
  if (payload !== undefined && payload !== null && (typeof payload !== 'object' || Array.isArray(payload))) {
    throw invalid('msg.payload', 'must be an object {action, target, reason, previousValue, newValue}');
  }
  const action = p.action ?? defaults.action;
  if (typeof action !== 'string' || action === '') throw invalid('msg.payload.action', 'is required (or set an action on the node)');
  const pick = (k: 'target' | 'reason') => {
    const v = p[k] ?? defaults[k];
    if (v !== undefined && v !== null && typeof v !== 'string') throw invalid(`msg.payload.${k}`, 'must be a string');
    return (v as string | undefined) ?? null;
  };
  return {
    userId: `node:${source.nodeId}`,
    username: source.flowId ? `flow:${source.flowId}` : 'flow',
    userName: source.nodeName || `audit-log ${source.nodeId}`,
    role: 'FLOW',
    action: flowAction(action),
    target: pick('target'),
    reason: pick('reason'),
    previousValue: p.previousValue,
    newValue: p.newValue,
  };
}
