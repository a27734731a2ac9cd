// The write node every written protocol has (modbus-write, eip-write): writes msg.payload to
// the configured target of its device (msg.address may name another address of the same
// kind), refuses a msg.user whose role may not write to devices, and shows what it wrote.
import { writeRoleError } from '../../runtime/devices';
import type { DeviceNode } from './device-config-node';
import type { NodeDef, RED, RedNode } from './red';

export interface WriteNodeSpec<Tgt, C extends { start(): void }, R extends { address: unknown }> {
  /** node type, e.g. "modbus-write" */
  type: string;
  /** its device config node's type, for the error when none is set */
  deviceType: string;
  /** the message property the result goes out in, e.g. "modbus" */
  resultKey: string;
  /** the validated target of the node's config, or of the config with another address */
  target(config: NodeDef, address?: unknown): Tgt;
  /** what precedes the message of an invalid msg.address error (removed from it) */
  addressErrorPrefix: RegExp;
  write(conn: C, target: Tgt, value: unknown): Promise<R>;
  /** where the value went, for the status: e.g. "holding 40" */
  where(target: Tgt, result: R): string;
}

export function registerWriteNode<Tgt, C extends { start(): void }, R extends { address: unknown }>(RED: RED, spec: WriteNodeSpec<Tgt, C, R>): void {
  RED.nodes.registerType(spec.type, function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let target: Tgt | null = null;
    let device: DeviceNode<C> | null = null;
    const requireRole = config.requireRole === true;
    let writes = 0;
    try {
      device = RED.nodes.getNode(String(config.device ?? '')) as DeviceNode<C> | null;
      if (!device) throw new Error(`device: no ${spec.deviceType} configured`);
      target = spec.target(config);
      device.connection().start();
      node.status({});
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message });
      node.error(e);
    }

    node.on('input', (msg, send, done) => {
      if (!target || !device) return done(new Error(`${spec.type} is not configured (see the node status)`));
      const denied = writeRoleError(msg.user, requireRole);
      if (denied) return done(new Error(denied));
      let t: Tgt = target;
      try {
        // msg.address overrides the configured address (e.g. one node for a block of setpoints).
        if (msg.address !== undefined) t = spec.target(config, msg.address);
      } catch (e) {
        return done(new Error(`msg.address: ${(e as Error).message.replace(spec.addressErrorPrefix, '')}`));
      }
      spec.write(device.connection(), t, msg.payload).then(
        (r) => {
          writes++;
          node.status({ fill: 'green', shape: 'dot', text: `${writes} written · last ${String(msg.payload)} → ${spec.where(t, r)}` });
          send({ ...msg, [spec.resultKey]: r });
          done();
        },
        (e: Error) => {
          node.status({ fill: 'red', shape: 'ring', text: e.message });
          done(e);
        },
      );
    });
    node.on('close', (_removed, done) => {
      node.status({});
      done();
    });
  });
}
