// Rewrites the permission table in README.md from runtime/auth/permissions.ts, the one
// source of the table (a test checks they agree): `npx tsx scripts/readme-permissions.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { permissionTableMarkdown } from '../runtime/auth/permissions';

const file = join(__dirname, '..', 'README.md');
const text = readFileSync(file, 'utf8');
const out = text.replace(/(<!-- permission-table:start -->\n)[\s\S]*?(\n<!-- permission-table:end -->)/, `$1${permissionTableMarkdown()}$2`);
writeFileSync(file, out);
