// `historian backup verify` (runtime/backup/verify-archive.ts) on archives made here: a good
// one restores (audit chain, databases, every sample read back); a flipped byte in a block,
// an archive without backup.json and one cut short are each named as the problem.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { create as createTar } from 'tar';
import { AuditTrail } from '../../../runtime/audit/audit-trail';
import { snapshotDataDir, verifyBackupArchive } from '../../../runtime/backup';
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
