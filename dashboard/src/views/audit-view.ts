// Audit trail for auditors and administrators: filter, page through entries, see one
// entry with its signature manifestation, the actions this server signs, verify the hash chain, and (administrators) acknowledge
// damage after investigating it, signed. #/audit?verify=1 verifies on opening (the health page links there).
// Export CSV saves the entries the filter selects with their chain hashes: the copy handed to an
// inspector, which re-verifies offline (and the export itself is recorded in the trail).
import { LitElement, html, css, nothing } from 'lit';
import { api, get, qs, errorText, ApiError } from '../api';
import { withSignature } from '../components/signature-dialog';
import { Refresh } from '../lib/refresh';
import type { AuditEntryView, AuditPageView, AuditVerifyView } from '../../../runtime/server/api/contract';
import { can } from '../session';
import { fmtDateTime } from '../lib/format';
import { downloadFile } from '../lib/save-file';
import { base } from '../styles';
import { CRITICAL_ACTION_INFO } from '../../../runtime/audit/critical-actions';

type Entry = AuditEntryView;
interface SigningConfig { signedDeploys: boolean; criticalActions: string[]; tokenTtlMs: number }

/** README text with `code` spans, as the page shows it. */
function codeSpans(text: string) {
  return text.split('`').map((part, i) => (i % 2 ? html`<code>${part}</code>` : part));
}

export class AuditView extends LitElement {
  static properties = { entries: { state: true }, absent: { state: true }, error: { state: true }, detail: { state: true }, verify: { state: true }, offset: { state: true }, ackRequired: { state: true }, ackNote: { state: true }, exportNote: { state: true }, signing: { state: true } };
  declare entries: Entry[];
  declare absent: boolean;
  declare error: string;
  declare detail: Entry | null;
  declare verify: { ok: boolean; text: string } | null;
  declare offset: number;
  /** the last verification found damage that only an acknowledgement clears */
  declare ackRequired: boolean;
  declare ackNote: { ok: boolean; text: string } | null;
  declare exportNote: { ok: boolean; text: string } | null;
  /** which actions this server demands a signature for (GET /audit/signing-config) */
  declare signing: SigningConfig | null;
  /** cursors of the pages before this one (the trail pages by cursor, newest first) */
  private cursors: Array<number | undefined> = [];
  private cursor: number | undefined;
  private nextCursor: number | null = null;
  private filter: Record<string, string> = {};

  constructor() {
    super();
    this.entries = [];
    this.absent = false;
    this.error = '';
    this.detail = null;
    this.verify = null;
    this.offset = 0;
    this.ackRequired = false;
    this.ackNote = null;
    this.exportNote = null;
    this.signing = null;
  }

  firstUpdated(): void {
    get<SigningConfig>('/audit/signing-config').then((c) => { this.signing = c; }, () => undefined);
    if (new URLSearchParams(location.hash.split('?')[1] ?? '').get('verify') === '1' && can('audit.verify')) void this.runVerify();
  }

  static styles = [base, css`
    :host { display: grid; grid-template-columns: minmax(0, 1fr) minmax(260px, 34%); gap: 10px; }
    /* targets can be long lists of tag paths: wrap them instead of widening the page */
    td.target { overflow-wrap: anywhere; }
    td.time { white-space: nowrap; }
    .list { overflow: auto; max-height: calc(100vh - 200px); }
    tr { cursor: pointer; }
    tr.sel td { background: var(--selected); }
    h3.top { margin-top: 0; }
    .hash { font-size: 11px; word-break: break-all; }
    [data-testid=audit-absent] { grid-column: 1 / -1; }
    pre { white-space: pre-wrap; word-break: break-all; background: var(--panel-2); padding: 6px; font-size: 12px; }
    .ok { background: var(--ok-bg); padding: 6px; }
    .fail { background: var(--bad-bg); padding: 6px; color: var(--bad-fg); }
    .sig { border: 1px solid var(--border); padding: 6px; background: var(--panel); }
    form.ack { display: grid; gap: 6px; margin: 8px 0; padding: 8px; border: 1px solid var(--bad-border); background: var(--panel); max-width: 720px; }
    form.ack textarea { width: 100%; box-sizing: border-box; font: inherit; }
    form.ack p { margin: 0; font-size: 13px; }
    details.signed { margin: 6px 0; }
    details.signed summary { cursor: pointer; }
    details.signed ul { margin: 4px 0; padding-left: 20px; font-size: 13px; }
    details.signed li { margin: 2px 0; }
    @media (max-width: 1100px) { :host { grid-template-columns: minmax(0, 1fr); } }
  `];

  private readonly refresh = new Refresh(this, () => this.load());

  private async load(): Promise<void> {
    try {
      const r = await get<AuditPageView>(`/audit${qs({ ...this.filter, limit: 200, cursor: this.cursor })}`);
      this.entries = r.entries;
      this.nextCursor = r.nextCursor;
      this.offset = this.cursors.length;
      this.absent = false;
      this.error = '';
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) this.absent = true;
      else this.error = errorText(e);
    }
  }

  private applyFilter(e: Event): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    this.filter = {};
    for (const k of ['user', 'action', 'target']) { const v = String(f.get(k) ?? '').trim(); if (v) this.filter[k] = v; }
    for (const k of ['from', 'to']) { const v = String(f.get(k) ?? ''); if (v) this.filter[k] = String(new Date(v).getTime()); }
    this.cursors = [];
    this.cursor = undefined;
    void this.load();
  }

  /** The entries the applied filter selects, all pages, as the server's CSV with the chain hashes. */
  private async exportCsv(): Promise<void> {
    this.exportNote = { ok: true, text: 'Exporting…' };
    try {
      await downloadFile(`/api/v1/audit/export.csv${qs(this.filter)}`, 'audit.csv');
      const what = Object.keys(this.filter).length ? 'the filtered entries' : 'the whole trail';
      this.exportNote = { ok: true, text: `Saved ${what} as CSV with the chain hashes; the export is recorded in the trail.` };
      if (!this.cursor) void this.load();
    } catch (e) {
      this.exportNote = { ok: false, text: `Export failed: ${errorText(e)}` };
    }
  }

  private async runVerify(): Promise<void> {
    try {
      this.showVerify(await get<AuditVerifyView>('/audit/verify'));
    } catch (e) {
      this.verify = { ok: false, text: e instanceof ApiError && e.status === 404 ? 'verification is not available on this server' : errorText(e) };
    }
  }

  private showVerify(r: AuditVerifyView): void {
    this.verify = { ok: r.ok, text: r.ok ? `Chain intact: ${r.entries} ${r.entries === 1 ? 'entry' : 'entries'} verified, ${r.checkpoints} ${r.checkpoints === 1 ? 'checkpoint' : 'checkpoints'}.`
      : `Chain damaged: ${r.damage?.kind ?? 'damage'} at entry ${r.damage?.seq ?? '?'}${r.damage?.message ? ` — ${r.damage.message}` : ''}` };
    this.ackRequired = r.acknowledgementRequired;
  }

  /** POST /audit/acknowledge, signed: the damage stays reported until this is done. */
  private async acknowledge(e: Event): Promise<void> {
    e.preventDefault();
    const reason = String(new FormData(e.target as HTMLFormElement).get('reason') ?? '').trim();
    try {
      const r = await withSignature(this.renderRoot as ShadowRoot,
        { action: 'audit.damage.acknowledge', target: 'audit', title: 'Acknowledge the audit trail damage', meaning: 'review' },
        (headers) => api<{ acknowledged: AuditEntryView; verify: AuditVerifyView }>('POST', '/audit/acknowledge', { reason }, { headers }));
      if (!r) return;
      this.showVerify(r.verify);
      this.ackNote = { ok: true, text: `Acknowledged, signed, as entry ${r.acknowledged.seq}. Verification goes on from the trail as it is now.` };
      this.cursor = undefined;
      this.cursors = [];
      void this.load();
    } catch (err) {
      this.ackNote = { ok: false, text: errorText(err) };
    }
  }

  /** The actions that need an electronic signature on this server, as it declares them (its configured list). */
  private renderSigning(c: SigningConfig) {
    return html`<details class="signed" data-testid="signed-actions"><summary>Actions that need an electronic signature (${c.criticalActions.length})</summary>
      <ul>${c.criticalActions.map((a) => { const info = CRITICAL_ACTION_INFO[a]; return html`<li data-action-name=${a}><code>${a}</code>${info ? html`: ${info.what}, by ${codeSpans(info.where)}` : ''}</li>`; })}</ul>
      <div class="muted">Deploys are ${c.signedDeploys ? '' : 'not '}signed as a whole (<code>HISTORIAN_SIGNED_DEPLOYS</code>). A signature is the signer's password again, with its meaning, for one action on one target, valid ${Math.round(c.tokenTtlMs / 1000)} s and used once.</div></details>`;
  }

  render() {
    if (this.absent) return html`<div class="empty" data-testid="audit-absent">The audit trail is not available on this server yet.</div>`;
    const d = this.detail;
    return html`
      <section>
        <form class="search" @submit=${this.applyFilter} role="search" aria-label="Filter the audit trail">
          <label>User<input name="user" placeholder="admin" size="10" /></label>
          <label>Action<input name="action" placeholder="auth.login" size="12" /></label>
          <label>Target<input name="target" placeholder="user:admin" size="12" /></label>
          <label>From<input name="from" type="datetime-local" /></label>
          <label>To<input name="to" type="datetime-local" /></label>
          <button type="submit">Filter</button>
          ${can('audit.verify') ? html`<button type="button" data-action="verify" @click=${this.runVerify}>Verify chain</button>` : ''}
          <button type="button" data-action="export-csv" title="The entries this filter selects, with the chain hashes, for offline re-verification" @click=${this.exportCsv}>Export CSV</button>
        </form>
        ${this.signing ? this.renderSigning(this.signing) : ''}
        ${this.exportNote ? html`<div class=${this.exportNote.ok ? 'muted' : 'fail'} role=${this.exportNote.ok ? 'status' : 'alert'} data-testid="export-result">${this.exportNote.text}</div>` : ''}
        ${this.verify ? html`<div class=${this.verify.ok ? 'ok' : 'fail'} data-testid="verify-result">${this.verify.text}</div>` : ''}
        ${this.ackRequired && can('audit.acknowledge') ? html`<form class="ack" data-testid="audit-acknowledge" @submit=${this.acknowledge}>
          <p>The damage stays reported (the urgent audit alarm, the health page) until an administrator acknowledges it
            after investigating. The acknowledgement is signed and recorded in the trail; verification then goes on from the trail as it is now.</p>
          <label for="ack-reason">What the investigation found</label>
          <textarea id="ack-reason" name="reason" rows="3" required maxlength="2000" placeholder="e.g. compared with the backup of 1 Dec with QA: entries 2–40 were altered by a restore script"></textarea>
          <div><button type="submit" class="primary" data-action="acknowledge-damage">Acknowledge the damage</button></div>
        </form>` : ''}
        ${this.ackNote ? html`<div class=${this.ackNote.ok ? 'ok' : 'fail'} role=${this.ackNote.ok ? 'status' : 'alert'} data-testid="acknowledge-result">${this.ackNote.text}</div>` : ''}
        ${this.error ? html`<div class="error">${this.error}</div>` : ''}
        ${this.entries.length ? html`<div class="list" tabindex="0" role="region" aria-label="audit entries"><table class="cards" data-testid="audit-table"><thead><tr><th>#</th><th>Time</th><th>User</th><th>Action</th><th>Target</th><th>Signed</th></tr></thead>
          <tbody>${this.entries.map((e) => html`<tr class=${d?.seq === e.seq ? 'sel' : ''} @click=${() => { this.detail = e; }}>
            <td data-label="#"><button class="link" aria-label=${`Show entry ${e.seq}`} aria-pressed=${d?.seq === e.seq ? 'true' : 'false'} @click=${(ev: Event) => { ev.stopPropagation(); this.detail = e; }}>${e.seq}</button></td><td class="time" data-label="Time">${fmtDateTime(e.ts)}</td><td data-label="User">${e.username ?? '—'}</td><td data-label="Action">${e.action}</td><td class="target" data-label="Target">${e.target ?? ''}</td><td data-label=${e.signature ? 'Signed' : nothing}>${e.signature ? e.signature.meaning : ''}</td></tr>`)}</tbody></table></div>
          <div class="toolbar"><button ?disabled=${this.offset === 0} @click=${() => { this.cursor = this.cursors.pop(); void this.load(); }}>Newer</button>
            <button ?disabled=${this.nextCursor === null} @click=${() => { this.cursors.push(this.cursor); this.cursor = this.nextCursor ?? undefined; void this.load(); }}>Older</button></div>`
          : html`<div class="empty">No audit entries match.</div>`}
      </section>
      <aside class="panel">
        ${d ? html`<h3 class="top">Entry ${d.seq}</h3>
          <div>${fmtDateTime(d.ts)} <span class="muted">(${d.time ?? new Date(d.ts).toISOString()})</span> — ${d.userName ?? d.username ?? 'system'} (${d.role ?? '—'})</div>
          <div><b>${d.action}</b> ${d.target ?? ''}</div>
          ${d.reason ? html`<div>Reason: ${d.reason}</div>` : ''}
          ${d.clientAddress ? html`<div class="muted">from ${d.clientAddress}</div>` : ''}
          ${d.signature ? html`<div class="sig" data-testid="signature"><b>Electronically signed</b><br />${d.signature.printedName} (${d.signature.username})<br />${d.signature.signedAt}<br />Meaning: ${d.signature.meaning}</div>` : ''}
          <div>Previous value</div><pre>${JSON.stringify(d.previousValue, null, 1)}</pre>
          <div>New value</div><pre>${JSON.stringify(d.newValue, null, 1)}</pre>
          ${d.hash ? html`<div class="muted hash">hash ${d.hash}<br />prev ${d.prevHash}</div>` : ''}`
          : html`<div class="muted">Select an entry to see its details.</div>`}
      </aside>`;
  }
}

customElements.define('historian-audit-view', AuditView);
