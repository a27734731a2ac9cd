// ISA-101 high-performance HMI look: grey, low contrast for normal states, colour only
// where something is abnormal (bad quality, alarms). Shared by every view.
import { css } from 'lit';

export const base = css`
  :host { color: #222; font: 14px/1.4 system-ui, sans-serif; }
  button, input, select, textarea { font: inherit; }
  button { padding: 4px 10px; border: 1px solid #9a9a9a; background: #dcdcdc; color: #222; border-radius: 2px; cursor: pointer; }
  button:hover:not(:disabled) { background: #d0d0d0; }
  button:disabled { color: #888; cursor: default; }
  button.primary { background: #c4c4c4; border-color: #777; }
  button.active, button[aria-pressed='true'] { background: #b8b8b8; border-color: #666; font-weight: 600; }
  input, select, textarea { padding: 4px 6px; border: 1px solid #a8a8a8; background: #f7f7f7; border-radius: 2px; }
  .empty { color: #5c5c5c; padding: 24px; text-align: center; background: #ececec; border: 1px dashed #b8b8b8; }
  .error { color: #a00000; }
  .muted { color: #666; }
  table { border-collapse: collapse; width: 100%; background: #f2f2f2; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #d6d6d6; font-variant-numeric: tabular-nums; vertical-align: top; }
  th { background: #dedede; font-weight: 600; position: sticky; top: 0; }
  .bad { background: #f3d6d6; }
  .uncertain { background: #f6efcf; }
  .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
  .panel { background: #f0f0f0; border: 1px solid #c4c4c4; padding: 8px; }
  dialog { border: 1px solid #888; background: #f2f2f2; padding: 16px; min-width: 320px; max-width: 90vw; }
  dialog::backdrop { background: rgba(0, 0, 0, 0.25); }
  dialog form { display: grid; gap: 8px; }
  .tabs { display: flex; gap: 2px; border-bottom: 1px solid #b0b0b0; margin-bottom: 8px; }
  .tabs button { border-bottom: none; border-radius: 2px 2px 0 0; }
  .prio-urgent { color: #fff; background: #b00000; }
  .prio-high { color: #000; background: #e8a33c; }
  .prio-medium { color: #000; background: #f0d64a; }
  .prio-low { color: #000; background: #b9c7d6; }
  .chip { display: inline-block; padding: 0 6px; border-radius: 2px; font-size: 12px; font-weight: 600; }
`;
