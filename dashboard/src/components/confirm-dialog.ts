// The question before a destructive action (revoke a token, delete a layout, purge quarantined
// entries), as a modal dialog of the page. It was the browser's confirm(), which kiosk and
// panel-PC browsers often suppress: there it answered "no" at once and the action could not be
// done at all.
import { LitElement, html, css } from 'lit';
import { base } from '../styles';

export interface ConfirmRequest {
  title: string;
  /** what happens, in one or two sentences */
  message: string;
  /** the button that does it, e.g. "Revoke" */
  confirmLabel: string;
  /** asks for a reason too (required), e.g. for the audit trail of a deletion */
  reason?: { label: string; placeholder?: string };
}

let seq = 0;

export class ConfirmDialog extends LitElement {
  static properties = { request: { attribute: false } };
  declare request: ConfirmRequest;
  private readonly uid = `confirm${++seq}`;
  /** the reason given ('' when none is asked for), or null on Cancel / Escape */
  resolve: (answer: string | null) => void = () => undefined;

  static styles = [base, css`
    dialog { max-width: min(28em, 92vw); }
    h2 { margin: 0; font-size: 16px; }
    p { margin: 0; }
    label { display: block; font-weight: 600; margin: 8px 0 4px; }
    textarea { width: 100%; box-sizing: border-box; }
    .row { display: flex; gap: 8px; justify-content: flex-end; }
  `];

  firstUpdated(): void {
    this.renderRoot.querySelector('dialog')!.showModal();
    // the safe answer has the focus: Enter on a stray key press does not delete anything
    (this.renderRoot.querySelector('button[data-answer=no]') as HTMLButtonElement).focus();
  }

  private finish(ok: boolean): void {
    const reason = this.renderRoot.querySelector('textarea')?.value.trim() ?? '';
    this.renderRoot.querySelector('dialog')?.close();
    this.remove();
    this.resolve(ok ? reason : null);
  }

  render() {
    const id = this.uid;
    return html`<dialog data-testid="confirm-dialog" role="alertdialog" aria-labelledby="${id}-t" aria-describedby="${id}-m" @cancel=${(e: Event) => { e.preventDefault(); this.finish(false); }}>
      <form method="dialog" @submit=${(e: Event) => { e.preventDefault(); this.finish(true); }}>
        <h2 id="${id}-t">${this.request.title}</h2>
        <p id="${id}-m">${this.request.message}</p>
        ${this.request.reason ? html`<label for="${id}-r">${this.request.reason.label}</label>
          <textarea id="${id}-r" name="reason" rows="3" required maxlength="500" placeholder=${this.request.reason.placeholder ?? ''}></textarea>` : ''}
        <div class="row"><button type="button" data-answer="no" @click=${() => this.finish(false)}>Cancel</button>
          <button type="submit" class="danger" data-answer="yes">${this.request.confirmLabel}</button></div>
      </form></dialog>`;
  }
}

customElements.define('historian-confirm-dialog', ConfirmDialog);

/** Asks in a modal dialog; resolves true when the user confirms, false on Cancel or Escape. */
export async function confirmAction(host: HTMLElement | ShadowRoot, req: ConfirmRequest): Promise<boolean> {
  return (await ask(host, req)) !== null;
}

/** Asks in a modal dialog with a required reason; resolves the reason, or null on Cancel or Escape. */
export function confirmWithReason(host: HTMLElement | ShadowRoot, req: ConfirmRequest & { reason: NonNullable<ConfirmRequest['reason']> }): Promise<string | null> {
  return ask(host, req);
}

function ask(host: HTMLElement | ShadowRoot, req: ConfirmRequest): Promise<string | null> {
  return new Promise((resolve) => {
    const d = document.createElement('historian-confirm-dialog') as ConfirmDialog;
    d.request = req;
    d.resolve = resolve;
    host.appendChild(d);
  });
}
