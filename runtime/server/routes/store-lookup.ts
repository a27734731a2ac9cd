// Finds the store a request names (?store=), or the only/`default` store.
import { services } from '../../registry';
import type { TsdbStore } from '../../tsdb';
import { HttpError } from '../api/route';

export async function storeFor(name?: string): Promise<TsdbStore> {
  const reg = services().components.stores;
  const handle = reg.getOrDefault(name);
  if (!handle) {
    const names = reg.names();
    throw new HttpError(404, 'no_store', name
      ? `store: no store named "${name}" (stores: ${names.join(', ') || 'none'})`
      : `store: ${names.length ? `several stores exist (${names.join(', ')}); name one with ?store=` : 'no historian store is deployed; add a historian-store node to a flow'}`);
  }
  return handle.ready;
}
