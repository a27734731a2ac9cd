// Some bundled third-party modules print banners when first required. The OPC UA
// contrib nodes load node-opcua-client-crawler (only for their legacy browse), whose
// load prints a boxed "deprecated" notice on every start although Historian does not
// use the crawler. Loading it once here with console.log held back keeps the start-up
// console to what a user needs; anything else the module prints still goes through.
import { dirname } from 'node:path';

const BANNER = /^(\+-+\+|\| .* \|)$/;

/** Requires `name` (resolved from `from`, a package next to it) with its banner lines dropped. */
export function requireQuietly(name: string, from: string): boolean {
  let path: string;
  try {
    path = require.resolve(name, { paths: [dirname(require.resolve(`${from}/package.json`))] });
  } catch {
    return false; // not installed: nothing to quieten
  }
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === 'string' && BANNER.test(args[0])) return;
    log(...args);
  };
  try {
    require(path);
    return true;
  } catch {
    return false; // Node-RED reports a module that fails to load when it loads the nodes
  } finally {
    console.log = log;
  }
}

/** Called before Node-RED loads the palette. */
export function quietenBundledModules(): void {
  requireQuietly('node-opcua-client-crawler', 'node-red-contrib-opcua');
}
