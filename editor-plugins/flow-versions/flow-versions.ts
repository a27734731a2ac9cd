// Runtime half of the flow versions editor plugin: the Versions section of the Historian
// sidebar (flow-versions.html). Versions are stored by runtime/flow-versions on every deploy
// and served by runtime/server/routes/flow-version-routes.ts.
interface PluginRED {
  plugins: { registerPlugin(id: string, definition: Record<string, unknown>): void };
}

export default function register(RED: PluginRED): void {
  RED.plugins.registerPlugin('historian-flow-versions', { type: 'historian-flow-versions' });
}
