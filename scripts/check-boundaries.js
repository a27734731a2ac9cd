#!/usr/bin/env node
// Module boundaries (README "Development"), checked on every `npm test`:
//   1. a capability (runtime/<name>/) is imported from outside only through its index.ts
//      (or a sub-folder's own index.ts, a sub-surface such as runtime/devices/modbus);
//   2. runtime/ never imports Node-RED (node-red, @node-red/*, node-red-*), except the
//      composition root runtime/server, which embeds it;
//   3. a node (nodes/<type>/) never imports another node; shared node code is in nodes/lib/;
//   4. runtime/platform (building blocks) imports no capability: capabilities build on it.
// Imports are read from the source text (import/export ... from, import(), require()),
// type-only imports included: a type reaching into another capability is a deep import too.
// Usage: node scripts/check-boundaries.js [root]   (exit 1 and one line per violation)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const SCANNED = ['runtime', 'nodes', 'editor-plugins'];
const NODE_RED = /^(node-red(-[^/]+)?|@node-red\/.+)(\/.*)?$/;

function files(dir, out = []) {
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (/\.(ts|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Module specifiers a file imports, with their line numbers. */
function importsOf(text) {
  // drop comments but keep line breaks, so line numbers stay right
  const src = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const out = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm;
  let m;
  while ((m = re.exec(src))) out.push({ spec: m[2], line: src.slice(0, m.index).split('\n').length });
  return out;
}

/** The top folder pair of a path under root: ['runtime', 'tsdb'], ['nodes', 'calc-tag'], ... */
function unitOf(rel) {
  const parts = rel.split(path.sep);
  return parts.length >= 3 ? [parts[0], parts[1]] : [parts[0], null];
}

/** runtime/<cap>, runtime/<cap>/index, or a sub-folder with its own index.ts (a sub-surface such as runtime/devices/modbus). */
function isSurface(root, relTarget) {
  const parts = relTarget.split(path.sep);
  if (parts.length === 2) return true;
  const dir = /^index(\.[cm]?[jt]s)?$/.test(parts[parts.length - 1]) ? parts.slice(0, -1) : parts;
  return dir.length === 2 || fs.existsSync(path.join(root, ...dir, 'index.ts'));
}

function check(root) {
  const problems = [];
  for (const top of SCANNED) {
    for (const file of files(path.join(root, top))) {
      const rel = path.relative(root, file);
      const [area, unit] = unitOf(rel);
      for (const { spec, line } of importsOf(fs.readFileSync(file, 'utf8'))) {
        const where = `${rel}:${line}`;
        // runtime/server is the composition root: it embeds Node-RED (RED.init, RED.start)
        if (area === 'runtime' && unit !== 'server' && NODE_RED.test(spec)) {
          problems.push(`${where}: runtime imports Node-RED ("${spec}"); runtime capabilities stay independent of Node-RED`);
          continue;
        }
        if (!spec.startsWith('.')) continue;
        const target = path.relative(root, path.resolve(path.dirname(file), spec));
        const [tArea, tUnit] = unitOf(target);
        if (tArea === 'runtime' && tUnit && !(area === 'runtime' && unit === tUnit) && !isSurface(root, target)) {
          problems.push(`${where}: deep import "${spec}" into runtime/${tUnit}; import "runtime/${tUnit}" (its index.ts) and export what is needed there`);
        }
        const tCap = tArea === 'runtime' ? target.split(path.sep)[1] : undefined;
        if (area === 'runtime' && unit === 'platform' && tCap && tCap !== 'platform') {
          problems.push(`${where}: runtime/platform imports runtime/${tCap} ("${spec}"); platform code knows no capability`);
        }
        if (area === 'nodes' && tArea === 'nodes' && unit && tUnit && unit !== tUnit && unit !== 'lib' && tUnit !== 'lib') {
          problems.push(`${where}: node ${unit} imports node ${tUnit} ("${spec}"); move the shared part to nodes/lib or runtime/`);
        }
      }
    }
  }
  return problems;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
  const problems = check(root);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`check-boundaries: ${problems.length} violation(s) (rules in README "Development")`);
    process.exit(1);
  }
  console.log('check-boundaries: ok');
}

module.exports = { check, importsOf };
