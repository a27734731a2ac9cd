// `historian fleet gateway`: writes the per-gateway NATS configuration (runtime/fleet/
// gateway-config.ts) into a directory: the gateway's leaf node file and environment
// (secrets, mode 0600) and the two entries to paste into the hub cluster's config.
import fs from 'node:fs';
import path from 'node:path';
import { gatewaySecurity } from '../fleet';
import { UsageError, parseArgs, positionals, required } from './args';
import type { Io } from './password-input';

export function fleetCommand(argv: string[], io: Io): void {
  const [sub, ...rest] = argv;
  if (sub !== 'gateway') throw new UsageError(`unknown fleet command "${sub ?? ''}" (gateway)`);
  const a = parseArgs(rest, { values: ['id', 'site', 'prefix', 'hub', 'leaf-port', 'account', 'hub-ca', 'out'] });
  positionals(a, []);
  const id = required(a, 'id');
  const leafPort = a.values.has('leaf-port') ? Number(a.values.get('leaf-port')) : undefined;
  if (leafPort !== undefined && !(Number.isInteger(leafPort) && leafPort > 0 && leafPort < 65536)) throw new UsageError('--leaf-port must be a TCP port');
  let sec;
  try {
    sec = gatewaySecurity({
      gateway: id, site: required(a, 'site'), prefix: a.values.get('prefix'), leafPort, account: a.values.get('account'),
      hubLeafUrls: a.values.get('hub')?.split(',').map((u) => u.trim()).filter(Boolean), hubCaFile: a.values.get('hub-ca'),
    });
  } catch (e) { throw new UsageError((e as Error).message); }
  const out = path.resolve(a.values.get('out') ?? path.join('fleet', id));
  fs.mkdirSync(out, { recursive: true, mode: 0o700 });
  const files: Array<[string, string, number]> = [
    ['leaf.conf', sec.leafConf, 0o600],
    ['gateway.env', Object.entries(sec.gatewayEnv).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', 0o600],
    ['hub-client-user.conf', `# paste into the hub's authorization { users: [ ... ] } (gateway connecting without a leaf node)\n${sec.hubClientUser}\n`, 0o600],
    ['hub-leaf-user.conf', `# paste into the hub's leafnodes { authorization { users: [ ... ] } }\n${sec.hubLeafUser}\n`, 0o600],
  ];
  for (const [name, text, mode] of files) fs.writeFileSync(path.join(out, name), text, { mode, flag: 'w' });
  io.stdout.write(`gateway ${id} (site ${sec.site}) may publish ${sec.permissions.publish.allow.join(', ')}\n`);
  for (const [name] of files) io.stdout.write(`  ${path.join(out, name)}\n`);
  io.stderr.write('leaf.conf and gateway.env hold secrets (NKey seed, leaf password): keep them on the gateway only.\n');
}
