// What the service reports and journals: one record per state transition or operator action.
import type { Priority } from './definition';
import type { AlarmEvent, AlarmState } from './states';

/** One journal row (see FORMAT-store.md). */
export interface JournalEntry {
  /** journal sequence number: unique, strictly increasing in write order */
  seq: number;
  /** epoch ms of the event (sample time, timer due time or command time) */
  ts: number;
  alarmId: string;
  tag: string;
  from: AlarmState;
  to: AlarmState;
  event: AlarmEvent;
  /** process value when the event happened (last value for commands) */
  value: number | null;
  /** setpoint / limit the alarm compares against */
  limit: number | null;
  /** operator, `system` for shelve expiry, null for condition events */
  user: string | null;
  comment: string | null;
  priority: Priority;
  /** action details: shelve until / one-shot, whether a signature was given */
  detail: Record<string, unknown> | null;
}

/** A journal entry plus what a subscriber needs without looking the alarm up. */
export interface Transition extends JournalEntry {
  group: string;
  message: string;
  /** debounced condition after the event */
  active: boolean;
}
