// The critical actions hidden in a Node-RED deploy: alarm limits (isa-alarm rows), tier
// policy (tier-mover) and retention (historian-store) are settings whose change needs an
// electronic signature and a permission of its own, whoever deploys. Only settings that
// existed before and differ after count: adding or removing a node is configuration, shown
// in the deploy's own audit entry (flow-diff.ts).
import { alarmIdOfRow, limitsOfRow, sameLimits } from '../alarm';
import { CRITICAL } from './critical-actions';
import { flowsOf } from './flow-diff';

type FlowNode = Record<string, unknown> & { id: string };

export interface CriticalNodeRule {
  /** the Node-RED node type */
  type: string;
  action: string;
  /** the permission the deploying user needs for this change (from the one permission table) */
  permission: 'alarms.configure' | 'tiers.manage' | 'retention.manage';
  what: string;
  /** comparable settings per key (an alarm id, a node id) */
  settings(node: FlowNode): Array<[key: string, settings: Record<string, unknown>]>;
}

const num = (v: unknown) => (v === undefined || v === null || v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : String(v));
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());

export const CRITICAL_NODE_RULES: readonly CriticalNodeRule[] = [
  {
    type: 'isa-alarm', action: CRITICAL.alarmLimitsChange, permission: 'alarms.configure', what: 'alarm limits',
    settings: (n) => (Array.isArray(n.alarms) ? (n.alarms as Record<string, unknown>[]) : [])
      .filter((r) => r && typeof r === 'object')
      .map((r) => [alarmIdOfRow(r), limitsOfRow(r)]),
  },
  {
    type: 'tier-mover', action: CRITICAL.tierPolicyChange, permission: 'tiers.manage', what: 'tier policy',
    settings: (n) => [[n.id, { policyAge: str(n.policyAge), tagPattern: str(n.tagPattern) }]],
  },
  {
    type: 'historian-store', action: CRITICAL.retentionChange, permission: 'retention.manage', what: 'retention',
    settings: (n) => [[n.id, { retentionDays: num(n.retentionDays) ?? 0 }]],
  },
];

export interface CriticalChangeItem {
  key: string;
  node: { id: string; type: string; name?: string };
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

export interface CriticalChange {
  action: string;
  permission: CriticalNodeRule['permission'];
  what: string;
  items: CriticalChangeItem[];
}

function settingsByKey(rule: CriticalNodeRule, nodes: FlowNode[]): Map<string, { node: FlowNode; settings: Record<string, unknown> }> {
  const out = new Map<string, { node: FlowNode; settings: Record<string, unknown> }>();
  for (const n of nodes) {
    if (n.type !== rule.type || n.d === true) continue; // a disabled node configures nothing
    for (const [key, settings] of rule.settings(n)) out.set(key, { node: n, settings });
  }
  return out;
}

/** The critical changes from `previous` to `next` flows (admin API v1 or v2 bodies), per action. */
export function criticalFlowChanges(previous: unknown, next: unknown): CriticalChange[] {
  const before = flowsOf(previous);
  const after = flowsOf(next);
  const out: CriticalChange[] = [];
  for (const rule of CRITICAL_NODE_RULES) {
    const old = settingsByKey(rule, before);
    const items: CriticalChangeItem[] = [];
    for (const [key, now] of settingsByKey(rule, after)) {
      const was = old.get(key);
      if (!was || sameLimits(was.settings, now.settings)) continue;
      const node = { id: now.node.id, type: rule.type, ...(typeof now.node.name === 'string' && now.node.name ? { name: now.node.name } : {}) };
      items.push({ key, node, before: was.settings, after: now.settings });
    }
    if (items.length) out.push({ action: rule.action, permission: rule.permission, what: rule.what, items });
  }
  return out;
}
