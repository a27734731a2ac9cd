// Fleet scale-out (README "Scaling out"): gateway heartbeats, the central fleet registry and
// its system alarms, per-gateway NATS security.
export * from './fleet-alarms';
export * from './fleet-monitor';
export * from './fleet-registry';
export * from './fleet-wiring';
export * from './gateway-config';
export * from './heartbeat';
