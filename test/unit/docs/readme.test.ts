import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { permissionTableMarkdown } from '../../../runtime/auth/permissions';
import { CRITICAL_ACTION_INFO, DEFAULT_CRITICAL_ACTIONS, signatureTableMarkdown } from '../../../runtime/audit/critical-actions';

const root = join(__dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('opens with the two commands', () => {
    const firstBlock = readme.split('\n').slice(2, 4).map((l) => l.trim());
    expect(firstBlock[0]).toMatch(/^npm ci && npm start\s+#/);
    expect(firstBlock[1]).toMatch(/^npm test\s+#/);
  });

  it('holds the permission table exactly as runtime/auth/permissions.ts defines it (npx tsx scripts/readme-permissions.ts)', () => {
    expect(readme).toContain(`<!-- permission-table:start -->\n${permissionTableMarkdown()}\n<!-- permission-table:end -->`);
  });

  it('holds the signature table exactly as runtime/audit/critical-actions.ts defines it (npx tsx scripts/readme-permissions.ts)', () => {
    // every critical action is described, so the table has no hole
    for (const a of DEFAULT_CRITICAL_ACTIONS) expect(CRITICAL_ACTION_INFO[a], a).toBeDefined();
    expect(readme).toContain(`<!-- signature-table:start -->\n${signatureTableMarkdown()}\n<!-- signature-table:end -->`);
  });

  it('documents every HISTORIAN_* variable that settings.js reads', () => {
    const settings = readFileSync(join(root, 'settings.js'), 'utf8');
    const vars = new Set([...settings.matchAll(/'(HISTORIAN_[A-Z0-9_]+)'/g)].map((m) => m[1]));
    for (const v of vars) {
      const short = v.replace(/^HISTORIAN_/, '_');
      expect(readme.includes(v) || readme.includes(short), v).toBe(true);
    }
  });
});
