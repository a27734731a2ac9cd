// Public surface of runtime/health.
export { SystemAlarmMonitor } from './system-alarms';
export { DEFAULT_THRESHOLDS, SystemHealth } from './system-health';
export type { HealthReport } from './system-health';
export type { AlarmSink } from './system-alarms';
