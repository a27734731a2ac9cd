// A store as the rest of the process finds it by name: opening is asynchronous (WAL
// replay), so writers and queries await `ready`; `closed` tells a caller holding an old
// handle across a redeploy to look the store up again.
import type { TsdbStore } from './store';

export class StoreHandle {
  store: TsdbStore | null = null;
  closed = false;
  readonly ready: Promise<TsdbStore>;

  constructor(readonly name: string, opening: Promise<TsdbStore>) {
    this.ready = opening.then((s) => {
      this.store = s;
      return s;
    });
    this.ready.catch(() => undefined); // failures are reported by whoever opened it
  }
}
