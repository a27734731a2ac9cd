// Electronic signature (21 CFR Part 11), the one dialog every signed action uses: when a
// command answers 428 the signed-in user re-enters the password and picks a meaning;
// POST /re-auth gives a one-minute signing token bound to that action and target, sent as
// X-Historian-Signature on the retry. The user name is the signed-in user's and cannot be
// changed: a signature is always the signer's own.
import { LitElement, html, css } from 'lit';
import { api, ApiError } from '../api';
import type { SigningTicketView } from '../../../runtime/server/api/contract';
import { me } from '../session';
import { base } from '../styles';

export const MEANINGS = ['responsibility', 'approval', 'review', 'authorship'] as const;

export interface SignatureRequest {
  /** permission-table action the token is bound to, e.g. alarms.shelve */
  action: string;
  /** the object acted on (alarm id, layout id ...) */
  target: string;
  /** what the user is about to do, shown as the dialog's title */
  title: string;
  /** the meaning pre-selected (default responsibility) */
  meaning?: (typeof MEANINGS)[number];
}

let seq = 0;

export class SignatureDialog extends LitElement {
  static properties = { request: { attribute: false }, error: { state: true }, busy: { state: true } };
  declare request: SignatureRequest;
  declare error: string;
  declare busy: boolean;
  private readonly uid = `sig${++seq}`;
  resolve: (token: string | null) => void = () => undefined;

  constructor() { super(); this.error = ''; this.busy = false; }

  static styles = [base, css`
    dialog { width: 380px; }
    h2 { margin: 0; font-size: 16px; }
    p { margin: 0; font-size: 12px; }
    .field { display: grid; gap: 2px; }
    .row { display: flex; gap: 8px; justify-content: flex-end; }
    input[readonly] { background: var(--panel-2); }
  `];

  firstUpdated(): void {
    const d = this.renderRoot.querySelector('dialog')!;
    d.showModal();
    (this.renderRoot.querySelector('input[type=password]') as HTMLInputElement).focus();
  }

  private finish(token: string | null): void {
    this.renderRoot.querySelector('dialog')?.close();
    this.remove();
    this.resolve(token);
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    this.busy = true;
    try {
      const r = await api<SigningTicketView>('POST', '/re-auth', {
        username: me()?.username ?? '', password: String(f.get('password') ?? ''), meaning: String(f.get('meaning')),
        action: this.request.action, target: this.request.target,
      });
      this.finish(r.token);
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 404 ? 'electronic signatures are not available on this server' : (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    const u = me();
    const id = this.uid;
    return html`<dialog data-testid="signature-dialog" aria-labelledby="${id}-t" @cancel=${(e: Event) => { e.preventDefault(); this.finish(null); }}>
      <form @submit=${this.submit}>
        <h2 id="${id}-t">Signature required: ${this.request.title}</h2>
        <p class="muted">Your printed name, the date and time and the meaning are recorded with this action.</p>
        <div class="field"><label for="${id}-u">User name</label>
          <input id="${id}-u" name="username" .value=${u ? `${u.username}${u.name ? ` (${u.name})` : ''}` : ''} readonly autocomplete="username" /></div>
        <div class="field"><label for="${id}-p">Password</label>
          <input id="${id}-p" name="password" type="password" required autocomplete="current-password" /></div>
        <div class="field"><label for="${id}-m">Meaning of this signature</label>
          <select id="${id}-m" name="meaning">${MEANINGS.map((m) => html`<option value=${m} ?selected=${m === (this.request.meaning ?? 'responsibility')}>${m}</option>`)}</select></div>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
        <div class="row"><button type="button" @click=${() => this.finish(null)}>Cancel</button>
          <button type="submit" class="primary" ?disabled=${this.busy}>Sign</button></div>
      </form></dialog>`;
  }
}

customElements.define('historian-signature-dialog', SignatureDialog);

/** Asks for the signature in a modal dialog; resolves with the signing token, or null if cancelled. */
export function askSignature(host: HTMLElement | ShadowRoot, req: SignatureRequest): Promise<string | null> {
  return new Promise((resolve) => {
    const d = document.createElement('historian-signature-dialog') as SignatureDialog;
    d.request = req;
    d.resolve = resolve;
    host.appendChild(d);
  });
}

/** Runs `call`; on 428 asks for a signature and retries once with it. Null = the user cancelled. */
export async function withSignature<T>(host: HTMLElement | ShadowRoot, req: SignatureRequest, call: (headers: Record<string, string>) => Promise<T>): Promise<T | null> {
  try {
    return await call({});
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 428) throw e;
    const token = await askSignature(host, req);
    if (!token) return null;
    return call({ 'X-Historian-Signature': token });
  }
}
