// The README's configuration table keeps its word: every HISTORIAN_* variable it lists is
// read by the code, every HISTORIAN_* variable the code reads is listed, and every option
// settings.js fills from a variable is used by the runtime (not read and then ignored).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Variables in the "## Configuration" table; `_NATS_USER` after `HISTORIAN_NATS_URL` means HISTORIAN_NATS_USER. */
export function documentedVariables(markdown: string): Set<string> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Configuration'));
  if (!section) throw new Error('README: no "## Configuration" section');
  const out = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const first = line.split('|')[1] ?? '';
    for (const m of first.matchAll(/`(HISTORIAN)?(_[A-Z0-9_]+)`/g)) out.add(`HISTORIAN${m[2]}`);
  }
  return out;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|js|cjs|mjs)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Code without its comments (line and block), so a variable named in prose does not count as read. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Variables the code reads: `env.X`, `env['X']`, or a string literal that is exactly a variable name. */
export function variablesReadBy(code: string): Set<string> {
  const out = new Set<string>();
  const c = withoutComments(code);
  for (const m of c.matchAll(/\benv\.(HISTORIAN_[A-Z0-9_]*[A-Z0-9])\b/g)) out.add(m[1]);
  for (const m of c.matchAll(/['"`](HISTORIAN_[A-Z0-9_]*[A-Z0-9])['"`]/g)) out.add(m[1]);
  return out;
}

const CODE_DIRS = ['runtime', 'nodes', 'editor-plugins', 'bin', 'scripts', 'dashboard/src'];
const files = [join(root, 'settings.js'), ...CODE_DIRS.flatMap((d) => sourceFiles(join(root, d)))];
const readBy = new Map<string, string[]>();
for (const f of files) {
  for (const v of variablesReadBy(readFileSync(f, 'utf8'))) readBy.set(v, [...(readBy.get(v) ?? []), relative(root, f)]);
}

describe('README configuration table', () => {
  const documented = documentedVariables(readme);

  it('parses the table (row names and the _SHORT continuation form)', () => {
    expect(documentedVariables('## Configuration\n\n| variable | d | m |\n|---|---|---|\n| `HISTORIAN_A_URL`, `_A_USER` | x | y |\n\n## Next\n| `HISTORIAN_NOT_HERE` |')).toEqual(new Set(['HISTORIAN_A_URL', 'HISTORIAN_A_USER']));
    expect(variablesReadBy("// HISTORIAN_IN_COMMENT\nconst a = env.HISTORIAN_ONE; str('HISTORIAN_TWO', 1); x = 'see HISTORIAN_THREE'; y = 'HISTORIAN_S3_';")).toEqual(new Set(['HISTORIAN_ONE', 'HISTORIAN_TWO']));
    expect(documented.size).toBeGreaterThan(10);
  });

  it('lists no variable that no code reads', () => {
    const unread = [...documented].filter((v) => !readBy.has(v));
    expect(unread, 'documented in README.md but read nowhere: wire them or remove them from the table').toEqual([]);
  });

  it('lists every HISTORIAN_* variable the code reads', () => {
    const undocumented = [...readBy.keys()].filter((v) => !documented.has(v)).map((v) => `${v} (${readBy.get(v)!.join(', ')})`);
    expect(undocumented, 'read by the code but missing from the README configuration table').toEqual([]);
  });

  it('every historian.* option settings.js fills from a variable is used by the runtime', () => {
    const settings = readFileSync(join(root, 'settings.js'), 'utf8');
    const code = [...sourceFiles(join(root, 'runtime')), ...sourceFiles(join(root, 'nodes'))].map((f) => withoutComments(readFileSync(f, 'utf8')));
    const unused: string[] = [];
    let section = '';
    for (const line of settings.slice(settings.indexOf('historian: {')).split('\n').slice(1)) {
      const open = /^\s*(\w+): \{\s*$/.exec(line);
      if (open) { section = open[1]; continue; }
      if (/^\s*\},?\s*$/.test(line)) { section = ''; continue; }
      const m = /^\s*(\w+):\s*[a-z]+\('(HISTORIAN_[A-Z0-9_]+)'/.exec(line);
      if (!m) continue;
      const [, key, variable] = m;
      // the option must be read in a file that deals with its section (historian.mqtt → mqtt…)
      const sectionRe = new RegExp(`\\.${section}\\b|${section}FromSettings|${section}Settings`, 'i');
      const keyRe = new RegExp(`\\.${key}\\b`);
      if (!code.some((c) => (section === '' || sectionRe.test(c)) && keyRe.test(c))) unused.push(`${variable} → historian.${section ? section + '.' : ''}${key}`);
    }
    expect(unused, 'settings.js reads these variables into options nothing uses').toEqual([]);
  });
});
