// A mover process for the crash tests: moves the store's old blocks and kills itself
// with SIGKILL right after the protocol step named by HISTORIAN_TIER_STOP_AT.
import { TierMover } from '../../../runtime/tier';
import { D, openStore } from './fixture';

async function main(): Promise<void> {
  const [dir, storeName] = process.argv.slice(2);
  const stopAt = process.env.HISTORIAN_TIER_STOP_AT;
  const store = await openStore(dir);
  const mover = new TierMover({
    store, storeName, policyAgeMs: 30 * D, parquet: true, partBytes: 5 << 20,
    s3: {
      endpoint: process.env.HISTORIAN_S3_ENDPOINT, region: 'us-east-1', bucket: process.env.HISTORIAN_S3_BUCKET!, prefix: 'crash', forcePathStyle: true,
      accessKeyId: process.env.HISTORIAN_S3_ACCESS_KEY_ID, secretAccessKey: process.env.HISTORIAN_S3_SECRET_ACCESS_KEY,
    },
    onStep: (step, id) => {
      if (step === stopAt) {
        process.stdout.write(`stop ${step} ${id}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
    },
  });
  const r = await mover.runOnce();
  process.stdout.write(`done ${JSON.stringify(r)}\n`);
  await store.close();
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
