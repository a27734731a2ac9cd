// Finds the store a request names (?store=), or the only/`default` store, in the store
// registry the server hands its routes (runtime/registry components.stores).
import { services, type Components } from '../../registry';
import type { TsdbStore } from '../../tsdb';
import { HttpError } from '../api/route';

export type StoreRegistry = Pick<Components['stores'], 'getOrDefault' | 'names'>;
export type StoreLookup = (name?: string) => Promise<TsdbStore>;

/** Route factories take `stores` from the server; tests that build routes alone get the process registry. */
export function storeLookup(stores: StoreRegistry = services().components.stores): StoreLookup {
  return async (name) => {
    const handle = stores.getOrDefault(name);
    if (!handle) {
      const names = stores.names();
      throw new HttpError(404, 'no_store', name
        ? `store: no store named "${name}" (stores: ${names.join(', ') || 'none'})`
        : `store: ${names.length ? `several stores exist (${names.join(', ')}); name one with ?store=` : 'no historian store is deployed; add a historian-store node to a flow'}`);
    }
    return handle.ready;
  };
}
