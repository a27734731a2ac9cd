// The operator dashboard's shell: login, then live values from the live WebSocket.
import { LitElement, html, css } from 'lit';
import { api, getToken, setToken, ApiError } from './api';
import { LiveClient, type LiveSample, type LiveState } from './live-client';

interface LoginAnswer { token: string; mustChangePassword?: boolean }

export class HistorianApp extends LitElement {
  static properties = {
    token: { state: true },
    state: { state: true },
    error: { state: true },
    rows: { state: true },
  };

  // Reactive properties are declared, not initialised as class fields, so that Lit's
  // accessors are not shadowed whatever the compiler's class-field semantics.
  declare token: string | null;
  declare state: LiveState;
  declare error: string;
  declare rows: LiveSample[];
  private values = new Map<string, LiveSample>();
  private live: LiveClient | null = null;
  private renderPending = false;

  constructor() {
    super();
    this.token = getToken();
    this.state = 'disconnected';
    this.error = '';
    this.rows = [];
  }

  static styles = css`
    :host { display: block; min-height: 100vh; }
    header { display: flex; align-items: center; gap: 16px; padding: 8px 16px; background: #d0d0d0; border-bottom: 1px solid #b0b0b0; }
    header h1 { font-size: 16px; margin: 0; font-weight: 600; }
    .conn { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #bdbdbd; }
    .conn.connected { background: #c8d8c8; }
    .conn.disconnected { background: #e8c4c4; }
    .spacer { flex: 1; }
    main { padding: 16px; }
    form { display: grid; gap: 8px; max-width: 280px; margin: 10vh auto; background: #f2f2f2; padding: 24px; border: 1px solid #c0c0c0; }
    input, button { font: inherit; padding: 6px 8px; }
    .error { color: #a00; }
    table { border-collapse: collapse; width: 100%; background: #f2f2f2; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #d6d6d6; font-variant-numeric: tabular-nums; }
    td.value { text-align: right; }
    tr.BAD td { background: #f3d6d6; }
    tr.UNCERTAIN td { background: #f6efcf; }
    .empty { color: #666; padding: 24px; }
  `;

  connectedCallback(): void {
    super.connectedCallback();
    if (this.token) this.startLive();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.live?.close();
  }

  private startLive(): void {
    this.live?.close();
    this.live = new LiveClient(() => this.token, (s) => this.onSamples(s), (st) => { this.state = st; });
    this.live.subscribe('>');
    this.live.connect();
  }

  private onSamples(samples: LiveSample[]): void {
    for (const s of samples) this.values.set(s.tag, s);
    if (this.renderPending) return;
    this.renderPending = true;
    requestAnimationFrame(() => {
      this.renderPending = false;
      this.rows = [...this.values.values()].sort((a, b) => (a.tag < b.tag ? -1 : 1));
    });
  }

  private async login(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    try {
      const ans = await api<LoginAnswer>('POST', '/login', { username: data.get('username'), password: data.get('password') });
      setToken(ans.token);
      this.token = ans.token;
      this.error = '';
      this.startLive();
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : 'login failed';
    }
  }

  private logout(): void {
    void api('POST', '/logout').catch(() => undefined);
    setToken(null);
    this.token = null;
    this.live?.close();
    this.values.clear();
    this.rows = [];
  }

  render() {
    if (!this.token) {
      return html`<form @submit=${this.login} aria-label="Sign in">
        <h2>Historian</h2>
        <input name="username" placeholder="user name" autocomplete="username" required />
        <input name="password" type="password" placeholder="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      </form>`;
    }
    return html`
      <header>
        <h1>Historian</h1>
        <span class="conn ${this.state}" data-testid="connection">${this.state}</span>
        <span class="spacer"></span>
        <a href="/editor/">Flow editor</a>
        <button @click=${this.logout}>Sign out</button>
      </header>
      <main>
        ${this.rows.length === 0
          ? html`<div class="empty">No live values yet. Values appear here as soon as a flow publishes samples.</div>`
          : html`<table data-testid="live-table">
              <thead><tr><th>Tag</th><th>Value</th><th>Quality</th><th>Time</th></tr></thead>
              <tbody>${this.rows.map((r) => html`<tr class=${r.quality.split('_')[0]}><td>${r.tag}</td><td class="value">${r.value}</td><td>${r.quality}</td><td>${new Date(r.ts).toLocaleTimeString()}</td></tr>`)}</tbody>
            </table>`}
      </main>`;
  }
}

customElements.define('historian-app', HistorianApp);
