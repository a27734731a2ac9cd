// The typed contract between the HTTP API and the dashboard: the answers the dashboard
// reads, as the server produces them. The dashboard imports these with `import type` (no
// code crosses); the routes check their answers against them with `satisfies`, so a
// change on either side fails the build (`npx tsc -p .` and the dashboard's tsc).
// Self-contained on purpose: the dashboard's compiler sees only this file, without Node types.

/** Every error answer (runtime/http/errors.ts). */
export interface ApiErrorBody {
  error: string;
  message: string;
  /** the first failing field of a 400 */
  field?: string;
  /** every validation issue of a 400 */
  issues?: Array<{ path: string; message: string }>;
  [extra: string]: unknown;
}

/** GET /capabilities: what this server offers, for feature detection without probing. */
export interface Capabilities {
  version: string;
  /** route groups this server serves, e.g. "alarms", "audit", "export", "layouts" */
  features: string[];
}

// ── alarms ──────────────────────────────────────────────────────────────────
export interface AlarmSummary {
  id: string;
  group: string;
  tag: string;
  type: string;
  priority: string;
  state: string;
  stateName: string;
  since: number;
  conditionActive: boolean;
  activeSince: number | null;
  acknowledged: boolean;
  /** a latching alarm held after its condition cleared, waiting for reset */
  latched: boolean;
  value: number | null;
  valueTs: number | null;
  limit: number | null;
  /** the limits PUT /alarms/{id}/limits can change (setpoint, deadband, limit, ratePerSecond, windowS, onDelayS, offDelayS), with their values now */
  limits: Partial<Record<'setpoint' | 'deadband' | 'limit' | 'ratePerSecond' | 'windowS' | 'onDelayS' | 'offDelayS', number>>;
  message: string;
  consequence: string;
  correctiveAction: string;
  shelve: { user: string; reason: string; since: number; until: number | null; oneShot: boolean } | null;
  outOfService: { user: string; reason: string; since: number } | null;
  suppressed: { byCondition: boolean; manually: boolean };
}

/** GET /alarms */
export interface AlarmList { alarms: AlarmSummary[] }

export interface AlarmJournalEntry {
  seq: number;
  ts: number;
  alarmId: string;
  tag: string;
  from: string;
  to: string;
  event: string;
  value: number | null;
  limit: number | null;
  user: string | null;
  comment: string | null;
  priority: string;
}

/** GET /alarms/journal: newest first; `next` is the cursor of the next page, null at the end. */
export interface AlarmJournalPage { entries: AlarmJournalEntry[]; next: number | null }

// ── audit ───────────────────────────────────────────────────────────────────
export interface SignatureView {
  signatureId: string;
  username: string;
  printedName: string;
  signedAt: string;
  meaning: string;
  action: string;
  target: string | null;
}

export interface AuditEntryView {
  seq: number;
  ts: number;
  time: string;
  username: string | null;
  userName: string | null;
  role: string | null;
  action: string;
  target: string | null;
  previousValue: unknown;
  newValue: unknown;
  reason: string | null;
  clientAddress: string | null;
  signature: SignatureView | null;
  prevHash: string;
  hash: string;
}

/** GET /audit: `nextCursor` continues the listing, null at the end. */
export interface AuditPageView { entries: AuditEntryView[]; nextCursor: number | null }

/** GET /audit/verify */
export interface AuditVerifyView {
  ok: boolean;
  entries: number;
  checkpoints: number;
  damage: { kind: string; seq: number; message: string } | null;
  acknowledgementRequired: boolean;
}

// ── tags ────────────────────────────────────────────────────────────────────
/** GET /tags/:tag: the tag's metadata and latest sample (quality by name). */
export interface TagDetail {
  tag: string;
  description: string;
  unit: string;
  spanLow: number | null;
  spanHigh: number | null;
  latest: { ts: number; value: number; quality: string } | null;
}

/** GET /alarms/kpi: alarm-system KPIs over [from, to) (runtime/alarm/KPI.md). */
export interface AlarmKpiView {
  from: number;
  to: number;
  alarms: number;
  averagePer10Min: number;
  periods: Array<{ start: number; count: number }>;
  floodPercent: number;
  peak10Min: number;
  /** `message`: the alarm's text in the running flows; null for an alarm removed since */
  top10: Array<{ alarmId: string; tag: string; message: string | null; count: number; share: number }>;
  top10Share: number;
  chattering: Array<{ alarmId: string; tag: string; message: string | null; maxPerMinute: number }>;
  stale: Array<{ alarmId: string; tag: string; message: string | null; activeSince: number; ageMs: number }>;
  priority: { counts: Record<string, number>; percent: { lowMedium: number; high: number; urgent: number } };
  shelved: number;
  suppressed: number;
  outOfService: number;
  load: string;
}

/** POST /re-auth: a signing token bound to one user, action and target. */
export interface SigningTicketView {
  token: string;
  expiresAt: string;
  expiresInMs: number;
  meaning: string;
  action: string;
  target: string | null;
  printedName: string;
}
