// The demo's "Plant overview": a shared layout installed with the demo flows and made the
// dashboard's home page. The file is a layout export (flows/plant-overview.layout.json),
// validated by the same schema as an import through the API.
import { readFileSync } from 'node:fs';
import { layoutDocSchema } from '../layouts';
import type { Layout, LayoutStore } from '../layouts';

const INSTALLER = { username: 'admin', mayWrite: true, mayWriteShared: true };

export function installDemoLayout(store: LayoutStore, file: string): Layout {
  const parsed = layoutDocSchema.safeParse({ ...JSON.parse(readFileSync(file, 'utf8')), shared: true });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${file}: ${i.path.join('.')}: ${i.message}`);
  }
  const layout = store.create(parsed.data, INSTALLER);
  store.setHome(layout.id, INSTALLER);
  return layout;
}
