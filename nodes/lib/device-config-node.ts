// The device config node every polled protocol has (modbus-device, eip-device): it holds one
// connection shared by the poll and write nodes that point at it, created on first use with
// the reconnect backoff of its config, registered for the system health page and the
// device-down system alarm, and closed with the node.
import type { DeviceComponent } from '../../runtime/devices';
import type { BackoffOptions } from '../../runtime/platform';
import { numberField, type NodeDef, type RED, type RedNode } from './red';
import { servicesOf } from './services';

/** The connection a device config node offers its poll and write nodes. */
export interface DeviceConnection extends DeviceComponent {
  setMaxListeners(n: number): unknown;
  close(): Promise<void>;
}

/** What a device config node offers the nodes that point at it. */
export interface DeviceNode<C> extends RedNode {
  /** the shared connection, created on first use; throws naming the bad field */
  connection(): C;
}

export interface DeviceConfigSpec<T, C extends DeviceConnection> {
  /** node type, e.g. "modbus-device" */
  type: string;
  /** registry name of an unnamed device: `<prefix>-<node id>` */
  prefix: string;
  /** the config's target (host, port, …), validated: throws naming the bad field */
  target(config: NodeDef): T;
  /** the connection to a valid target */
  connect(target: T, backoff: BackoffOptions): C;
}

export function registerDeviceConfigNode<T, C extends DeviceConnection>(RED: RED, spec: DeviceConfigSpec<T, C>): void {
  RED.nodes.registerType(spec.type, function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this as DeviceNode<C>;
    let conn: C | null = null;
    let unregister: (() => void) | null = null;
    node.connection = () => {
      if (conn) return conn;
      const target = spec.target(config);
      conn = spec.connect(target, { initialMs: numberField(config, 'backoffInitial', 500), maxMs: numberField(config, 'backoffMax', 30_000) });
      conn.setMaxListeners(0);
      // The system health page and the device-down system alarm find it here.
      const devices = servicesOf(RED).components.devices;
      const name = typeof config.name === 'string' && config.name.trim() && !devices.get(config.name.trim()) ? config.name.trim() : `${spec.prefix}-${node.id}`;
      unregister = devices.register(name, conn);
      return conn;
    };
    node.on('close', (_removed, done) => {
      const c = conn;
      conn = null;
      unregister?.();
      unregister = null;
      if (!c) return done();
      c.close().then(() => done(), () => done());
    });
  });
}
