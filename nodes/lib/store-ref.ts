// Resolves a node's `store` property (a historian-store config node) to its StoreHandle.
import type { StoreHandle } from '../../runtime/tsdb';
import type { NodeDef, RED } from './red';

export function storeHandleOf(RED: RED, config: NodeDef): StoreHandle {
  const cfg = RED.nodes.getNode(String(config.store ?? '')) as { handle?: StoreHandle } | null;
  if (!cfg) throw new Error('store: no historian store configured; pick or add one in the node');
  if (!cfg.handle) throw new Error('store: the historian store failed to open; see its error');
  return cfg.handle;
}
