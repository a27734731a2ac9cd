// My account (everyone): who I am, change my password (rules shown first), my sessions
// and "sign out everywhere".
import { LitElement, html } from 'lit';
import { api, get, errorText } from '../../api';
import { Refresh } from '../../lib/refresh';
import { me } from '../../session';
import { adminStyles, fmtTime } from './admin-common';

interface Session { id: string; issuedAt: string; lastSeenAt: string; expiresAt: string; current: boolean }

export class AccountView extends LitElement {
  static properties = { sessions: { state: true }, error: { state: true }, notice: { state: true } };
  declare sessions: Session[];
  declare error: string;
  declare notice: string;

  static styles = adminStyles;

  constructor() {
    super();
    this.sessions = [];
    this.error = '';
    this.notice = '';
  }

  private readonly refresh = new Refresh(this, () => this.load());

  private async load(): Promise<void> {
    try {
      this.sessions = (await get<{ sessions: Session[] }>('/me/sessions')).sessions;
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private async change(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const d = new FormData(form);
    this.error = '';
    this.notice = '';
    if (d.get('newPassword') !== d.get('confirm')) { this.error = 'The new passwords differ.'; return; }
    try {
      await api('POST', '/me/password', { currentPassword: d.get('currentPassword'), newPassword: d.get('newPassword') });
      form.reset();
      this.notice = 'Password changed. Your other sessions were signed out.';
      await this.load();
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async everywhere(): Promise<void> {
    this.error = '';
    try {
      await api('POST', '/me/sessions/revoke', { includeCurrent: true });
    } catch (err) {
      this.error = errorText(err);
      return;
    }
    // This session ended too: the shell goes back to the sign-in page.
    this.dispatchEvent(new CustomEvent('signed-out', { bubbles: true, composed: true }));
  }

  render() {
    const m = me();
    return html`
      <h2>My account</h2>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.notice ? html`<div class="notice" role="status">${this.notice}</div>` : ''}
      <div class="grid">
        <div>
          <div class="panel">
            <b>${m?.name || m?.username}</b> <span class="muted">(${m?.username})</span> · role ${m?.role}
          </div>
          <h3>My sessions</h3>
          <div class="scroll"><table data-testid="sessions">
            <thead><tr><th scope="col">Session</th><th scope="col">Signed in</th><th scope="col">Last used</th><th scope="col">Ends</th></tr></thead>
            <tbody>${this.sessions.map((s) => html`<tr><td>${s.id}…${s.current ? html` <span class="chip">this one</span>` : ''}</td>
              <td>${fmtTime(s.issuedAt)}</td><td>${fmtTime(s.lastSeenAt)}</td><td>${fmtTime(s.expiresAt)}</td></tr>`)}</tbody>
          </table></div>
          <p><button data-action="sign-out-everywhere" @click=${this.everywhere}>Sign out everywhere</button>
            <span class="muted">ends every session of yours, this one included</span></p>
        </div>
        <form class="panel fields" @submit=${this.change} data-testid="account-password" aria-label="Change my password">
          <h3 class="full">Change my password</h3>
          <div class="full"><historian-password-rules></historian-password-rules></div>
          <label for="ac-current">Current password</label><input id="ac-current" name="currentPassword" type="password" autocomplete="current-password" required />
          <label for="ac-new">New password</label><input id="ac-new" name="newPassword" type="password" autocomplete="new-password" required />
          <label for="ac-confirm">Repeat</label><input id="ac-confirm" name="confirm" type="password" autocomplete="new-password" required />
          <div class="full"><button type="submit" class="primary">Change password</button></div>
        </form>
      </div>`;
  }
}
customElements.define('historian-account', AccountView);
