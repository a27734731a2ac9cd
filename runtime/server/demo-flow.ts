// First start: an empty data directory gets the demo plant flows so that a new user sees
// a working historian after one command; HISTORIAN_DEMO_FLOW=none starts an empty
// workspace instead (production gateways). Either way the data directory also gets an
// empty, encrypted credentials file, so Node-RED's first load finds what the credential
// secret promises instead of warning that "encrypted credentials" are missing.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

/** Values of HISTORIAN_DEMO_FLOW that mean "no demo". */
export const NO_DEMO = ['none', 'off', 'false', 'no'];

export function demoDisabled(demoFlow: string): boolean {
  return NO_DEMO.includes(demoFlow.trim().toLowerCase());
}

/** Node-RED's credentials file next to a flow file: flows.json → flows_cred.json. */
export function credentialsFileOf(flowFile: string): string {
  const ext = extname(flowFile);
  return `${basename(flowFile, ext)}_cred${ext || '.json'}`;
}

/** An empty credentials object encrypted as Node-RED does (aes-256-ctr, key = sha256(secret)). */
export function encryptedEmptyCredentials(secret: string): { $: string } {
  const key = createHash('sha256').update(secret).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return { $: iv.toString('hex') + cipher.update('{}', 'utf8', 'base64') + cipher.final('base64') };
}

export type DemoInstall = 'installed' | 'empty' | 'existing';

/**
 * On first start (no flow file) installs the demo flow, or an empty workspace when the
 * demo is disabled; an existing flow file is left alone.
 */
export function installDemoFlow(dataDir: string, flowFile: string, demoFlow: string, credentialSecret?: string | false): DemoInstall {
  mkdirSync(dataDir, { recursive: true });
  const target = join(dataDir, flowFile);
  if (existsSync(target)) return 'existing';
  const disabled = demoDisabled(demoFlow);
  if (!disabled && !existsSync(demoFlow)) throw new Error(`HISTORIAN_DEMO_FLOW: no flow file at ${demoFlow} (give a flow JSON file, or "none" for an empty workspace)`);
  const creds = join(dataDir, credentialsFileOf(flowFile));
  if (credentialSecret && !existsSync(creds)) writeFileSync(creds, JSON.stringify(encryptedEmptyCredentials(credentialSecret)), { mode: 0o600 });
  if (disabled) {
    writeFileSync(target, '[]\n');
    return 'empty';
  }
  copyFileSync(demoFlow, target);
  return 'installed';
}
