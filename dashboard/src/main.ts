// The operator dashboard's shell: login (and the password change a new account must make
// first), the role-aware navigation and the views. The route lives in the URL hash:
// #/live, #/trend?tags=a,b&range=8h (or &from=…&to=…), #/alarms, #/layouts, #/audit.
// The alarm banner sits under the header on every view.
import { LitElement, html, css } from 'lit';
import './theme.css';
import { api, getToken, setToken, ApiError, errorText, onUnauthorized, onTokenChange, shareWithEditor, EDITOR_PATH } from './api';
import { live, type LiveState } from './live-client';
import { can, setMe, type Me } from './session';
import { base } from './styles';
import { warmFormats } from './lib/format';
import { applyTheme, preferences, setPreference } from './lib/preferences';
import { trendStateFromParams, trendStateToQuery, type TrendState } from './trend/trend-state';
import './components/alarm-banner';
import { prefetchOverview } from './views/live/live-view';
import './views/alarms/alarm-console';

// Views with heavy parts (the chart library, the layout grid) load when first opened, so
// the first load (sign-in, live values, alarms) stays small on a slow plant network.
const LAZY: Record<string, () => Promise<unknown>> = {
  trend: () => import('./views/trend/trend-view'),
  layouts: () => import('./views/layout-view'),
  audit: () => import('./views/audit-view'),
  frames: () => import('./views/frames/frames-view'),
};
const loading = new Map<string, Promise<unknown>>();
function ensureView(view: string): void {
  const load = LAZY[view];
  if (load && !loading.has(view)) loading.set(view, load());
}

// Administration views load on first use, so the operators' first load stays small.
const ADMIN_VIEWS: Record<string, () => Promise<unknown>> = {
  users: () => import('./views/admin/users-view'),
  tokens: () => import('./views/admin/tokens-view'),
  tags: () => import('./views/admin/tags-view'),
  health: () => import('./views/admin/health-view'),
  fleet: () => import('./views/fleet/fleet-view'),
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
    :host { display: flex; flex-direction: column; min-height: 100vh; background: var(--bg); }
    header { display: flex; align-items: center; gap: 8px 12px; padding: 4px 12px; background: var(--header); border-bottom: 1px solid var(--border); flex-wrap: wrap; }
    header h1 { font-size: 16px; margin: 0; font-weight: 600; }
    nav { display: flex; gap: 2px; flex-wrap: wrap; }
    nav a { padding: 4px 10px; color: var(--fg); text-decoration: none; border: 1px solid transparent; border-radius: 2px; }
    nav a[aria-current='page'] { background: var(--btn-active); border-color: var(--btn-border); font-weight: 600; }
    .conn { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: var(--btn); }
    .conn.disconnected { background: var(--bad-bg); color: var(--bad-fg); }
    .who { font-size: 12px; color: var(--muted); }
    main { padding: 10px 12px; flex: 1; min-height: 0; min-width: 0; box-sizing: border-box; }
    form.login { display: grid; gap: 8px; width: min(300px, 90vw); box-sizing: border-box; margin: 10vh auto; background: var(--panel); padding: 24px; border: 1px solid var(--border); }
    form.login h2 { margin: 0 0 8px; font-weight: 600; }
    .flush { margin: 0; }
    @media (max-width: 700px) {
      header { padding: 4px 6px; gap: 4px 6px; }
      .who { display: none; }
      /* the page keeps its one level-one heading for screen readers where there is no room to show it */
      header h1 { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
      nav a { padding: 4px 6px; }
      main { padding: 6px; }
    }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    const onHash = () => { this.route = parseHash(); };
    window.addEventListener('hashchange', onHash);
    this.offs.push(() => window.removeEventListener('hashchange', onHash));
    this.offs.push(live.onState((s) => { this.state = s; }));
    this.offs.push(onUnauthorized(() => this.signedOut('Your session ended; please sign in again.')));
    // another tab signed in or out: follow it
    this.offs.push(onTokenChange((t) => {
      if (t === this.token) return;
      if (!t) { this.signedOut('Signed out in another tab.'); return; }
      this.token = t;
      this.error = '';
      live.close();
      void this.loadMe();
    }));
    applyTheme();
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
      applyTheme();
      if (!me.mustChangePassword) {
        live.connect();
        void this.openHome();
        // the editor opened from a bookmark or the address bar finds the session too, not only through the link
        if (can('flows.write')) shareWithEditor(me.expiresAt);
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
      const answer = api<LoginAnswer>('POST', '/login', { username: data.get('username'), password: data.get('password') });
      // the server spends its time checking the password: prepare the overview meanwhile
      warmFormats();
      const ans = await answer;
      setToken(ans.token);
      this.token = ans.token;
      this.error = '';
      if (!ans.mustChangePassword) {
        // the live connection and the overview's data load while /me answers, not after it
        live.connect();
        if (this.route.view === 'live') prefetchOverview();
      }
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
    applyTheme();
    this.token = null;
    this.me = null;
    this.error = message;
    live.close();
  }

  private logout(): void {
    void api('POST', '/logout').catch(() => undefined);
    this.signedOut();
  }

  /** The trend's state goes into the URL (replace, so Back leaves the trend, not each zoom). */
  private onTrendChange(e: CustomEvent<TrendState>): void {
    if (this.route.view !== 'trend') return;
    const url = `#/trend?${trendStateToQuery(e.detail)}`;
    if (location.hash !== url) history.replaceState(null, '', url);
  }

  private toggleTheme(): void {
    setPreference('theme', preferences().theme === 'dark' ? 'light' : 'dark');
    this.requestUpdate();
  }

  private renderView() {
    const { view, params } = this.route;
    loadView(view);
    ensureView(view);
    switch (view) {
      case 'trend': return html`<historian-trend-view .state=${trendStateFromParams(params)} @trend-change=${this.onTrendChange}></historian-trend-view>`;
      case 'alarms': return can('alarms.read') ? html`<historian-alarm-console .tab=${params.get('tab') ?? 'active'}></historian-alarm-console>` : this.denied();
      case 'frames': return can('frames.read') ? html`<historian-frames-view .link=${params.toString()}></historian-frames-view>` : this.denied();
      case 'audit': return can('audit.read') ? html`<historian-audit-view></historian-audit-view>` : this.denied();
      case 'layouts': return can('layouts.read') ? html`<historian-layout-view .selectId=${params.get('id')}></historian-layout-view>` : this.denied();
      case 'health': return html`<historian-admin-health></historian-admin-health>`;
      case 'fleet': return can('fleet.read') ? html`<historian-fleet></historian-fleet>` : this.denied();
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
        <label for="login-user">User name</label><input id="login-user" name="username" autocomplete="username" required />
        <label for="login-pass">Password</label><input id="login-pass" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" class="primary" ?disabled=${this.busy}>Sign in</button>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      </form>`;
    }
    if (!this.me) return html`<div class="error pad" role="alert">${this.error} <button @click=${() => this.signedOut()}>Sign in again</button></div>`;
    if (this.me.mustChangePassword) {
      loadView('rules');
      return html`<form class="login" @submit=${this.changePassword} aria-label="Change password" data-testid="change-password">
        <h2>Choose a new password</h2>
        <p class="muted flush">Your password must be changed before you continue.</p>
        <historian-password-rules></historian-password-rules>
        <label for="cp-cur">Current password</label><input id="cp-cur" name="currentPassword" type="password" autocomplete="current-password" required />
        <label for="cp-new">New password</label><input id="cp-new" name="newPassword" type="password" autocomplete="new-password" required />
        <label for="cp-rep">Repeat new password</label><input id="cp-rep" name="confirm" type="password" autocomplete="new-password" required />
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
          ${link('frames', 'Frames', can('frames.read'))}
          ${link('layouts', 'Layouts', can('layouts.read'))}
          ${link('audit', 'Audit', can('audit.read'))}
          ${link('tags', 'Tags', can('tags.write'))}
          ${link('users', 'Users', can('users.manage'))}
          ${link('tokens', 'Tokens', can('tokens.manage'))}
          ${link('health', 'Health')}
          ${link('fleet', 'Fleet', can('fleet.read'))}
          ${link('account', 'Account')}
        </nav>
        <span class="spacer"></span>
        <span class="conn ${this.state}" data-testid="connection">${this.state}</span>
        <span class="who" data-testid="who">${this.me.name || this.me.username} · ${this.me.role}</span>
        <button data-action="theme" aria-pressed=${String(preferences().theme === 'dark')} title="Switch between the light and the dark theme (saved for you)" @click=${this.toggleTheme}>${preferences().theme === 'dark' ? 'Light' : 'Dark'}</button>
        ${can('flows.write') ? html`<a href=${EDITOR_PATH} target="_blank" data-testid="editor-link" @click=${() => shareWithEditor(this.me?.expiresAt)}>Flow editor</a>` : ''}
        <button @click=${this.logout} data-action="logout">Sign out</button>
      </header>
      ${can('alarms.read') ? html`<historian-alarm-banner></historian-alarm-banner>` : ''}
      <main>${this.renderView()}</main>`;
  }
}

customElements.define('historian-app', HistorianApp);
