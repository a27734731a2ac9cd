// `historian backup verify` (runtime/backup/verify-archive.ts) on archives made here: a good
// one restores (audit chain, databases, every sample read back); a flipped byte in a block,
// an archive without backup.json and one cut short are each named as the problem.
// `historian backup restore` (restore-archive.ts): a good archive becomes the new data
// directory, a damaged one leaves nothing, a directory that is not empty is refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { create as createTar } from 'tar';
import { AuditTrail } from '../../../runtime/audit/audit-trail';
import { restoreBackupArchive, snapshotDataDir, verifyBackupArchive } from '../../../runtime/backup';
import { TsdbStore } from '../../../runtime/tsdb';
import { allocColumns } from '../../../runtime/model';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dir: string;
let staging: string;

beforeEach(async () => {
  dir = await makeTempDir('verify-archive-');
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  const trail = AuditTrail.open({ dataDir: data });
  for (let i = 0; i < 20; i++) trail.append({ action: 'tags.write', target: `t${i}`, username: 'eng' });
  trail.close();
  const store = await TsdbStore.open({ dir: path.join(data, 'tsdb', 'default') });
  const c = allocColumns(3000);
  for (let i = 0; i < 3000; i++) { c.tag[i] = `a.b.t${i % 3}`; c.ts[i] = Date.now() - 5 * 86_400_000 + i * 1000; c.value[i] = i / 10; }
  await store.writeColumns(c);
  await store.flush();
  staging = fs.mkdtempSync(path.join(data, '.backup-'));
  await snapshotDataDir(data, staging, [store], { version: 't', host: 'gw' });
  await store.close();
});
afterEach(async () => { await removeTempDir(dir); });

async function archive(name: string): Promise<string> {
  const file = path.join(dir, name);
  await createTar({ gzip: true, cwd: staging, portable: true, file }, ['.']);
  return file;
}

describe('verifying a backup archive', () => {
  it('restores: databases intact, the chain verifies with the archive\'s own keys, every sample read back', async () => {
    const r = await verifyBackupArchive(await archive('good.tar.gz'), dir);
    expect(r).toMatchObject({ ok: true, problems: [], audit: { ok: true }, stores: [{ dir: path.join('tsdb', 'default'), ok: true, tags: 3, samples: 3000 }] });
    expect(r.databases).toEqual([{ file: 'audit.db', ok: true }]);
    // the temporary copy is gone
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('historian-verify-'))).toEqual([]);
  });

  it('names a block whose bytes changed', async () => {
    const blocks = path.join(staging, 'tsdb', 'default', 'blocks');
    const blk = path.join(blocks, fs.readdirSync(blocks).find((f) => f.endsWith('.blk'))!);
    // a copy, not the linked original: flip a byte in the middle
    const bytes = fs.readFileSync(blk);
    fs.rmSync(blk);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(blk, bytes);
    const r = await verifyBackupArchive(await archive('flipped.tar.gz'), dir);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.stringMatching(/^store tsdb\/default: block \S+: .*(checksum mismatch|does not decode)/)]);
  });

  it('names an archive without backup.json, and one cut short', async () => {
    fs.rmSync(path.join(staging, 'backup.json'));
    expect((await verifyBackupArchive(await archive('plain.tar.gz'), dir)).problems).toEqual(['backup.json is missing: not a Historian backup, or cut short']);
    const file = await archive('x.tar.gz');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
    expect((await verifyBackupArchive(file, dir)).problems[0]).toMatch(/^the archive could not be read whole/);
  });
});

describe('restoring a backup archive', () => {
  it('makes the archive the new data directory once it checks out: the store opens with every sample, the chain verifies', async () => {
    const target = path.join(dir, 'restored', 'data');
    const r = await restoreBackupArchive(await archive('good.tar.gz'), target);
    expect(r).toMatchObject({ ok: true, restoredInto: target, audit: { ok: true, entries: 20 } });
    expect(fs.statSync(target).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['data']); // nothing of the extraction left beside it
    const store = await TsdbStore.open({ dir: path.join(target, 'tsdb', 'default') });
    try {
      let n = 0;
      for (const t of ['a.b.t0', 'a.b.t1', 'a.b.t2']) for await (const b of store.raw({ tag: t, from: 0, to: Date.now() })) n += b.ts.length;
      expect(n).toBe(3000);
    } finally { await store.close(); }
    expect(fs.readdirSync(target)).toEqual(expect.arrayContaining(['audit.db', 'backup.json', 'secrets', 'tsdb']));
  });

  it('restores into an empty directory that exists', async () => {
    const target = path.join(dir, 'empty');
    fs.mkdirSync(target);
    expect((await restoreBackupArchive(await archive('good.tar.gz'), target)).restoredInto).toBe(target);
    expect(fs.existsSync(path.join(target, 'backup.json'))).toBe(true);
  });

  it('refuses a directory that is not empty, touching nothing', async () => {
    const target = path.join(dir, 'data'); // the live data directory of the fixture
    const before = fs.readdirSync(target).sort();
    await expect(restoreBackupArchive(await archive('good.tar.gz'), target)).rejects.toThrow(/^.*data is not empty \(\d+ entries\): restore into a new or empty directory/);
    expect(fs.readdirSync(target).sort()).toEqual(before);
  });

  it('restores nothing from a damaged archive, and leaves nothing beside the target', async () => {
    const file = await archive('x.tar.gz');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 1000));
    const target = path.join(dir, 'restored-bad');
    const r = await restoreBackupArchive(file, target);
    expect(r).toMatchObject({ ok: false, restoredInto: null });
    expect(r.problems[0]).toMatch(/^the archive could not be read whole/);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(dir).filter((n) => n.includes('restoring'))).toEqual([]);
  });
});
