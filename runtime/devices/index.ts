// Device connectivity (docs/connectivity.md). The OPC UA client lives in
// ./opcua/subscriber and is imported from there only (it loads the whole OPC UA stack).
export * from './clock';
export * from './scheduler';
export * from './deadband';
export * from './tag-path';
// shared by the polled and written protocols (modbus, eip; egd uses the tag table)
export * from './device-session';
export * from './group-poller';
export * from './poll-group';
export * from './tag-table';
export * from './device-write';
export * as modbus from './modbus';
export * as sparkplug from './sparkplug';
export * as opcua from './opcua';
export * as s7 from './s7';
export * as eip from './eip';
export * as egd from './egd';
export { DeviceHealthTracker, isDeviceComponent } from './health';
export type { DeviceComponent } from './health';
export { OpcuaSubscriber, browseEndpoint, validateItems } from './opcua/subscriber';
export { listCertificates, rejectCertificate, trustCertificate } from './opcua/cert-store';
export { validateSecurity, validateUser } from './opcua/security';
export type { OpcuaSecurity, OpcuaUser } from './opcua/security';
