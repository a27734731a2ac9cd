// Runtime half of the Historian editor sidebar: Node-RED loads the plugin from this module
// and serves historian-sidebar.html to the editor, where the sidebar lives (tag browser,
// status, flow versions) together with the tag pickers of node dialogs. The data comes from
// the API routes mounted under <admin root>/historian (runtime/server/editor-api.ts).
interface PluginRED {
  plugins: { registerPlugin(id: string, definition: Record<string, unknown>): void };
}

export default function register(RED: PluginRED): void {
  RED.plugins.registerPlugin('historian-sidebar', { type: 'historian-sidebar' });
}
