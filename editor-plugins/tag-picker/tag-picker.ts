// Runtime half of the tag picker editor plugin: tag and pattern fields of Historian node
// dialogs get a browse button (the sidebar's ISA-95 tree), validation as you type and a
// drop target for tags dragged from the sidebar (tag-picker.html).
interface PluginRED {
  plugins: { registerPlugin(id: string, definition: Record<string, unknown>): void };
}

export default function register(RED: PluginRED): void {
  RED.plugins.registerPlugin('historian-tag-picker', { type: 'historian-tag-picker' });
}
