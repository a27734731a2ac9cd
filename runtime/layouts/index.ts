// Public surface of runtime/layouts.
export { layoutDocSchema } from './layout-schema';
export { LayoutError, LayoutStore } from './layout-store';
export type { Layout, LayoutCaller } from './layout-store';
