// Readable names of ISA-18.2 alarm states and journal events (runtime/alarm/STATES.md).
export const STATE_NAMES: Record<string, string> = {
  A: 'Normal', B: 'Unacknowledged', C: 'Acknowledged', D: 'Returned, unacknowledged', E: 'Shelved', F: 'Suppressed', G: 'Out of service',
};
export const EVENT_NAMES: Record<string, string> = {
  activate: 'Alarm', clear: 'Return to normal', realarm: 'Re-alarm', ack: 'Acknowledged', reset: 'Reset', shelve: 'Shelved', unshelve: 'Unshelved',
  suppress: 'Suppressed', unsuppress: 'Suppression lifted', remove: 'Taken out of service', restore: 'Returned to service',
};
export const EVENTS = Object.keys(EVENT_NAMES);

export function stateName(s: string): string { return STATE_NAMES[s] ?? s; }
export function eventName(e: string): string { return EVENT_NAMES[e] ?? e; }
