// The operator dashboard's shell: login (and the password change a new account must make
// first), the role-aware navigation and the views. The route lives in the URL hash:
// #/live, #/trend?tags=a,b&range=8h, #/alarms, #/layouts, #/audit.
import { LitElement, html, css } from 'lit';
import { api, getToken, setToken, ApiError, errorText, onUnauthorized } from './api';
import { live, type LiveState } from './live-client';
import { can, setMe, type Me } from './session';
import { base } from './styles';
import './views/live-view';
import './views/trend-view';
import './views/alarm-view';
import './views/audit-view';
import './views/layout-view';

// Administration views load on first use, so the operators' first load stays small.
const ADMIN_VIEWS: Record<string, () => Promise<unknown>> = {
  users: () => import('./views/admin/users-view'),
  tokens: () => import('./views/admin/tokens-view'),
  tags: () => import('./views/admin/tags-view'),
  health: () => import('./views/admin/health-view'),
  account: () => import('./views/admin/account-view'),
  rules: () => import('./views/admin/admin-common'),
};
function loadView(name: string): void {
  void ADMIN_VIEWS[name]?.().catch((e) => console.error(`could not load the ${name} view`, e));
}

interface LoginAnswer { token: string; mustChangePassword?: boolean }
type Route = { view: string; params: URLSearchParams };

function parseHash(): Route {
  const h = location.hash.replace(/^#\/?/, '');
  const [view, q] = h.split('?');
  return { view: view || 'live', params: new URLSearchParams(q ?? '') };
}

export class HistorianApp extends LitElement {
  static properties = {
    token: { state: true }, state: { state: true }, error: { state: true }, me: { state: true }, route: { state: true }, busy: { state: true },
  };

  // Reactive properties are declared, not initialised as class fields, so that Lit's
  // accessors are not shadowed whatever the compiler's class-field semantics.
  declare token: string | null;
  declare state: LiveState;
  declare error: string;
  declare me: Me | null;
  declare route: Route;
  declare busy: boolean;
  private offs: Array<() => void> = [];

  constructor() {
    super();
    this.token = getToken();
    this.state = 'disconnected';
    this.error = '';
    this.me = null;
    this.route = parseHash();
    this.busy = false;
  }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; min-height: 100vh; background: #e6e6e6; }
    header { display: flex; align-items: center; gap: 12px; padding: 6px 12px; background: #d0d0d0; border-bottom: 1px solid #b0b0b0; flex-wrap: wrap; }
    header h1 { font-size: 16px; margin: 0; font-weight: 600; }
    nav { display: flex; gap: 2px; flex-wrap: wrap; }
    nav a { padding: 4px 10px; color: #222; text-decoration: none; border: 1px solid transparent; border-radius: 2px; }
    nav a[aria-current='page'] { background: #bdbdbd; border-color: #999; font-weight: 600; }
    .conn { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #bdbdbd; }
    .conn.connected { background: #c8d8c8; }
    .conn.disconnected { background: #e8c4c4; }
    .spacer { flex: 1; }
    .who { font-size: 12px; color: #444; }
    main { padding: 10px 12px; flex: 1; min-height: 0; box-sizing: border-box; }
    form.login { display: grid; gap: 8px; width: 300px; margin: 10vh auto; background: #f2f2f2; padding: 24px; border: 1px solid #c0c0c0; }
    form.login h2 { margin: 0 0 8px; font-weight: 600; }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    const onHash = () => { this.route = parseHash(); };
    window.addEventListener('hashchange', onHash);
    this.offs.push(() => window.removeEventListener('hashchange', onHash));
    this.offs.push(live.onState((s) => { this.state = s; }));
    this.offs.push(onUnauthorized(() => this.signedOut('Your session ended; please sign in again.')));
    if (this.token) void this.loadMe();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const o of this.offs) o();
    live.close();
  }

  private async loadMe(): Promise<void> {
    try {
      const me = await api<Me>('GET', '/me');
      this.me = me;
      setMe(me);
      if (!me.mustChangePassword) {
        live.connect();
        void this.openHome();
      }
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) this.error = errorText(e);
    }
  }

  /** Without a route in the URL, the shared home layout (if one is set) is the first page. */
  private async openHome(): Promise<void> {
    if (location.hash.replace(/^#\/?/, '') !== '' || !can('layouts.read')) return;
    try {
      const { layout } = await api<{ layout: { id: string } | null }>('GET', '/layouts/home');
      if (layout && location.hash.replace(/^#\/?/, '') === '') location.hash = `#/layouts?id=${encodeURIComponent(layout.id)}`;
    } catch { /* no home layout: the live view stays */ }
  }

  private async login(e: Event): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    this.busy = true;
    try {
      const ans = await api<LoginAnswer>('POST', '/login', { username: data.get('username'), password: data.get('password') });
      setToken(ans.token);
      this.token = ans.token;
      this.error = '';
      await this.loadMe();
    } catch (err) {
      // A server may refuse the sign-in with a session that can only change the password:
      // take it, and the password-change form follows from /me.
      if (err instanceof ApiError && typeof err.body.token === 'string' && err.body.mustChangePassword === true) {
        setToken(err.body.token);
        this.token = err.body.token;
        this.error = '';
        await this.loadMe();
        return;
      }
      this.error = err instanceof ApiError ? err.message : 'login failed';
    } finally {
      this.busy = false;
    }
  }

  private async changePassword(e: Event): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const next = String(data.get('newPassword'));
    if (next !== String(data.get('confirm'))) { this.error = 'the new passwords differ'; return; }
    try {
      await api('POST', '/me/password', { currentPassword: data.get('currentPassword'), newPassword: next });
      // the restricted session ends; a fresh one carries the full permissions of the role
      await api('POST', '/logout').catch(() => undefined);
      const ans = await api<LoginAnswer>('POST', '/login', { username: this.me!.username, password: next });
      setToken(ans.token);
      this.token = ans.token;
      this.error = '';
      await this.loadMe();
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private signedOut(message = ''): void {
    setToken(null);
    setMe(null);
    this.token = null;
    this.me = null;
    this.error = message;
    live.close();
  }

  private logout(): void {
    void api('POST', '/logout').catch(() => undefined);
    this.signedOut();
  }

  private onTrendChange(e: CustomEvent<{ tags: string[]; preset: string }>): void {
    const q = new URLSearchParams({ tags: e.detail.tags.join(','), range: e.detail.preset });
    history.replaceState(null, '', `#/trend?${q}`);
  }

  private renderView() {
    const { view, params } = this.route;
    loadView(view);
    switch (view) {
      case 'trend': return html`<historian-trend-view .tags=${(params.get('tags') ?? '').split(',').filter(Boolean)} .preset=${params.get('range') ?? '1h'}
        @trend-change=${this.onTrendChange}></historian-trend-view>`;
      case 'alarms': return can('alarms.read') ? html`<historian-alarm-console></historian-alarm-console>` : this.denied();
      case 'audit': return can('audit.read') ? html`<historian-audit-view></historian-audit-view>` : this.denied();
      case 'layouts': return can('layouts.read') ? html`<historian-layout-view .selectId=${params.get('id')}></historian-layout-view>` : this.denied();
      case 'health': return html`<historian-admin-health></historian-admin-health>`;
      case 'account': return html`<historian-account @signed-out=${() => this.signedOut('You signed out everywhere.')}></historian-account>`;
      case 'tags': return can('tags.write') ? html`<historian-admin-tags></historian-admin-tags>` : this.denied();
      case 'users': return can('users.manage') ? html`<historian-admin-users></historian-admin-users>` : this.denied();
      case 'tokens': return can('tokens.manage') ? html`<historian-admin-tokens></historian-admin-tokens>` : this.denied();
      default: return html`<historian-live-view></historian-live-view>`;
    }
  }

  private denied() {
    return html`<div class="empty">Your role (${this.me?.role}) may not open this page.</div>`;
  }

  render() {
    if (!this.token || (!this.me && !this.error)) {
      if (this.token) return html`<div class="empty">Loading…</div>`;
      return html`<form class="login" @submit=${this.login} aria-label="Sign in">
        <h2>Historian</h2>
        <input name="username" placeholder="user name" autocomplete="username" required />
        <input name="password" type="password" placeholder="password" autocomplete="current-password" required />
        <button type="submit" class="primary" ?disabled=${this.busy}>Sign in</button>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      </form>`;
    }
    if (!this.me) return html`<div class="error" role="alert" style="padding:24px">${this.error} <button @click=${() => this.signedOut()}>Sign in again</button></div>`;
    if (this.me.mustChangePassword) {
      loadView('rules');
      return html`<form class="login" @submit=${this.changePassword} aria-label="Change password" data-testid="change-password">
        <h2>Choose a new password</h2>
        <p class="muted" style="margin:0">Your password must be changed before you continue.</p>
        <historian-password-rules></historian-password-rules>
        <input name="currentPassword" type="password" placeholder="current password" autocomplete="current-password" required />
        <input name="newPassword" type="password" placeholder="new password" autocomplete="new-password" required />
        <input name="confirm" type="password" placeholder="repeat new password" autocomplete="new-password" required />
        <button type="submit" class="primary">Change password</button>
        <button type="button" @click=${this.logout}>Sign out</button>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      </form>`;
    }
    const v = this.route.view;
    const link = (id: string, label: string, show = true) => (show ? html`<a href="#/${id}" aria-current=${v === id ? 'page' : 'false'} data-nav=${id}>${label}</a>` : '');
    return html`
      <header>
        <h1>Historian</h1>
        <nav>
          ${link('live', 'Live')}
          ${link('trend', 'Trend', can('query'))}
          ${link('alarms', 'Alarms', can('alarms.read'))}
          ${link('layouts', 'Layouts', can('layouts.read'))}
          ${link('audit', 'Audit', can('audit.read'))}
          ${link('tags', 'Tags', can('tags.write'))}
          ${link('users', 'Users', can('users.manage'))}
          ${link('tokens', 'Tokens', can('tokens.manage'))}
          ${link('health', 'Health')}
          ${link('account', 'Account')}
        </nav>
        <span class="spacer"></span>
        <span class="conn ${this.state}" data-testid="connection">${this.state}</span>
        <span class="who" data-testid="who">${this.me.name || this.me.username} · ${this.me.role}</span>
        ${can('flows.write') ? html`<a href="/editor/">Flow editor</a>` : ''}
        <button @click=${this.logout}>Sign out</button>
      </header>
      <main>${this.renderView()}</main>`;
  }
}

customElements.define('historian-app', HistorianApp);
