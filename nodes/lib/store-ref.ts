// The one way a node finds its historian store. A reference is a historian-store config
// node id (the `store` field of a node's config) or, for the editor's endpoints, a store
// registered by name in the process registry; `orDefault` falls back to the only store
// (or the one named "default") when nothing is named.
import type { StoreHandle } from '../../runtime/tsdb';
import type { NodeDef, RED } from './red';
import { servicesOf } from './services';

export interface FindStoreOptions {
  /** With no reference (or one naming nothing), use the only / "default" store. */
  orDefault?: boolean;
}

/** The store a reference names, null when it names none; throws when its config node failed to open the store. */
export function findStore(RED: RED, ref: unknown, opts: FindStoreOptions = {}): StoreHandle | null {
  const stores = servicesOf(RED).components.stores;
  if (typeof ref === 'string' && ref !== '') {
    const cfg = RED.nodes.getNode(ref) as { handle?: StoreHandle } | null;
    if (cfg) {
      if (!cfg.handle) throw new Error('store: the historian store failed to open; see its error');
      return cfg.handle;
    }
    const named = stores.get(ref);
    if (named) return named;
  }
  return opts.orDefault ? stores.getOrDefault() ?? null : null;
}

/** The store of a node's required `store` field; throws a message for the node's status. */
export function storeHandleOf(RED: RED, config: NodeDef): StoreHandle {
  const h = findStore(RED, String(config.store ?? ''));
  if (!h) throw new Error('store: no historian store configured; pick or add one in the node');
  return h;
}
