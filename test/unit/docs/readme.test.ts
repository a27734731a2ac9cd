import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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

  it('has a heading for every section the code and docs refer to as README "…"', () => {
    // a heading "Duplicates: last write wins" may be referred to by the part before its colon
    const headings = new Set(readme.split('\n').filter((l) => /^#{1,4} /.test(l)).flatMap((l) => {
      const h = l.replace(/^#+ /, '').trim();
      return [h, h.split(':')[0]];
    }));
    const missing: string[] = [];
    for (const file of sourceFiles(root).filter((f) => f !== __filename)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/README "([^"\n]+)"/g)) {
        if (!headings.has(m[1])) missing.push(`${relative(root, file)}: README "${m[1]}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('links only to docs that exist', () => {
    const links = [...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(existsSync(join(root, l)), l).toBe(true);
  });
});

/** The project's own text files (sources, docs, flows), not dependencies or build output. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'dist', '.git', 'data', 'results'].includes(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|js|md|html|json)$/.test(name) && name !== 'package-lock.json') out.push(p);
  }
  return out;
}
