// Users (ADMIN): list, create with role and display name, change role, disable/enable,
// unlock, reset password. A password an administrator sets must be changed by its user at
// first login. Critical actions are signed when the server asks for it (428).
import { LitElement, html } from 'lit';
import { get, errorText } from '../../api';
import { me } from '../../session';
import { adminStyles, fmtTime, signedCall } from './admin-common';

export const ROLES = ['ADMIN', 'ENGINEER', 'OPERATOR', 'AUDITOR', 'SERVICE'] as const;

interface User {
  id: string; username: string; name: string; role: string; disabled: boolean; mustChangePassword: boolean;
  passwordChangedAt: string; passwordExpiresAt: string | null; createdAt: string;
  /** failed-login lock now: everywhere, or from some client addresses */
  locked: { everywhere: boolean; addresses: number; until: string } | null;
}

function lockText(l: NonNullable<User['locked']>): string {
  const where = l.everywhere ? 'everywhere' : `from ${l.addresses} address${l.addresses === 1 ? '' : 'es'}`;
  return `locked ${where} until ${fmtTime(l.until)}`;
}
interface Created { user: User; generatedPassword?: string }

export class UsersView extends LitElement {
  static properties = { users: { state: true }, error: { state: true }, notice: { state: true }, secret: { state: true }, resetFor: { state: true } };
  declare users: User[];
  declare error: string;
  declare notice: string;
  /** a generated password, shown once */
  declare secret: { username: string; password: string } | null;
  declare resetFor: User | null;

  static styles = adminStyles;

  constructor() {
    super();
    this.users = [];
    this.error = '';
    this.notice = '';
    this.secret = null;
    this.resetFor = null;
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.users = (await get<{ users: User[] }>('/users')).users;
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private async run(fn: () => Promise<unknown>, done: string): Promise<void> {
    this.error = '';
    this.notice = '';
    try {
      const r = await fn();
      if (r !== null) this.notice = done;
    } catch (e) {
      this.error = errorText(e);
    }
    await this.load();
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const d = new FormData(form);
    const username = String(d.get('username')).trim();
    const password = String(d.get('password') ?? '');
    const body: Record<string, unknown> = { username, name: String(d.get('name')).trim(), role: String(d.get('role')) };
    if (password) body.password = password;
    delete body.password;
    await this.run(async () => {
      // A password an administrator chooses is temporary. The account is created first with a
      // generated one (which every server version marks "must change"), then the chosen one is
      // set through the reset route with mustChange: the result is the same whether or not the
      // server already forces the change for admin-set passwords at creation.
      const out = await signedCall<Created>(this, 'POST', '/users', body, { action: 'users.create', target: username, title: `create user ${username}` });
      if (!out) return null;
      if (password) {
        const set = await signedCall(this, 'POST', `/users/${encodeURIComponent(out.user.id)}/password`, { password, mustChange: true },
          { action: 'users.password.reset', target: out.user.id, title: `temporary password of ${username}` });
        if (!set && out.generatedPassword) this.secret = { username, password: out.generatedPassword };
      } else if (out.generatedPassword) {
        this.secret = { username, password: out.generatedPassword };
      }
      form.reset();
      return out;
    }, `User ${username} created.`);
  }

  private changeRole(u: User, role: string): Promise<void> {
    return this.run(() => signedCall(this, 'PATCH', `/users/${encodeURIComponent(u.id)}`, { role },
      { action: 'users.role.change', target: u.id, title: `role of ${u.username}: ${u.role} → ${role}` }), `Role of ${u.username} is now ${role}.`);
  }

  private setDisabled(u: User, disabled: boolean): Promise<void> {
    return this.run(() => signedCall(this, 'PATCH', `/users/${encodeURIComponent(u.id)}`, { disabled },
      { action: disabled ? 'users.disable' : 'users.enable', target: u.id, title: `${disabled ? 'disable' : 'enable'} ${u.username}` }),
    `${u.username} ${disabled ? 'disabled' : 'enabled'}.`);
  }

  private unlock(u: User): Promise<void> {
    return this.run(() => signedCall(this, 'POST', `/users/${encodeURIComponent(u.id)}/unlock`, undefined,
      { action: 'users.unlock', target: u.id, title: `unlock ${u.username}` }), `${u.username} unlocked.`);
  }

  private async reset(e: Event): Promise<void> {
    e.preventDefault();
    const u = this.resetFor!;
    const password = String(new FormData(e.target as HTMLFormElement).get('password') ?? '');
    this.resetFor = null;
    await this.run(async () => {
      const out = await signedCall<{ generatedPassword?: string }>(this, 'POST', `/users/${encodeURIComponent(u.id)}/password`,
        password ? { password, mustChange: true } : { mustChange: true },
        { action: 'users.password.reset', target: u.id, title: `reset the password of ${u.username}` });
      if (out?.generatedPassword) this.secret = { username: u.username, password: out.generatedPassword };
      return out;
    }, `Password of ${u.username} reset; it must be changed at the next sign-in.`);
  }

  private copy(text: string): void {
    void navigator.clipboard?.writeText(text).then(() => { this.notice = 'Copied.'; }, () => { this.notice = 'Select the text and copy it.'; });
  }

  render() {
    const self = me()?.userId;
    return html`
      <h2>Users</h2>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.notice ? html`<div class="notice" role="status">${this.notice}</div>` : ''}
      ${this.secret ? html`<div class="panel" data-testid="generated-password">
        <p>Password of <b>${this.secret.username}</b>, shown only now (it must be changed at first sign-in):</p>
        <code class="secret">${this.secret.password}</code>
        <button @click=${() => this.copy(this.secret!.password)}>Copy</button> <button @click=${() => { this.secret = null; }}>Done</button>
      </div>` : ''}
      <div class="grid">
        <div class="scroll">
          <table class="cards" data-testid="users-table">
            <thead><tr><th scope="col">User</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Password changed</th><th scope="col">Actions</th></tr></thead>
            <tbody>${this.users.map((u) => html`<tr data-user=${u.username}>
              <td data-label="User">${u.username}</td><td data-label="Name">${u.name}</td>
              <td data-label="Role"><select aria-label="role of ${u.username}" data-field="role" ?disabled=${u.id === self}
                @change=${(e: Event) => this.changeRole(u, (e.target as HTMLSelectElement).value)}>
                ${ROLES.map((r) => html`<option value=${r} ?selected=${r === u.role}>${r}</option>`)}</select></td>
              <td data-label="State">${u.disabled ? html`<span class="chip bad">disabled</span>` : 'active'}${u.mustChangePassword ? html` <span class="chip uncertain">must change password</span>` : ''}${u.locked ? html` <span class="chip bad" data-testid="locked">${lockText(u.locked)}</span>` : ''}</td>
              <td data-label="Password changed">${fmtTime(u.passwordChangedAt)}</td>
              <td data-label="Actions" class="actions">
                <button data-action="toggle" ?disabled=${u.id === self} @click=${() => this.setDisabled(u, !u.disabled)}>${u.disabled ? 'Enable' : 'Disable'}</button>
                <button data-action="unlock" ?disabled=${!u.locked} title=${u.locked ? `lift the lock after failed logins (${lockText(u.locked)})` : 'not locked'} @click=${() => this.unlock(u)}>Unlock</button>
                <button data-action="reset" @click=${() => { this.resetFor = u; }}>Reset password</button>
              </td></tr>`)}</tbody>
          </table>
        </div>
        <div>
          ${this.resetFor ? html`<form class="panel fields" @submit=${this.reset} data-testid="reset-form" aria-label="Reset password">
            <h3 class="full">Reset the password of ${this.resetFor.username}</h3>
            <label for="reset-pw">New password</label><input id="reset-pw" name="password" type="password" autocomplete="new-password" placeholder="empty: generate one" />
            <div class="full"><historian-password-rules></historian-password-rules></div>
            <div class="full toolbar"><button type="submit" class="primary">Reset</button><button type="button" @click=${() => { this.resetFor = null; }}>Cancel</button></div>
          </form>` : ''}
          <form class="panel fields" @submit=${this.create} data-testid="create-user" aria-label="Create user">
            <h3 class="full">New user</h3>
            <label for="nu-username">User name</label><input id="nu-username" name="username" required pattern="[A-Za-z0-9][A-Za-z0-9._@\\-]{0,63}" autocomplete="off" />
            <label for="nu-name">Display name</label><input id="nu-name" name="name" required maxlength="200" autocomplete="off" />
            <label for="nu-role">Role</label><select id="nu-role" name="role">${ROLES.map((r) => html`<option value=${r} ?selected=${r === 'OPERATOR'}>${r}</option>`)}</select>
            <label for="nu-password">Password</label><input id="nu-password" name="password" type="password" autocomplete="new-password" placeholder="empty: generate one" />
            <div class="full"><historian-password-rules></historian-password-rules>
              <p class="muted" style="margin:0;font-size:12px">The user must change this password at first sign-in. Service accounts sign in with API tokens only.</p></div>
            <div class="full"><button type="submit" class="primary">Create user</button></div>
          </form>
        </div>
      </div>`;
  }
}
customElements.define('historian-admin-users', UsersView);
