// The deployed Node-RED flows through the API (flows.read), and the one change the API
// makes to them: an alarm's limits (alarms.configure, signed alarms.limits.change). The
// limits live in the isa-alarm node that defines the alarm, so the change is a deploy of
// that node — the flows stay the single source of the alarm configuration, and the next
// editor deploy or restart keeps it.
import { z } from 'zod';
import { alarmIdOfRow, limitsOfRow, SETTABLE_LIMITS } from '../../alarm';
import { actorFields, CRITICAL, type AuditTrail, type SignatureService } from '../../audit';
import { defineRoute, HttpError, type RouteDef } from '../api/route';
import { signatureFor } from './audit-routes';

type FlowNode = Record<string, unknown> & { id: string; type?: string };

/** Reads and replaces the deployed flows (the server backs it with RED.runtime.flows). */
export interface FlowAccess {
  get(): Promise<{ flows: FlowNode[]; rev: string }>;
  /** Deploys the changed nodes only; rejects with status 409 when the flows changed meanwhile. */
  set(flows: FlowNode[], rev: string, username: string): Promise<void>;
}

export interface FlowRouteDeps {
  flows: () => FlowAccess | null;
  trail: AuditTrail;
  signatures: SignatureService;
}

const limitValue = z.number().refine(Number.isFinite, 'must be a finite number');
const limitsBody = z.strictObject(Object.fromEntries(SETTABLE_LIMITS.map((k) => [k, limitValue.optional()])) as Record<(typeof SETTABLE_LIMITS)[number], z.ZodOptional<typeof limitValue>>)
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: `give at least one of ${SETTABLE_LIMITS.join(', ')}` });

/** Which settable limits an alarm type has (the others are refused, naming the field). */
const LIMITS_OF_TYPE: Record<string, readonly string[]> = {
  HI: ['setpoint', 'deadband'], HIHI: ['setpoint', 'deadband'], LO: ['setpoint', 'deadband'], LOLO: ['setpoint', 'deadband'],
  DEVIATION: ['limit', 'deadband'], ROC: ['ratePerSecond', 'windowS', 'deadband'], DISCRETE: [], BAD_QUALITY: [],
};
const DELAYS = ['onDelayS', 'offDelayS'];

function withoutCredentials(n: FlowNode): FlowNode {
  const { credentials: _c, ...rest } = n;
  return rest as FlowNode;
}

function access(deps: FlowRouteDeps): FlowAccess {
  const f = deps.flows();
  if (!f) throw new HttpError(503, 'unavailable', 'the flow runtime is not running');
  return f;
}

export function flowRoutes(deps: FlowRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/flows', group: 'flows', permission: 'flows.read',
      summary: 'The deployed Node-RED flows (without credentials) and their revision',
      handler: async () => {
        const { flows, rev } = await access(deps).get();
        return { rev, flows: flows.map(withoutCredentials) };
      },
    }),
    defineRoute({
      method: 'put', path: '/alarms/:id/limits', group: 'alarms', permission: 'alarms.configure',
      summary: 'Change an alarm\'s limits (setpoint, deadband, deviation limit, rate, window, delays) in the isa-alarm node that defines it, and deploy that node; signed (alarms.limits.change on the alarm id)',
      signs: [CRITICAL.alarmLimitsChange],
      params: z.object({ id: z.string().min(1).max(300) }),
      body: limitsBody,
      response: { description: 'the alarm, its node, and the limits before and after' },
      handler: async (ctx) => {
        const { params, body, principal, req } = ctx;
        const f = access(deps);
        const { flows, rev } = await f.get();
        let found: { node: FlowNode; index: number; row: Record<string, unknown> } | null = null;
        for (const node of flows) {
          if (node.type !== 'isa-alarm' || !Array.isArray(node.alarms)) continue;
          const rows = node.alarms as Record<string, unknown>[];
          const index = rows.findIndex((r) => r && typeof r === 'object' && alarmIdOfRow(r) === params.id);
          if (index >= 0) { found = { node, index, row: rows[index] }; break; }
        }
        if (!found) throw new HttpError(404, 'not_found', `id: no isa-alarm node in the deployed flows defines alarm "${params.id}"`);
        const type = String(found.row.type ?? '').toUpperCase();
        const allowed = [...(LIMITS_OF_TYPE[type] ?? []), ...DELAYS];
        for (const [k, v] of Object.entries(body)) {
          if (v === undefined) continue;
          if (!allowed.includes(k)) throw new HttpError(400, 'bad_request', `body.${k}: a ${type} alarm has no such limit (it has ${allowed.join(', ')})`, { field: `body.${k}` });
          if (k !== 'setpoint' && k !== 'limit' && v < 0) throw new HttpError(400, 'bad_request', `body.${k}: must not be negative`, { field: `body.${k}` });
        }
        // validated before signing: a refused request spends no signature
        const signature = signatureFor(ctx, deps.signatures, CRITICAL.alarmLimitsChange, params.id);
        const before = limitsOfRow(found.row);
        const row = { ...found.row };
        for (const [k, v] of Object.entries(body)) if (v !== undefined) row[k] = v;
        const rows = [...(found.node.alarms as Record<string, unknown>[])];
        rows[found.index] = row;
        const changed = flows.map((n) => (n === found!.node ? { ...n, alarms: rows } : n));
        try {
          await f.set(changed, rev, principal!.username);
        } catch (e) {
          if ((e as { status?: number }).status === 409) throw new HttpError(409, 'conflict', 'the flows were deployed meanwhile; read the alarm again and retry');
          throw e;
        }
        const after = limitsOfRow(row);
        const node = { id: found.node.id, type: 'isa-alarm', ...(typeof found.node.name === 'string' && found.node.name ? { name: found.node.name } : {}) };
        await deps.trail.appendAsync({
          action: CRITICAL.alarmLimitsChange, target: params.id, ...actorFields(principal),
          previousValue: { node, limits: before }, newValue: { node, limits: after }, clientAddress: req.ip ?? null, signature,
        });
        return { alarm: params.id, node, before, after };
      },
    }),
  ];
}
