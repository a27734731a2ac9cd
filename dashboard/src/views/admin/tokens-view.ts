// API tokens (ADMIN): create for an account with scopes, a tag pattern and an expiry (the
// secret is shown once, with a copy button), list with last use, revoke. The scopes offered
// are read from the one permission table: each says what it allows, and those the chosen
// account's role does not have are greyed out (the server would refuse them).
import { LitElement, html } from 'lit';
import { PERMISSIONS, ROLE_PERMISSIONS, isPermission, isRole } from '../../../../runtime/auth/permissions';
import { get, errorText } from '../../api';
import { me } from '../../session';
import { adminStyles, fmtTime, signedCall } from './admin-common';
import { confirmAction } from '../../components/confirm-dialog';

interface Token {
  id: string; name: string; username: string; prefix: string; scopes: string[]; tagPattern: string | null;
  status: 'active' | 'expired' | 'revoked'; createdAt: string; expiresAt: string | null; lastUsedAt: string | null;
}
interface User { id: string; username: string; role: string; disabled: boolean }

// Machine-typical scopes preselected for a new token.
const DEFAULT_SCOPES = ['ingest', 'query', 'tags.read'];

export class TokensView extends LitElement {
  static properties = { tokens: { state: true }, users: { state: true }, error: { state: true }, notice: { state: true }, secret: { state: true }, showAll: { state: true }, actsAs: { state: true } };
  /** user name of the account the new token acts as */
  declare actsAs: string;
  declare tokens: Token[];
  declare users: User[];
  declare error: string;
  declare notice: string;
  declare secret: { name: string; token: string } | null;
  declare showAll: boolean;

  static styles = adminStyles;

  constructor() {
    super();
    this.tokens = [];
    this.users = [];
    this.error = '';
    this.notice = '';
    this.secret = null;
    this.showAll = false;
    this.actsAs = '';
  }

  /** Whether the account the token acts as may use this scope. */
  private allowed(scope: string): boolean {
    const role = this.users.find((u) => u.username === this.actsAs)?.role;
    return !role || !isRole(role) || !isPermission(scope) || ROLE_PERMISSIONS[role].has(scope);
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [t, u] = await Promise.all([get<{ tokens: Token[] }>('/tokens'), get<{ users: User[] }>('/users').catch(() => ({ users: [] }))]);
      this.tokens = t.tokens;
      this.users = u.users.filter((x) => !x.disabled);
      if (!this.users.some((x) => x.username === this.actsAs)) this.actsAs = (this.users.find((x) => x.role === 'SERVICE') ?? this.users[0])?.username ?? '';
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const d = new FormData(form);
    const scopes = d.getAll('scope').map(String);
    this.error = '';
    this.notice = '';
    if (!scopes.length) { this.error = 'scopes: pick at least one'; return; }
    const days = String(d.get('expires') ?? '');
    const name = String(d.get('name') ?? '').trim();
    const body: Record<string, unknown> = {
      user: String(d.get('user')), scopes, ...(name ? { name } : {}),
      ...(String(d.get('tagPattern') ?? '').trim() ? { tagPattern: String(d.get('tagPattern')).trim() } : {}),
      expiresInDays: days === 'never' ? null : Number(days),
    };
    try {
      const out = await signedCall<{ token: string; record: Token }>(this, 'POST', '/tokens', body, { action: 'tokens.create', target: String(body.user), title: 'create an API token' });
      if (out) {
        this.secret = { name: out.record.name, token: out.token };
        form.reset();
      }
    } catch (err) {
      this.error = errorText(err);
    }
    await this.load();
  }

  private async revoke(t: Token): Promise<void> {
    if (!(await confirmAction(this.renderRoot as ShadowRoot, { title: `Revoke token "${t.name}"?`, message: `${t.prefix}… stops working at once: machines using it are refused from their next request.`, confirmLabel: 'Revoke' }))) return;
    this.error = '';
    try {
      const out = await signedCall(this, 'DELETE', `/tokens/${encodeURIComponent(t.id)}`, undefined, { action: 'tokens.revoke', target: t.id, title: `revoke token ${t.name}` });
      if (out) this.notice = `Token ${t.name} revoked.`;
    } catch (err) {
      this.error = errorText(err);
    }
    await this.load();
  }

  private copy(): void {
    void navigator.clipboard?.writeText(this.secret!.token).then(() => { this.notice = 'Token copied.'; }, () => { this.notice = 'Select the token and copy it.'; });
  }

  render() {
    const scopes = me()?.permissions ?? [];
    const list = this.showAll ? this.tokens : this.tokens.filter((t) => t.status === 'active');
    return html`
      <h2>API tokens</h2>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.notice ? html`<div class="notice" role="status">${this.notice}</div>` : ''}
      ${this.secret ? html`<div class="panel" data-testid="token-secret">
        <p>Token <b>${this.secret.name}</b>. Copy it now: it is shown only once and stored only as a hash.</p>
        <code class="secret" data-testid="token-value">${this.secret.token}</code>
        <div class="toolbar"><button data-action="copy" @click=${this.copy}>Copy</button><button @click=${() => { this.secret = null; }}>Done</button></div>
      </div>` : ''}
      <div class="grid">
        <div>
          <div class="toolbar"><label class="check"><input type="checkbox" .checked=${this.showAll} @change=${(e: Event) => { this.showAll = (e.target as HTMLInputElement).checked; }} /> show revoked and expired</label></div>
          <div class="scroll"><table class="cards" data-testid="tokens-table">
            <thead><tr><th scope="col">Name</th><th scope="col">Account</th><th scope="col">Scopes</th><th scope="col">Tags</th><th scope="col">Status</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Action</th></tr></thead>
            <tbody>${list.map((t) => html`<tr data-token=${t.name}>
              <td data-label="Name">${t.name} <span class="muted">${t.prefix}…</span></td><td data-label="Account">${t.username}</td><td data-label="Scopes">${t.scopes.join(', ')}</td><td data-label="Tags">${t.tagPattern ?? 'all'}</td>
              <td data-label="Status">${t.status}</td><td data-label="Expires">${t.expiresAt ? fmtTime(t.expiresAt) : 'never'}</td><td data-label="Last used">${t.lastUsedAt ? fmtTime(t.lastUsedAt) : 'never'}</td>
              <td data-label="Action">${t.status === 'active' ? html`<button data-action="revoke" @click=${() => this.revoke(t)}>Revoke</button>` : ''}</td></tr>`)}</tbody>
          </table></div>
          ${list.length ? '' : html`<div class="empty">No ${this.showAll ? '' : 'active '}tokens.</div>`}
        </div>
        <form class="panel fields" @submit=${this.create} data-testid="create-token" aria-label="Create API token">
          <h3 class="full">New token</h3>
          <label for="tk-name">Name</label><input id="tk-name" name="name" maxlength="200" placeholder="e.g. line 2 gateway" />
          <label for="tk-user">Acts as</label><select id="tk-user" name="user" required @change=${(e: Event) => { this.actsAs = (e.target as HTMLSelectElement).value; }}>${this.users.map((u) => html`<option value=${u.username} ?selected=${u.username === this.actsAs}>${u.username} (${u.role})</option>`)}</select>
          <label for="tk-pattern">Tag pattern</label><input id="tk-pattern" name="tagPattern" maxlength="255" placeholder="all tags, or e.g. acme.izmir.>" />
          <label for="tk-exp">Expires</label><select id="tk-exp" name="expires">
            <option value="1">in 1 day</option><option value="30">in 30 days</option><option value="90" selected>in 90 days</option><option value="365">in 1 year</option><option value="never">never</option></select>
          <fieldset class="full" data-testid="token-scopes"><legend>Scopes: what the token may do (greyed: not allowed to ${this.users.find((u) => u.username === this.actsAs)?.role ?? 'the account'})</legend>
            ${scopes.map((s) => { const ok = this.allowed(s); const what = isPermission(s) ? PERMISSIONS[s] : ''; return html`<label class="check" title=${ok ? what : `${what} (not allowed to this account's role)`}><input type="checkbox" name="scope" value=${s} ?disabled=${!ok} .checked=${ok && DEFAULT_SCOPES.includes(s)} />${s}</label>`; })}
          </fieldset>
          <div class="full"><button type="submit" class="primary">Create token</button></div>
        </form>
      </div>`;
  }
}
customElements.define('historian-admin-tokens', TokensView);
