// Electronic signature (21 CFR Part 11): when an action answers 428, the user re-enters
// user name and password and picks a meaning; POST /re-auth gives a one-minute signing
// token bound to that action and target, sent as X-Historian-Signature on the retry.
import { api, ApiError } from '../api';
import { me } from '../session';

export const MEANINGS = ['responsibility', 'approval', 'review', 'authorship'] as const;

export interface SignatureRequest { action: string; target: string; title: string }

/** Asks for the signature in a modal dialog; resolves with the signing token, or null if cancelled. */
export function askSignature(host: HTMLElement | ShadowRoot, req: SignatureRequest): Promise<string | null> {
  return new Promise((resolve) => {
    const d = document.createElement('dialog');
    d.setAttribute('data-testid', 'signature-dialog');
    d.style.cssText = 'border:1px solid #888;background:#f2f2f2;padding:16px;min-width:320px;font:14px system-ui,sans-serif';
    const form = document.createElement('form');
    form.style.cssText = 'display:grid;gap:8px';
    const h = document.createElement('h3');
    h.textContent = `Signature required: ${req.title}`;
    h.style.margin = '0';
    const p = document.createElement('p');
    p.textContent = 'Re-enter your user name and password. Your printed name, the date and time and the meaning are recorded with this action.';
    p.style.cssText = 'margin:0;color:#555;font-size:12px';
    const user = Object.assign(document.createElement('input'), { name: 'sig-username', value: me()?.username ?? '', required: true, autocomplete: 'username' });
    const pass = Object.assign(document.createElement('input'), { name: 'sig-password', type: 'password', required: true, autocomplete: 'current-password' });
    pass.placeholder = 'password';
    const meaning = document.createElement('select');
    meaning.name = 'sig-meaning';
    for (const m of MEANINGS) meaning.append(Object.assign(document.createElement('option'), { value: m, textContent: m }));
    const err = document.createElement('div');
    err.style.color = '#a00000';
    const row = document.createElement('div');
    row.style.cssText = 'display:flex;gap:8px;justify-content:flex-end';
    const cancel = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Cancel' });
    const ok = Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Sign' });
    row.append(cancel, ok);
    form.append(h, p, user, pass, meaning, err, row);
    d.append(form);
    (host instanceof ShadowRoot ? host : host).appendChild(d);
    const finish = (v: string | null) => { d.close(); d.remove(); resolve(v); };
    cancel.onclick = () => finish(null);
    d.addEventListener('cancel', () => finish(null));
    form.onsubmit = async (e) => {
      e.preventDefault();
      try {
        const r = await api<Record<string, unknown>>('POST', '/re-auth', { username: user.value, password: pass.value, meaning: meaning.value, action: req.action, target: req.target });
        const token = (r.token ?? r.signingToken ?? r.signature) as string | undefined;
        if (!token) throw new Error('the server gave no signing token');
        finish(token);
      } catch (e2) {
        err.textContent = e2 instanceof ApiError && e2.status === 404 ? 'electronic signatures are not available on this server' : (e2 as Error).message;
      }
    };
    d.showModal();
    pass.focus();
  });
}

/** Runs `call`; on 428 asks for a signature and retries once with it. */
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
