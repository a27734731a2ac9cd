// Alarm API: the operator's alarm summary, ISA-18.2 commands, the journal and the alarm
// system KPIs. Who may call what comes from the permission table; the service's policy
// adds the alarm-level rules (out of service by role, e-signatures). A refused command is
// 409 with the service's reason, so a client can tell "not allowed" from "not possible".
import { z } from 'zod';
import { patternError } from '../../model';
import {
  AlarmRefusedError, EVENTS, PRIORITIES, STATES,
  type AlarmFilter, type AlarmService, type AlarmView, type CommandResult,
} from '../../alarm';
import type { Actor } from '../../alarm';
import { defineRoute, HttpError, type Principal, type RouteContext, type RouteDef } from '../api/route';
import type { AlarmJournalPage, AlarmKpiView, AlarmList } from '../api/contract';

export interface AlarmRouteDeps {
  /** the process alarm service; null until it is open (answers 503) */
  service: () => AlarmService | null;
  /**
   * Electronic signature for a critical command (shelve, out of service): returns the
   * signature manifestation, null when the action needs none, or throws 428.
   */
  sign?: (ctx: RouteContext<any, any, any>, action: string, alarmId: string) => unknown | null;
  /** Records an operator command that succeeded (the audit trail). */
  record?: (ctx: RouteContext<any, any, any>, action: string, alarmId: string, detail: unknown, signature: unknown | null) => void | Promise<void>;
}

/** Audit action names of the commands (and the ones that may need a signature). */
const AUDIT_ACTION: Record<string, string> = {
  ack: 'alarms.ack', reset: 'alarms.reset', shelve: 'alarms.shelve', unshelve: 'alarms.unshelve', suppress: 'alarms.suppress',
  unsuppress: 'alarms.unsuppress', 'out-of-service': 'alarms.out_of_service', 'return-to-service': 'alarms.return_to_service',
};

/** A comma list (`B,C`) or a repeated query parameter, each item one of `values`. */
function list<T extends string>(values: readonly T[]) {
  return z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
    const parts = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((p) => p.trim()).filter(Boolean);
    for (const p of parts) {
      if (!(values as readonly string[]).includes(p)) {
        ctx.addIssue({ code: 'custom', message: `"${p}" is not one of ${values.join(', ')}` });
        return z.NEVER;
      }
    }
    return parts as T[];
  });
}
const pattern = z.string().superRefine((p, ctx) => { const e = patternError(p); if (e) ctx.addIssue({ code: 'custom', message: e }); });
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const time = z.union([z.coerce.number().int(), z.string().datetime({ offset: true }).transform((s) => Date.parse(s))]);
const idParam = z.object({ id: z.string().min(1).max(200) });
const comment = z.string().max(2000).optional();
const alarmFilter = {
  area: pattern.optional(),
  priority: list(PRIORITIES).optional(),
  state: list(STATES).optional(),
};

function serviceOf(deps: AlarmRouteDeps): AlarmService {
  const svc = deps.service();
  if (!svc) throw new HttpError(503, 'unavailable', 'the alarm service is not running');
  return svc;
}

function actorOf(p: Principal, _req: unknown, note?: string): Actor {
  const actor: Actor = { user: p.username, role: p.role };
  if (note !== undefined) actor.comment = note;
  return actor;
}

/** 200 with the transition, or the refusal (AlarmRefusedError: 404 unknown, 403 by policy, 409 otherwise). */
function answer(r: CommandResult): unknown {
  if (r.ok) return { id: r.id, transition: r.transition };
  throw new AlarmRefusedError(r.id, r.reason, r.message);
}

/** A command on one alarm, after checking the caller may see its tag. */
function command(deps: AlarmRouteDeps, id: string, p: Principal, run: (svc: AlarmService) => CommandResult): unknown {
  const svc = serviceOf(deps);
  const view = svc.get(id);
  if (view && !p.allowsTag(view.tag)) throw new HttpError(403, 'forbidden', `tag: "${view.tag}" is outside this token's tag pattern`);
  return answer(run(svc));
}

function visible(p: Principal, views: AlarmView[]): AlarmView[] {
  return views.filter((v) => p.allowsTag(v.tag));
}

export function alarmRoutes(deps: AlarmRouteDeps): RouteDef[] {
  const byId = (path: string, permission: string, summary: string, body: z.ZodType, run: (svc: AlarmService, id: string, actor: Actor, body: any) => CommandResult) =>
    defineRoute({
      method: 'post', path: `/alarms/:id/${path}`, group: 'alarms', permission, summary, params: idParam, body,
      // the commands that may need an electronic signature (the service's policy decides which do)
      ...(path === 'shelve' || path === 'out-of-service' ? { signs: [AUDIT_ACTION[path]] } : {}),
      handler: async (ctx) => {
        const { params, body: b, principal, req } = ctx;
        const action = AUDIT_ACTION[path];
        const signature = deps.sign?.(ctx, action, params.id) ?? null;
        const actor = actorOf(principal!, req, (b as { comment?: string }).comment);
        if (signature !== null) actor.signature = signature;
        const out = command(deps, params.id, principal!, (svc) => run(svc, params.id, actor, b));
        await deps.record?.(ctx, action, params.id, b, signature);
        return out;
      },
    });
  const note = z.object({ comment }).default({});

  return [
    defineRoute({
      method: 'get', path: '/alarms', group: 'alarms', permission: 'alarms.read',
      summary: 'Alarms not in Normal (ISA-18.2 state A) with their state, most urgent first; filter by area (tag pattern), priority, state (comma lists; state=A or all=true include Normal ones) and active (on the alarm summary: B, C, D)',
      query: z.object({ ...alarmFilter, active: bool.optional(), all: bool.optional(), group: z.string().optional() }),
      handler: ({ query, principal }) => {
        const { all, ...rest } = query;
        const filter: AlarmFilter = { ...rest } as AlarmFilter;
        // An alarm list shows what needs attention: configured alarms resting in Normal are
        // not "alarms" to an operator (ISA-18.2 alarm summary), so they appear only on request.
        if (!all && filter.state === undefined && filter.active === undefined) filter.state = STATES.filter((s) => s !== 'A');
        return { alarms: visible(principal!, serviceOf(deps).list(filter)) } satisfies AlarmList;
      },
    }),
    defineRoute({
      method: 'get', path: '/alarms/journal', group: 'alarms', permission: 'alarms.read',
      summary: 'The alarm journal: every transition and operator action (user, time, value, limit, comment, the priority at the time), newest first, paged by cursor; filter by alarm, tag pattern, time, event, user, priority',
      query: z.object({
        alarmId: z.string().optional(), tag: pattern.optional(), from: time.optional(), to: time.optional(),
        event: list(EVENTS).optional(), user: z.string().optional(), priority: list(PRIORITIES).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100), cursor: z.coerce.number().int().optional(),
        order: z.enum(['asc', 'desc']).default('desc'),
      }),
      handler: ({ query, principal }) => {
        const { limit, cursor, order, ...filter } = query;
        const page = serviceOf(deps).journal(filter, { limit, cursor, order });
        return { entries: page.entries.filter((e) => principal!.allowsTag(e.tag)), next: page.next } satisfies AlarmJournalPage;
      },
    }),
    defineRoute({
      method: 'get', path: '/alarms/kpi', group: 'alarms', permission: 'alarms.read',
      summary: 'Alarm-system KPIs over [from, to): alarms per 10 min, flood %, peak, top 10, chattering, stale, priority mix, shelved / out of service (console = tag pattern)',
      query: z.object({ from: time, to: time, console: pattern.optional() }),
      handler: ({ query }) => {
        if (query.to <= query.from) throw new HttpError(400, 'bad_request', 'query.to: must be after from', { field: 'to' });
        return serviceOf(deps).kpi(query.from, query.to, { console: query.console }) satisfies AlarmKpiView;
      },
    }),
    defineRoute({
      method: 'post', path: '/alarms/ack', group: 'alarms', permission: 'alarms.ack',
      summary: 'Acknowledge several alarms: ids, or every unacknowledged alarm (all: true) matching an optional filter; refusals are listed per id',
      body: z.object({
        ids: z.array(z.string().min(1)).min(1).max(10_000).optional(),
        all: z.literal(true).optional(),
        filter: z.object(alarmFilter).optional(),
        comment,
      }).refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give exactly one of ids or all: true', path: ['ids'] }),
      handler: async ({ body, principal, req }) => {
        const svc = serviceOf(deps);
        const actor = actorOf(principal!, req, body.comment);
        const p = principal!;
        const ids = body.ids ?? svc.list(body.filter ?? {}).filter((v) => (v.state === 'B' || v.state === 'D') && p.allowsTag(v.tag)).map((v) => v.id);
        const outside = ids.map((id) => svc.get(id)).find((v) => v && !p.allowsTag(v.tag));
        if (outside) throw new HttpError(403, 'forbidden', `tag: "${outside.tag}" is outside this token's tag pattern`);
        const result = svc.ack(ids, actor);
        await Promise.all(result.acknowledged.map((t) => deps.record?.({ body, principal, req } as RouteContext<any, any, any>, 'alarms.ack', t.alarmId, { comment: body.comment }, null)));
        return result;
      },
    }),
    byId('ack', 'alarms.ack', 'Acknowledge an alarm (B → C, D → A)', note,
      (svc, id, actor) => { const r = svc.ack(id, actor); return r.acknowledged[0] ? { ok: true, id, transition: r.acknowledged[0] } : { ok: false, ...r.refused[0] }; }),
    byId('reset', 'alarms.ack', 'Reset a latched alarm whose condition has cleared (C → A)', note, (svc, id, actor) => svc.reset(id, actor)),
    byId('shelve', 'alarms.shelve', 'Shelve an alarm for durationMs (at most its maximum shelve time) or one-shot; reason required',
      z.object({ durationMs: z.number().int().positive().optional(), oneShot: z.boolean().optional(), reason: z.string().min(1).max(2000), comment })
        .refine((b) => (b.durationMs === undefined) !== (b.oneShot !== true), { message: 'give exactly one of durationMs or oneShot: true', path: ['durationMs'] }),
      (svc, id, actor, b) => svc.shelve(id, { ...actor, reason: b.reason, durationMs: b.durationMs, oneShot: b.oneShot })),
    byId('unshelve', 'alarms.shelve', 'Unshelve an alarm; it returns to the state its condition implies', note, (svc, id, actor) => svc.unshelve(id, actor)),
    byId('suppress', 'alarms.suppress', 'Suppress an alarm by design by hand', note, (svc, id, actor) => svc.suppress(id, actor)),
    byId('unsuppress', 'alarms.suppress', 'Lift a manual suppression (refused while the suppression condition holds)', note, (svc, id, actor) => svc.unsuppress(id, actor)),
    byId('out-of-service', 'alarms.out_of_service', 'Take an alarm out of service (maintenance)', z.object({ reason: z.string().max(2000).optional(), comment }).default({}),
      (svc, id, actor, b) => svc.outOfService(id, { ...actor, reason: b.reason })),
    byId('return-to-service', 'alarms.out_of_service', 'Return an alarm to service', note, (svc, id, actor) => svc.returnToService(id, actor)),
  ];
}
