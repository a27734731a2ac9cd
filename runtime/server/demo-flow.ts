// First start: an empty data directory gets the demo plant flow so that a new user sees
// a working historian after one command.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Installs the demo flow when the data directory has no flows file; returns whether it did. */
export function installDemoFlow(dataDir: string, flowFile: string, demoFlow: string): boolean {
  mkdirSync(dataDir, { recursive: true });
  const target = join(dataDir, flowFile);
  if (existsSync(target)) return false;
  if (!existsSync(demoFlow)) throw new Error(`demo flow not found at ${demoFlow} (HISTORIAN_DEMO_FLOW)`);
  copyFileSync(demoFlow, target);
  return true;
}
