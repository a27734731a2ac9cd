// ISA-101 high-performance HMI look: grey, low contrast for normal states, colour only
// where something is abnormal (bad quality, alarms). Every colour is a CSS custom property
// defined in theme.css, so the light (default) and dark themes swap them on <html> and
// every shadow root follows. Shared by every view.
import { css } from 'lit';

export const base = css`
  :host { color: var(--fg); font: 14px/1.4 system-ui, sans-serif; }
  button, input, select, textarea { font: inherit; color: var(--fg); }
  button { padding: 4px 10px; border: 1px solid var(--btn-border); background: var(--btn); border-radius: 2px; cursor: pointer; min-height: 28px; }
  button:hover:not(:disabled) { background: var(--btn-hover); }
  button:disabled { color: var(--muted); cursor: default; opacity: 0.8; }
  button.primary { background: var(--btn-primary); border-color: var(--btn-border-strong); }
  /* the button that deletes or revokes: the abnormal colours, as ISA-101 keeps colour for what needs attention */
  button.danger { background: var(--bad-bg); border-color: var(--bad-border); color: var(--bad-fg); font-weight: 600; }
  button.active, button[aria-pressed='true'], button[role='tab'][aria-selected='true'] { background: var(--btn-active); border-color: var(--btn-border-strong); font-weight: 600; }
  button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
  input, select, textarea { padding: 4px 6px; border: 1px solid var(--input-border); background: var(--input); border-radius: 2px; }
  /* a search box wide enough for its hint ("Filter tags or descriptions"), never wider than its place */
  input[type='search'] { min-width: min(100%, 17em); box-sizing: border-box; }
  a { color: var(--link); }
  label { color: var(--fg); }
  .empty { color: var(--muted); padding: 24px; text-align: center; background: var(--panel-2); border: 1px dashed var(--border); }
  .error { color: var(--bad-fg); }
  .muted { color: var(--muted); }
  table { border-collapse: collapse; width: 100%; background: var(--panel); }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--rule); font-variant-numeric: tabular-nums; vertical-align: top; }
  th { background: var(--th); font-weight: 600; position: sticky; top: 0; }
  .bad { background: var(--bad-bg); }
  .uncertain { background: var(--unc-bg); }
  .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
  .spacer { flex: 1; }
  /* a filter form of labelled fields (Frames, Audit): labels above their inputs, wrapping; two a row on a phone */
  form.search { display: flex; flex-wrap: wrap; gap: 6px; align-items: end; }
  form.search label { display: grid; gap: 2px; font-size: 12px; }
  @media (max-width: 600px) {
    /* phones: each row of a wide table of class "cards" becomes a card, each cell labelled by its column (data-label) */
    table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: auto; }
    table.cards tr { border: 1px solid var(--border); margin-bottom: 6px; }
    table.cards td { border: none; padding: 2px 8px; }
    table.cards td[data-label]::before { content: attr(data-label) ': '; color: var(--muted); font-weight: 600; }
  }
  @media (max-width: 700px) {
    form.search label { flex: 1 1 40%; }
    form.search input, form.search select { width: 100%; box-sizing: border-box; }
  }
  .panel { background: var(--panel); border: 1px solid var(--border); padding: 8px; }
  dialog { border: 1px solid var(--btn-border-strong); background: var(--panel); color: var(--fg); padding: 16px; min-width: 300px; max-width: 92vw; box-sizing: border-box; }
  dialog::backdrop { background: rgba(0, 0, 0, 0.35); }
  /* one column that may shrink: a long tag path in a title or field wraps instead of widening the dialog past its edge */
  dialog form { display: grid; gap: 8px; grid-template-columns: minmax(0, 1fr); }
  dialog h2, dialog p { overflow-wrap: anywhere; }
  .tabs { display: flex; flex-wrap: wrap; gap: 2px; border-bottom: 1px solid var(--border); margin-bottom: 8px; }
  .tabs button { border-bottom: none; border-radius: 2px 2px 0 0; }
  .prio-urgent { color: #fff; background: var(--prio-urgent); }
  .prio-high { color: #000; background: var(--prio-high); }
  .prio-medium { color: #000; background: var(--prio-medium); }
  .prio-low { color: #000; background: var(--prio-low); }
  .chip { display: inline-block; padding: 0 6px; border-radius: 2px; font-size: 12px; font-weight: 600; }
  button.link { border: none; background: none; color: var(--link); text-decoration: underline; padding: 0 2px; min-height: 0; font-size: 12px; }
  .prio-icon { vertical-align: -3px; flex: none; }
  .pad { padding: 8px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
