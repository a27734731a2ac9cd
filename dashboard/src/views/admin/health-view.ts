// System health (everyone may look; actions by role): one "everything healthy / N
// problems" line on top, then stores, store-and-forward buffers (with quarantine replay
// and purge for buffers.manage), tier movers, devices, audit chain, bus links, disk and
// the process, and for administrators the backup download (signed). Refreshes every few
// seconds from GET /system/health.
import { LitElement, html, css } from 'lit';
import { api, get, errorText } from '../../api';
import { can } from '../../session';
import { Refresh } from '../../lib/refresh';
import { adminStyles, figureList, fmtBytes, fmtDuration, fmtNumber, fmtTime, signedCall } from './admin-common';
import { confirmWithReason } from '../../components/confirm-dialog';
import { startDownload } from '../../lib/save-file';

interface Problem { area: string; kind: string; name: string; message: string }
interface Report {
  at: number; ok: boolean; problems: Problem[];
  stores: Array<{ name: string; open: boolean; samplesPerSecond: number | null; series: number; headSamples: number; blocks: number; diskBytes: number; walSegments: number; corruptBlocks: number; readErrors: number }>;
  buffers: Array<{ name: string; state: string; connected: boolean; pending: number; pendingSamples: number; oldestAgeMs: number; diskBytes: number; sentPerSecond: number; retries: number; quarantined: number; dropped: number; lastError: string | null; lastErrorAt: number | null; lastSentAt?: number | null }>;
  tiers: Array<{ name: string; store: string; running: boolean; lastRun: number | null; lastPassErrors: number; errors: number; lastError: string | null; remoteBlocks: number; remoteBytes: number; localBlocks: number }>;
  devices: Array<{ name: string; kind: string; target: string; state: string; connected: boolean; downForMs: number | null; lastGoodAt: number | null; requests: number; errors: number; lastError: string | null }>;
  audit: { verified: boolean; ok: boolean | null; checkedAt: string | null; entries: number | null; damage: string | null };
  links: Array<{ name: string; kind: string; connected: boolean; detail: string | null }>;
  disk: { path: string; totalBytes: number; freeBytes: number; freePercent: number; watermarkBytes?: number | null; writesRefused?: boolean } | null;
  process: { pid: number; uptimeSec: number; version: string; node: string; rssBytes: number; heapUsedBytes: number; cpuPercent: number | null };
  /** scheduled backups (HISTORIAN_BACKUP_DIR); null when none are set up */
  backup?: { dir: string; everyHours: number; keep: number; nextAt: number | null; running: boolean; last: { at: number; ok: boolean; file: string | null; archiveBytes: number; problem: string | null } | null } | null;
}

const REFRESH_MS = 3000;

/** how long the page follows a backup's download in the audit trail */
const BACKUP_WATCH_MS = 30 * 60_000;

interface LastBackup { seq: number; ts: number; username: string | null; scheduled: boolean; completed: boolean; archiveBytes: number }

/** "1 entry", "3 entries" */
const entries = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`;

export class HealthView extends LitElement {
  static properties = { report: { state: true }, error: { state: true }, notice: { state: true }, backingUp: { state: true }, backupNotice: { state: true }, lastBackup: { state: true } };
  declare report: Report | null;
  declare error: string;
  declare notice: string;
  /** a backup is being made and downloaded */
  declare backingUp: boolean;
  /** how the last backup asked for on this page went (in the Backup panel, next to its button) */
  declare backupNotice: string;
  /** the newest backup in the audit trail (undefined: not looked up; null: none yet) */
  declare lastBackup: LastBackup | null | undefined;
  private readonly refresh = new Refresh(this, () => this.load(), REFRESH_MS);
  /** the newest backup is looked up once per visit (and after a download), not at every refresh */
  private lastBackupAsked = false;

  static styles = [...adminStyles, css`
    .summary { padding: 8px 10px; font-weight: 600; font-size: 15px; margin-bottom: 8px; border: 1px solid var(--ok-border); background: var(--ok-bg); }
    .summary.problems { border-color: var(--bad-border); background: var(--bad-bg); }
    .summary.problems .muted { color: var(--fg); } /* the muted grey on the problem red is below 4.5:1 */
    .summary ul { margin: 4px 0 0; font-weight: 400; font-size: 13px; }
    section { margin-bottom: 10px; }
    tr.bad td { background: var(--bad-bg); }
    .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 8px; }
  `, figureList];

  constructor() {
    super();
    this.report = null;
    this.error = '';
    this.notice = '';
    this.backingUp = false;
    this.backupNotice = '';
  }

  /** The newest backup, from the audit trail (administrators read it; others see no Backup panel). */
  private async loadLastBackup(): Promise<void> {
    if (!can('system.backup') || !can('audit.read')) return;
    try {
      const e = (await get<{ entries: Array<{ seq: number; ts: number; username: string | null; newValue: { completed?: boolean; archiveBytes?: number; scheduled?: boolean } | null }> }>('/audit?action=system.backup&limit=1')).entries[0];
      this.lastBackup = e ? { seq: e.seq, ts: e.ts, username: e.username, scheduled: e.newValue?.scheduled === true, completed: e.newValue?.completed === true, archiveBytes: e.newValue?.archiveBytes ?? 0 } : null;
    } catch { /* the panel then says nothing about earlier backups */ }
  }

  private async load(): Promise<void> {
    if (!this.lastBackupAsked) { this.lastBackupAsked = true; void this.loadLastBackup(); }
    try {
      this.report = await get<Report>('/system/health');
      this.error = '';
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private async quarantine(name: string, op: 'replay' | 'purge', count: number): Promise<void> {
    try {
      const path = `/buffers/${encodeURIComponent(name)}/quarantine/${op}`;
      if (op === 'replay') {
        const r = await api<{ replayed: number }>('POST', path, {});
        this.notice = `${entries(r.replayed)} of ${name} put back for sending.`;
      } else {
        // a deletion of samples never delivered: a reason for the audit trail, then the signature
        const reason = await confirmWithReason(this.renderRoot as ShadowRoot, {
          title: `Delete ${count === 1 ? 'the quarantined entry' : `${count} quarantined entries`}?`,
          message: `The entries of buffer "${name}" that could not be delivered are deleted for good; they are not sent again. The audit trail records what was deleted, your reason and your signature.`,
          confirmLabel: 'Delete for good',
          reason: { label: 'Reason', placeholder: 'e.g. samples of a decommissioned line, refused by the broker\'s ACL' },
        });
        if (reason === null) return;
        const r = await signedCall<{ purged: number }>(this, 'POST', path, { reason }, { action: 'buffers.quarantine.purge', target: `buffer:${name}`, title: `delete ${entries(count)} quarantined in ${name}` });
        if (!r) return;
        this.notice = `${entries(r.purged)} of ${name} deleted.`;
      }
    } catch (e) {
      this.error = errorText(e);
    }
    await this.load();
  }

  private async pause(name: string, paused: boolean): Promise<void> {
    try {
      await api('POST', `/buffers/${encodeURIComponent(name)}/${paused ? 'resume' : 'pause'}`, {});
      this.notice = `${name} ${paused ? 'sending again' : 'paused (entries keep being buffered)'}.`;
    } catch (e) {
      this.error = errorText(e);
    }
    await this.load();
  }

  /**
   * A signed one-time link (POST /system/backup/links) the browser then downloads itself: an
   * archive of gigabytes streams to disk with the browser's progress instead of filling the
   * page's memory. The audit trail says when the download ended, and how.
   */
  private async backup(): Promise<void> {
    this.backingUp = true;
    this.backupNotice = '';
    const before = this.lastBackup?.seq ?? null;
    try {
      const link = await signedCall<{ url: string; expiresAt: number }>(this, 'POST', '/system/backup/links', {}, { action: 'system.backup', target: 'system', title: 'download a backup of the whole installation' });
      if (!link) { this.backupNotice = 'Backup cancelled: not signed.'; this.backingUp = false; return; }
      startDownload(link.url);
      this.backupNotice = 'Making the backup: your browser saves it as it comes (its downloads list shows the progress).';
      void this.awaitBackup(before);
    } catch (e) {
      this.backupNotice = `Backup refused: ${errorText(e)}`;
      this.backingUp = false;
    }
  }

  /** Follows the audit trail until the backup's entry is there (the download ended), while the page is open. */
  private async awaitBackup(before: number | null): Promise<void> {
    const started = Date.now();
    while (this.isConnected && Date.now() - started < BACKUP_WATCH_MS) {
      await new Promise((r) => setTimeout(r, 2000));
      await this.loadLastBackup();
      const b = this.lastBackup;
      // the entry of this download, not one of the schedule's
      if (b && b.seq !== before && !b.scheduled) {
        this.backupNotice = b.completed ? `Backup downloaded (${fmtBytes(b.archiveBytes)}).` : 'The backup download was broken off: nothing complete was saved.';
        break;
      }
      // the link serves one download within its minute: the button is free again after it
      if (Date.now() - started > 65_000) this.backingUp = false;
    }
    this.backingUp = false;
  }

  /** Scheduled backups: where, how often, the next; a failed last run with its reason; or how to set them up. */
  private scheduleLine(b: NonNullable<Report['backup']> | null) {
    if (!b) return html`<p class="muted" style="margin:0 0 8px" data-testid="backup-schedule">Not scheduled: set HISTORIAN_BACKUP_DIR (a directory outside the data directory) for an archive every day.</p>`;
    const when = b.running ? 'one is being made now' : b.nextAt ? `next ${fmtTime(b.nextAt)}` : '';
    return html`<p style="margin:0 0 8px" data-testid="backup-schedule">Scheduled every ${b.everyHours} h into <span style="overflow-wrap:anywhere">${b.dir}</span>, the newest ${b.keep} kept${when ? `; ${when}` : ''}.
      ${b.last && !b.last.ok ? html`<br><strong>The last scheduled backup failed</strong> (${fmtTime(b.last.at)}): ${b.last.problem}` : ''}</p>`;
  }

  private section(title: string, rows: unknown[], body: unknown, empty: string) {
    return html`<section><h3>${title}</h3>${rows.length ? html`<div class="scroll">${body}</div>` : html`<div class="empty">${empty}</div>`}</section>`;
  }

  render() {
    const r = this.report;
    if (!r) return html`${this.error ? html`<div class="error" role="alert">${this.error}</div>` : html`<div class="empty">Loading…</div>`}`;
    const manage = can('buffers.manage');
    const bad = (area: string, name: string) => r.problems.some((p) => p.area === area && p.name === name);
    return html`
      <h2>System health</h2>
      <div class="summary ${r.ok ? '' : 'problems'}" data-testid="health-summary" role="status">
        ${r.ok ? 'Everything healthy' : `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`}
        <span class="muted" style="font-weight:400;font-size:12px"> · checked ${fmtTime(r.at)}</span>
        ${r.ok ? '' : html`<ul>${r.problems.map((p) => html`<li data-problem=${p.kind}>${p.message}</li>`)}</ul>`}
      </div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.notice ? html`<div class="notice" role="status">${this.notice}</div>` : ''}

      ${this.section('Stores', r.stores, html`<table class="cards" data-testid="health-stores">
        <thead><tr><th scope="col">Store</th><th scope="col">Samples/s</th><th scope="col">Head series</th><th scope="col">Head samples (WAL lag)</th><th scope="col">WAL segments</th><th scope="col">Blocks</th><th scope="col">Disk</th><th scope="col">Errors</th></tr></thead>
        <tbody>${r.stores.map((s) => html`<tr class=${bad('store', s.name) ? 'bad' : ''}><td data-label="Store">${s.name}${s.open ? '' : ' (opening)'}</td><td data-label="Samples/s">${fmtNumber(s.samplesPerSecond)}</td><td data-label="Head series">${fmtNumber(s.series, 0)}</td>
          <td data-label="Head samples">${fmtNumber(s.headSamples, 0)}</td><td data-label="WAL segments">${s.walSegments}</td><td data-label="Blocks">${s.blocks}</td><td data-label="Disk">${fmtBytes(s.diskBytes)}</td><td data-label="Errors">${s.corruptBlocks + s.readErrors}</td></tr>`)}</tbody></table>`, 'No store deployed.')}

      ${this.section('Store-and-forward buffers', r.buffers, html`<table class="cards" data-testid="health-buffers">
        <thead><tr><th scope="col">Buffer</th><th scope="col">State</th><th scope="col">Backlog</th><th scope="col">Oldest entry</th><th scope="col">Sent/s</th><th scope="col">Disk</th><th scope="col">Quarantine</th><th scope="col">Last error</th></tr></thead>
        <tbody>${r.buffers.map((b) => html`<tr class=${bad('buffer', b.name) ? 'bad' : ''} data-buffer=${b.name}><td data-label="Buffer">${b.name}${manage ? html` <button data-action="pause" @click=${() => this.pause(b.name, b.state === 'paused')}>${b.state === 'paused' ? 'Resume' : 'Pause'}</button>` : ''}</td><td data-label="State" data-field="state">${b.state}</td>
          <td data-label="Backlog" data-field="pending">${fmtNumber(b.pending, 0)} <span class="muted">(${fmtNumber(b.pendingSamples, 0)} samples)</span></td><td data-label="Oldest entry">${b.pending ? fmtDuration(b.oldestAgeMs) : '—'}</td>
          <td data-label="Sent/s">${fmtNumber(b.sentPerSecond)}</td><td data-label="Disk">${fmtBytes(b.diskBytes)}</td>
          <td data-label="Quarantine">${b.quarantined}${manage && b.quarantined > 0 ? html` <button data-action="replay" @click=${() => this.quarantine(b.name, 'replay', b.quarantined)}>Replay</button>
            <button data-action="purge" @click=${() => this.quarantine(b.name, 'purge', b.quarantined)}>Purge</button>` : ''}</td>
          <td data-label="Last error">${b.lastError ?? ''}${b.lastError && b.lastErrorAt ? html` <span class="muted" data-testid="buffer-error-at">(${fmtTime(b.lastErrorAt)})</span>` : ''}${b.lastError && b.lastErrorAt && b.lastSentAt && b.lastSentAt > b.lastErrorAt ? html` <span class="muted" data-testid="buffer-error-past">· entries delivered since</span>` : ''}</td></tr>`)}</tbody></table>`, 'No store-and-forward buffer is running: a store-forward node buffers once its broker is set (HISTORIAN_NATS_URL or HISTORIAN_MQTT_URL).')}

      ${this.section('Tier movers', r.tiers, html`<table class="cards" data-testid="health-tiers">
        <thead><tr><th scope="col">Mover</th><th scope="col">Store</th><th scope="col">Last pass</th><th scope="col">Remote blocks</th><th scope="col">Local blocks</th><th scope="col">Errors</th></tr></thead>
        <tbody>${r.tiers.map((t) => html`<tr class=${bad('tier', t.name) ? 'bad' : ''}><td data-label="Mover">${t.name}</td><td data-label="Store">${t.store}</td><td data-label="Last pass">${t.running ? 'running' : fmtTime(t.lastRun)}</td>
          <td data-label="Remote blocks">${t.remoteBlocks} (${fmtBytes(t.remoteBytes)})</td><td data-label="Local blocks">${t.localBlocks}</td><td data-label="Errors">${t.errors}${t.lastError ? html` <span class="muted">${t.lastError}</span>` : ''}</td></tr>`)}</tbody></table>`, 'No tier mover is running: a tier-mover node moves blocks once its bucket is set (HISTORIAN_S3_BUCKET).')}

      ${this.section('Devices', r.devices, html`<table class="cards" data-testid="health-devices">
        <thead><tr><th scope="col">Device</th><th scope="col">Address</th><th scope="col">State</th><th scope="col">Last good read</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">Last error</th></tr></thead>
        <tbody>${r.devices.map((d) => html`<tr class=${bad('device', d.name) ? 'bad' : ''}><td data-label="Device">${d.name}</td><td data-label="Address">${d.kind} ${d.target}</td>
          <td data-label="State">${d.state}${d.downForMs !== null ? html` <span class="muted">for ${fmtDuration(d.downForMs)}</span>` : ''}</td><td data-label="Last good read">${fmtTime(d.lastGoodAt)}</td>
          <td data-label="Requests">${d.requests}</td><td data-label="Errors">${d.errors}</td><td data-label="Last error">${d.lastError ?? ''}</td></tr>`)}</tbody></table>`, 'No device connection is deployed (Modbus, OPC UA, EtherNet/IP and EGD device nodes report here).')}

      <div class="tiles">
        <div class="panel ${r.audit.ok === false ? 'warn' : ''}"><h3 style="margin-top:0">Audit chain</h3><dl>
          <dt>Last verification</dt><dd>${r.audit.verified ? fmtTime(r.audit.checkedAt) : 'not yet'}</dd>
          <dt>Result</dt><dd>${r.audit.ok === null ? '—' : r.audit.ok ? `intact: ${fmtNumber(r.audit.entries, 0)} entries checked` : `DAMAGED: ${r.audit.damage}`}</dd></dl>
          ${r.audit.ok === false && can('audit.verify') ? html`<a href="#/audit?verify=1" data-testid="audit-investigate">Verify on the Audit page${can('audit.acknowledge') ? ', and acknowledge once investigated' : ''}</a>` : ''}</div>
        <div class="panel"><h3 style="margin-top:0">NATS / MQTT</h3>${r.links.length || r.buffers.length ? html`<dl>
          ${r.links.map((l) => html`<dt>${l.kind} ${l.name}</dt><dd>${l.connected ? 'connected' : 'not connected'}</dd>`)}
          ${r.buffers.map((b) => html`<dt>buffer ${b.name}</dt><dd>${b.connected ? 'connected' : 'not connected'}</dd>`)}</dl>` : html`<span class="muted">not configured</span>`}</div>
        <div class="panel"><h3 style="margin-top:0">Disk</h3>${r.disk ? html`<dl><dt>Free</dt><dd>${fmtBytes(r.disk.freeBytes)} of ${fmtBytes(r.disk.totalBytes)} (${r.disk.freePercent.toFixed(1)} %)</dd>${r.disk.watermarkBytes ? html`<dt>Writes</dt><dd data-field="disk-writes">${r.disk.writesRefused ? html`<strong>refused</strong> below ${fmtBytes(r.disk.watermarkBytes)} free` : `accepted (refused below ${fmtBytes(r.disk.watermarkBytes)} free)`}</dd>` : ''}<dt>Data</dt><dd style="overflow-wrap:anywhere">${r.disk.path}</dd></dl>` : '—'}</div>
        <div class="panel"><h3 style="margin-top:0">Process</h3><dl>
          <dt>Version</dt><dd>${r.process.version} (Node ${r.process.node})</dd><dt>Uptime</dt><dd>${fmtDuration(r.process.uptimeSec * 1000)}</dd>
          <dt>CPU</dt><dd>${r.process.cpuPercent === null ? '—' : `${r.process.cpuPercent.toFixed(1)} %`}</dd><dt>Memory</dt><dd>${fmtBytes(r.process.rssBytes)} RSS</dd></dl></div>
        ${can('system.backup') ? html`<div class="panel" data-testid="health-backup"><h3 style="margin-top:0">Backup</h3>
          <p class="muted" style="margin:0 0 8px">The whole installation as one .tar.gz, made while it runs: samples, accounts, audit trail, flows and keys. Keep it as safe as the server.</p>
          ${this.lastBackup !== undefined ? html`<p style="margin:0 0 8px" data-testid="last-backup">${this.lastBackup === null ? 'No backup taken yet.'
            : `Last: ${fmtTime(this.lastBackup.ts)} ${this.lastBackup.scheduled ? 'on schedule' : `by ${this.lastBackup.username ?? '—'}`}, ${this.lastBackup.completed ? fmtBytes(this.lastBackup.archiveBytes) : this.lastBackup.scheduled ? 'failed' : 'broken off'}.`}</p>` : ''}
          ${this.scheduleLine(r.backup ?? null)}
          <button data-action="backup" ?disabled=${this.backingUp} @click=${() => this.backup()}>${this.backingUp ? 'Making the backup…' : 'Download backup'}</button>
          <p style="margin:8px 0 0" role="status" data-testid="backup-notice">${this.backupNotice}</p></div>` : ''}
      </div>`;
  }
}
customElements.define('historian-admin-health', HealthView);
