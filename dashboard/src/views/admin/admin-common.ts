// Pieces the administration views share: calls that may need an electronic signature,
// number/time formatting, and the password rules shown before a password is typed.
import { LitElement, html, css } from 'lit';
import { api, get, ApiError } from '../../api';
import { askSignature } from '../../lib/signature';
import { base } from '../../styles';
import { fmtDateTime } from '../../lib/format';

/**
 * Calls the API; when the server answers 428 (signature required) it opens the signature
 * dialog for the action and target the server names (falling back to ours) and retries
 * once with the signing token. Resolves null when the user cancels the signature.
 */
export async function signedCall<T>(host: HTMLElement, method: string, path: string, body: unknown, what: { action: string; target: string; title: string }): Promise<T | null> {
  try {
    return await api<T>(method, path, body);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 428) throw e;
    const action = typeof e.body.action === 'string' ? e.body.action : what.action;
    const target = typeof e.body.target === 'string' ? e.body.target : what.target;
    const token = await askSignature(host.shadowRoot ?? host, { action, target, title: what.title });
    if (!token) return null;
    return api<T>(method, path, body, { headers: { 'X-Historian-Signature': token } });
  }
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0, v = n;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${u[i]}`;
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function fmtTime(t: number | string | null | undefined): string {
  if (t === null || t === undefined || t === '') return '—';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? '—' : fmtDateTime(d.getTime());
}

export function fmtNumber(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.abs(n) >= 1000 ? Math.round(n).toLocaleString() : String(Number(n.toFixed(digits)));
}

/** Styles of the admin views on top of the shared base. */
/** A two-column definition list of figures (name, value) as the health and tag views show them. */
export const figureList = css`
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }
  dt { color: var(--muted); }
  dd { margin: 0; font-variant-numeric: tabular-nums; }
`;

export const adminStyles = [base, css`
  :host { display: block; }
  h2 { font-size: 16px; font-weight: 600; margin: 0 0 8px; }
  h3 { font-size: 14px; font-weight: 600; margin: 12px 0 6px; }
  .grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(280px, 36%); gap: 10px; align-items: start; }
  @media (max-width: 900px) { .grid { grid-template-columns: minmax(0, 1fr); } }
  .scroll { overflow-x: auto; }
  form.fields { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 6px 8px; align-items: center; }
  form.fields .full { grid-column: 1 / -1; }
  label.check { display: inline-flex; gap: 4px; align-items: center; margin-right: 10px; }
  /* a choice the account cannot have: its text greyed with its box */
  label.check:has(input:disabled) { color: var(--muted); }
  .notice { background: var(--ok-bg); border: 1px solid var(--ok-border); padding: 6px 8px; }
  .warn { background: var(--bad-bg); border: 1px solid var(--bad-border); padding: 6px 8px; }
  code.secret { display: block; word-break: break-all; background: var(--input); border: 1px solid var(--input-border); padding: 6px; font-size: 13px; }
  td.actions { white-space: nowrap; }
  td.actions button { margin: 1px 0; }
  ul.rules { margin: 4px 0; padding-left: 20px; color: var(--muted); font-size: 13px; }
  @media (max-width: 600px) {
    form.fields { grid-template-columns: minmax(0, 1fr); }
    td.actions { white-space: normal; }
  }
`];

interface Policy { rules: string[] }
let policy: Promise<Policy> | null = null;

/** The server's password rules, listed before the user types (fetched once). */
export class PasswordRules extends LitElement {
  static properties = { rules: { state: true } };
  declare rules: string[];
  static styles = css`ul { margin: 4px 0; padding-left: 20px; color: var(--muted); font-size: 13px; } p { margin: 0; font-size: 13px; color: var(--muted); }`;

  constructor() {
    super();
    this.rules = [];
  }

  connectedCallback(): void {
    super.connectedCallback();
    policy ??= get<Policy>('/password-policy').catch((e) => { policy = null; throw e; });
    policy.then((p) => { this.rules = p.rules; }, () => { this.rules = ['at least 12 characters; not the user name; not a recent password']; });
  }

  render() {
    return html`<p>Password rules:</p><ul data-testid="password-rules">${this.rules.map((r) => html`<li>${r}</li>`)}</ul>`;
  }
}
customElements.define('historian-password-rules', PasswordRules);
