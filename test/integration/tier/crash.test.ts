// The mover process killed with SIGKILL after each step of the protocol: afterwards
// every sample is still readable (from the local block or a verified remote copy), and
// the next pass recovers the bucket and completes the move.
import fs from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnManaged } from '../../helpers/process';
import { startS3, type S3Server } from '../../helpers/s3';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { MOVE_STEPS, TierMover } from '../../../runtime/tier';
import { ObjectKeys } from '../../../runtime/tier/s3-settings';
import { D, openStore, seedBig, seedWeeks, snapshot, type Snapshot } from './fixture';

const CHILD = path.join(__dirname, 'mover-child.ts');
const ROOT = path.resolve(__dirname, '../../..');
const BUCKET = 'crash';

describe('mover killed between protocol steps', () => {
  let s3: S3Server;
  let client: S3Client;
  let tmp: string;
  // only the "part" stop needs a multipart upload: the big block is in its copy alone
  const pristine: Record<'big' | 'small', string> = { big: '', small: '' };
  const before: Partial<Record<'big' | 'small', Snapshot>> = {};
  beforeAll(async () => {
    s3 = await startS3();
    await s3.createBucket(BUCKET);
    client = s3.client();
    tmp = await makeTempDir('tier-crash-');
    for (const kind of ['big', 'small'] as const) {
      pristine[kind] = path.join(tmp, `pristine-${kind}`);
      const store = await openStore(pristine[kind]);
      if (kind === 'big') await seedBig(store, 0); // first candidate: multipart, so "part" stops mid-upload
      await seedWeeks(store, 3);
      before[kind] = await snapshot(store);
      await store.close();
    }
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.dispose();
    await removeTempDir(tmp);
  });

  async function keys(prefix: string): Promise<string[]> {
    const r = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (r.Contents ?? []).map((o) => o.Key!).sort();
  }

  for (const stopAt of ['part', ...MOVE_STEPS]) {
    it(`after "${stopAt}"`, async () => {
      const name = `s-${stopAt}`;
      const dir = path.join(tmp, name);
      const kind = stopAt === 'part' ? 'big' : 'small';
      const expected = before[kind]!;
      fs.cpSync(pristine[kind], dir, { recursive: true });
      const child = spawnManaged(`mover-${stopAt}`, process.execPath, ['--import', 'tsx', CHILD, dir, name], {
        cwd: ROOT,
        env: {
          ...process.env, NODE_OPTIONS: '', HISTORIAN_TIER_STOP_AT: stopAt, HISTORIAN_S3_ENDPOINT: s3.endpoint, HISTORIAN_S3_BUCKET: BUCKET,
          HISTORIAN_S3_ACCESS_KEY_ID: s3.accessKeyId, HISTORIAN_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        },
      });
      const exit = await child.exited;
      expect(exit.signal, child.logs()).toBe('SIGKILL');
      expect(child.logs()).toContain(`stop ${stopAt}`);

      const store = await openStore(dir);
      try {
        const mover = new TierMover({
          store, storeName: name, policyAgeMs: 30 * D, parquet: true, partBytes: 5 << 20,
          s3: { endpoint: s3.endpoint, region: s3.region, bucket: BUCKET, prefix: 'crash', forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
          retry: { attempts: 2, baseDelayMs: 5 },
        });
        // every block is either local with its file, or remote with its object in the bucket
        const objects = await keys(`crash/${name}/blocks/`);
        for (const b of store.blocks()) {
          if (b.location === 'local') expect(fs.existsSync(path.join(dir, 'blocks', `${b.id}.blk`))).toBe(true);
          else {
            expect(objects).toContain(`crash/${name}/blocks/${b.id}.blk`);
            expect(await mover.source.verifyObject(b.id)).toBe(true);
            expect(fs.existsSync(path.join(dir, 'blocks', `${b.id}.blk`))).toBe(false); // the stale copy went on open
          }
        }
        expect(await snapshot(store)).toEqual(expected);
        // the next pass cleans up and completes the move
        const r = await mover.runOnce();
        expect(r.errors).toEqual([]);
        const remote = store.blocks().filter((b) => b.location === 'remote').map((b) => b.id).sort();
        expect(remote.length).toBe(kind === 'big' ? 4 : 3); // (the big block and) three old weeks; the recent block stays
        expect(await keys(`crash/${name}/blocks/`)).toEqual(remote.map((id) => `crash/${name}/blocks/${id}.blk`));
        const pk = new ObjectKeys('crash', name);
        expect([...new Set((await keys(`crash/parquet/store=${name}/`)).map((k) => pk.parquetIdOf(k)))].sort()).toEqual(remote);
        expect(mover.source.pinnedIds().sort()).toEqual(remote);
        expect(await snapshot(store)).toEqual(expected);
      } finally {
        await store.close();
      }
    });
  }
});
