// Rewrites the permission table and the signature table in README.md from
// runtime/auth/permissions.ts and runtime/audit/critical-actions.ts, the one source of each
// (test/unit/docs/readme.test.ts checks they agree): `npx tsx scripts/readme-permissions.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { permissionTableMarkdown } from '../runtime/auth/permissions';
import { signatureTableMarkdown } from '../runtime/audit/critical-actions';

const file = join(__dirname, '..', 'README.md');
const text = readFileSync(file, 'utf8');
const out = text
  .replace(/(<!-- permission-table:start -->\n)[\s\S]*?(\n<!-- permission-table:end -->)/, `$1${permissionTableMarkdown()}$2`)
  .replace(/(<!-- signature-table:start -->\n)[\s\S]*?(\n<!-- signature-table:end -->)/, `$1${signatureTableMarkdown()}$2`);
writeFileSync(file, out);
