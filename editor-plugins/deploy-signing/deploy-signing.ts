// Runtime half of the deploy-signing editor plugin: Node-RED loads plugins from a module
// and serves the HTML of the same name to the editor, where the work is done
// (deploy-signing.html). The server side of signed deploys is runtime/server/deploy-signing.ts.
interface PluginRED {
  plugins: { registerPlugin(id: string, definition: Record<string, unknown>): void };
}

export default function register(RED: PluginRED): void {
  RED.plugins.registerPlugin('historian-deploy-signing', { type: 'historian-deploy-signing' });
}
