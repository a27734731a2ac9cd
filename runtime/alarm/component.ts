// What an isa-alarm node registers in the component registry (components.alarms): its
// group in the process alarm service, so the API and the health page can name the flow
// node behind a group.
import type { AlarmView } from './record';

export interface AlarmGroupComponent {
  /** The group's id in the alarm service (the node id). */
  readonly group: string;
  /** The node's label in the editor. */
  readonly label: string;
  alarms(): AlarmView[];
}
