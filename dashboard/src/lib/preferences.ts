// Per-user display preferences (theme, audible alarms), kept in this browser under the
// user's name so two operators sharing a panel PC each get their own. Defaults: light
// ISA-101 theme, silent alarms.
import { me } from '../session';

export interface Preferences { theme: 'light' | 'dark'; audible: boolean }
const DEFAULTS: Preferences = { theme: 'light', audible: false };
const listeners = new Set<(p: Preferences) => void>();

function key(): string { return `historian.prefs.${me()?.username ?? '-'}`; }

export function preferences(): Preferences {
  try { return { ...DEFAULTS, ...JSON.parse(localStorage.getItem(key()) ?? '{}') }; } catch { return { ...DEFAULTS }; }
}

export function setPreference<K extends keyof Preferences>(k: K, v: Preferences[K]): void {
  const p = { ...preferences(), [k]: v };
  localStorage.setItem(key(), JSON.stringify(p));
  applyTheme();
  for (const fn of listeners) fn(p);
}

export function onPreferences(fn: (p: Preferences) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Puts the signed-in user's theme on <html> (theme.css swaps the colours). */
export function applyTheme(): void {
  document.documentElement.dataset.theme = preferences().theme;
}
