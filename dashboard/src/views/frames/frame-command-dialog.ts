// The Frames page's two changes to a record, each a form in a modal dialog before its
// signature: closing an open frame by hand (reason, end now or at a time) and setting one
// attribute (one of the frame's own or a new one, its value, the reason). They were browser
// prompts, which kiosk browsers block and which could not check a field or show the value
// being replaced. The page signs and sends what the dialog answers (`frame-command`).
import { LitElement, html, css } from 'lit';
import { base } from '../../styles';
import { fmtDateTime } from '../../lib/format';
import { attributeLabel, type AttributeValue, type FrameView } from './frame-types';

export type FrameCommand =
  | { kind: 'close'; reason: string; end?: number }
  | { kind: 'attribute'; name: string; value: AttributeValue; reason: string };

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** A value as typed: true/false and numbers keep their type, so filters and exports see what was meant. */
export function typedValue(text: string): AttributeValue {
  const t = text.trim();
  return t === 'true' ? true : t === 'false' ? false : t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** `datetime-local` text for a time, in the browser's zone. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export class FrameCommandDialog extends LitElement {
  static properties = { frame: { attribute: false }, kind: {}, name: { state: true }, problem: { state: true } };
  declare frame: FrameView;
  declare kind: 'close' | 'attribute';
  /** the attribute name as typed so far (shows the value it replaces) */
  declare name: string;
  declare problem: string;

  constructor() {
    super();
    this.kind = 'attribute';
    this.name = '';
    this.problem = '';
  }

  static styles = [base, css`
    dialog { max-width: min(34em, 94vw); }
    h2 { margin: 0; font-size: 16px; }
    p { margin: 0; }
    .now { font-size: 13px; }
    textarea { width: 100%; box-sizing: border-box; font: inherit; }
  `];

  firstUpdated(): void {
    this.renderRoot.querySelector('dialog')?.showModal();
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent('frame-command-cancel'));
  }

  private submit(e: Event): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const reason = String(f.get('reason') ?? '').trim();
    if (!reason) { this.problem = 'Reason: say why (it is recorded in the audit trail).'; return; }
    let detail: FrameCommand;
    if (this.kind === 'close') {
      const endText = String(f.get('end') ?? '');
      const end = endText ? new Date(endText).getTime() : undefined;
      if (end !== undefined && (!Number.isFinite(end) || end < this.frame.start)) { this.problem = `End: must not be before the start (${fmtDateTime(this.frame.start)}).`; return; }
      if (end !== undefined && end > Date.now()) { this.problem = 'End: must not be in the future.'; return; }
      detail = { kind: 'close', reason, ...(end === undefined ? {} : { end }) };
    } else {
      const name = String(f.get('name') ?? '').trim();
      if (!NAME_RE.test(name)) { this.problem = 'Attribute: 1-64 letters, digits, _ . or -.'; return; }
      detail = { kind: 'attribute', name, value: typedValue(String(f.get('value') ?? '')), reason };
    }
    this.dispatchEvent(new CustomEvent<FrameCommand>('frame-command', { detail }));
  }

  render() {
    const f = this.frame;
    const close = this.kind === 'close';
    const known = Object.hasOwn(f.attributes, this.name);
    return html`<dialog data-testid=${close ? 'frame-close-dialog' : 'frame-attribute-dialog'} aria-labelledby="fc-title" @cancel=${this.cancel}>
      <form @submit=${this.submit} novalidate>
        <h2 id="fc-title">${close ? `Close ${f.name}` : `Set an attribute of ${f.name}`}</h2>
        <p class="muted">${f.template}, started ${fmtDateTime(f.start)}. The change is signed and recorded in the audit trail${close ? '; a closed frame is a record and stays closed' : ' with the value it replaces'}.</p>
        ${close ? html`
          <label for="fc-end">End (empty: now)</label>
          <input id="fc-end" name="end" type="datetime-local" min=${localInput(f.start)} max=${localInput(Date.now())} />`
        : html`
          <label for="fc-name">Attribute</label>
          <input id="fc-name" name="name" list="fc-names" required maxlength="64" autocomplete="off" placeholder="released"
            @input=${(e: Event) => { this.name = (e.target as HTMLInputElement).value.trim(); }} />
          <datalist id="fc-names">${Object.keys(f.attributes).map((k) => html`<option value=${k}></option>`)}</datalist>
          <div class="muted now" data-testid="attribute-now">${known ? `now ${attributeLabel(f, this.name)}` : this.name ? 'a new attribute' : ''}</div>
          <label for="fc-value">Value</label>
          <input id="fc-value" name="value" maxlength="1000" placeholder="true" aria-describedby="fc-value-hint" />
          <div class="muted now" id="fc-value-hint">true, false and numbers are stored as such; anything else as text.</div>`}
        <label for="fc-reason">Reason</label>
        <textarea id="fc-reason" name="reason" rows="2" required maxlength="500" placeholder=${close ? 'cleaning finished, the end signal did not arrive' : 'QA release after review of the batch record'}></textarea>
        ${this.problem ? html`<div class="error" role="alert">${this.problem}</div>` : ''}
        <div class="toolbar"><span class="spacer"></span><button type="button" @click=${this.cancel}>Cancel</button>
          <button type="submit" class="primary">${close ? 'Close the frame' : 'Set attribute'}</button></div>
      </form></dialog>`;
  }
}

customElements.define('historian-frame-command-dialog', FrameCommandDialog);
