// What a device connection tells the system health page and the system alarms: its link
// state, since when, the last successful read and error counters. Connections register
// themselves in services().components.devices (the device config nodes do it).
export interface DeviceHealth {
  /** protocol, e.g. "modbus-tcp" */
  kind: string;
  /** where it connects, e.g. "10.0.0.5:502 unit 1" */
  target: string;
  state: string;
  connected: boolean;
  /** epoch ms of the last state change (null: never changed) */
  since: number | null;
  /** epoch ms of the last request the device answered */
  lastGoodAt: number | null;
  requests: number;
  errors: number;
  lastError: string | null;
}

export interface DeviceComponent {
  health(): DeviceHealth;
}

export function isDeviceComponent(x: unknown): x is DeviceComponent {
  return !!x && typeof (x as DeviceComponent).health === 'function';
}
