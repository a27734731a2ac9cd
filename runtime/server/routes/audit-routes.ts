// The auditor's API and the signing endpoint: re-authentication for a signing token,
// the trail (filtered, paginated), its CSV export with the chain hashes, verification and
// the signing configuration. Nothing here (nor anywhere) modifies or deletes entries.
import { z } from 'zod';
import type { AuditTrail, TrailVerifyResult } from '../../audit';
import { CRITICAL } from '../../audit';
import { actorFields, SIGNATURE_MEANINGS, type SignatureManifestation } from '../../audit';
import type { AuditFilter } from '../../audit';
import { SIGNATURE_HEADER, signatureFor, signatureTokenOf } from '../../audit';
import { SignatureError, type SignatureService } from '../../audit';
import type { AuthService } from '../../auth';
import { defineRoute, HttpError, type RouteContext, type RouteDef } from '../api/route';
import type { AuditPageView, AuditVerifyView, SigningTicketView } from '../api/contract';

export interface AuditRoutesDeps {
  trail: AuditTrail;
  signatures: SignatureService;
  /** Not needed by these routes today; accepted so the server passes one dependency set. */
  auth?: AuthService;
  /** Told every verification these routes run (the server's alarm and health follow it). */
  verified?: (r: TrailVerifyResult) => void;
}

const time = (field: string) => z.string().optional().transform((v, ctx) => {
  if (v === undefined || v === '') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `${field} must be an ISO 8601 time or epoch milliseconds` });
    return z.NEVER;
  }
  return n;
});

const filterSchema = {
  from: time('from'),
  to: time('to'),
  user: z.string().max(256).optional(),
  action: z.string().max(256).optional(),
  target: z.string().max(1024).optional(),
};

const listQuery = z.object({
  ...filterSchema,
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.coerce.number().int().min(0).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

const exportQuery = z.object(filterSchema);

const reauthBody = z.object({
  userId: z.string().min(1).max(256).optional(),
  username: z.string().min(1).max(256).optional(),
  password: z.string().min(1).max(1024),
  meaning: z.enum(SIGNATURE_MEANINGS),
  action: z.string().min(1).max(128),
  target: z.string().max(1024).nullable().optional(),
}).refine((b) => b.userId !== undefined || b.username !== undefined, {
  message: 'userId or username is required (both identification components are needed to sign)', path: ['username'],
});

function filterOf(q: { from?: number; to?: number; user?: string; action?: string; target?: string }): AuditFilter {
  const f: AuditFilter = {};
  if (q.from !== undefined) f.from = q.from;
  if (q.to !== undefined) f.to = q.to;
  if (q.user) f.user = q.user;
  if (q.action) f.action = q.action;
  if (q.target) f.target = q.target;
  return f;
}

/** A refused signature as the API answers it (kept for callers of the earlier name). */
export function signatureHttpError(e: SignatureError, action?: string, target?: string | null): SignatureError {
  return action === undefined ? e : e.at(action, target);
}

export { signatureFor };

export function auditRoutes(deps: AuditRoutesDeps): RouteDef[] {
  const { trail, signatures } = deps;
  return [
    defineRoute({
      method: 'post', path: '/re-auth', group: 'audit', permission: 'authenticated',
      summary: 'Electronic signature: re-enter user id and password with a meaning for one action; answers a 60-second, single-use signing token',
      body: reauthBody,
      response: { description: 'signing token bound to the user, action and target; send it as X-Historian-Signature' },
      handler: async ({ body, principal, req }) => {
        return signatures.reauth(body, principal!, req.ip) satisfies Promise<SigningTicketView>;
      },
    }),
    defineRoute({
      method: 'get', path: '/audit', group: 'audit', permission: 'audit.read',
      summary: 'Audit trail entries, newest first, filtered by time (from inclusive, to exclusive), user, action and target ("prefix*" allowed); paginated by cursor',
      query: listQuery,
      handler: ({ query }) => trail.query(filterOf(query), { limit: query.limit, cursor: query.cursor, order: query.order }) satisfies AuditPageView,
    }),
    defineRoute({
      method: 'get', path: '/audit/export.csv', group: 'audit', permission: 'audit.read',
      summary: 'Export the (filtered) audit trail as CSV with the chain hashes, for offline re-verification',
      query: exportQuery,
      response: { description: 'RFC 4180 CSV, streamed', contentType: 'text/csv' },
      handler: async ({ query, res, req, principal }) => {
        const filter = filterOf(query);
        const head = trail.headOf();
        res.status(200);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().replace(/[:.]/g, '-')}.csv"`);
        res.setHeader('X-Audit-Head', `${head.seq} ${head.hash}`);
        let rows = 0;
        let completed = false;
        try {
          rows = (await trail.exportCsv(filter, res)).rows;
          res.end();
          completed = true;
        } catch (e) {
          if (!res.headersSent) throw e;
          res.destroy();
        }
        trail.append({
          ...actorFields(principal), action: 'audit.export', target: 'audit', clientAddress: req.ip ?? null,
          newValue: { filter, rows, completed },
        });
        return undefined;
      },
    }),
    defineRoute({
      method: 'get', path: '/audit/verify', group: 'audit', permission: 'audit.verify',
      summary: 'Verify the whole hash chain, the signatures and the keyed checkpoints; names the first bad entry and the kind of damage',
      handler: async ({ principal, req }) => {
        const r = await trail.verify();
        deps.verified?.(r);
        try {
          trail.append({
            ...actorFields(principal), action: 'audit.verify', target: 'audit', clientAddress: req.ip ?? null,
            newValue: { ok: r.ok, entries: r.entries, lastSeq: r.lastSeq, damage: r.damage },
          });
        } catch (e) {
          // A trail whose newest entry was tampered with refuses appends; the verification
          // result is what the auditor needs, so it is answered all the same.
          if (r.ok) throw e;
        }
        return r satisfies AuditVerifyView;
      },
    }),
    defineRoute({
      method: 'post', path: '/audit/acknowledge', group: 'audit', permission: 'audit.acknowledge',
      summary: 'Acknowledge a damaged audit trail after investigating it (signed, audit.damage.acknowledge on "audit"): verification restarts from the trail as it is now; the acknowledgement is audited',
      signs: [CRITICAL.auditAcknowledge],
      body: z.strictObject({ reason: z.string().trim().min(1).max(2000) }),
      response: { description: 'the acknowledgement entry and the verification that follows it' },
      handler: async (ctx) => {
        const { body, principal, req } = ctx;
        const before = await trail.verify();
        deps.verified?.(before);
        if (!before.acknowledgementRequired) {
          throw new HttpError(409, 'nothing_to_acknowledge', before.ok ? 'the audit trail verifies: there is no damage to acknowledge' : 'the damage is not recorded yet; verify again');
        }
        // always signed, whatever the configured critical list says
        let signature: SignatureManifestation;
        try {
          signature = signatures.consume(signatureTokenOf(req), CRITICAL.auditAcknowledge, 'audit', principal!, req.ip);
        } catch (e) {
          if (e instanceof SignatureError) throw signatureHttpError(e, CRITICAL.auditAcknowledge, 'audit');
          throw e;
        }
        const entry = trail.acknowledgeDamage({
          ...actorFields(principal), userId: principal!.userId, username: principal!.username,
          reason: body.reason, clientAddress: req.ip ?? null, signature,
        });
        const after = await trail.verify();
        deps.verified?.(after);
        return { acknowledged: entry, verify: after };
      },
    }),
    defineRoute({
      method: 'get', path: '/audit/signing-config', group: 'audit', permission: 'authenticated',
      summary: 'Which actions need an electronic signature, the meanings and how long a signing token lives',
      handler: () => ({
        signedDeploys: signatures.signedDeploys,
        criticalActions: signatures.criticalActions(),
        meanings: SIGNATURE_MEANINGS,
        tokenTtlMs: signatures.ttlMs,
        header: SIGNATURE_HEADER,
      }),
    }),
  ];
}
