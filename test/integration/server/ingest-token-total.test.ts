// The per-token total of created tags (HISTORIAN_MAX_TAGS_PER_TOKEN) against the running
// distribution, across a restart: a token that used up its total creates no more tags,
// while its existing tags keep ingesting.
import { afterAll, describe, expect, it } from 'vitest';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { createUser } from '../../helpers/signing';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dist: Distribution | null = null;
let dir = '';
afterAll(async () => {
  await dist?.stop();
  if (dir) await removeTempDir(dir);
});

describe('tags per API token in total', () => {
  it('refuses new tags past the total, also after a restart; existing tags keep ingesting', async () => {
    dir = await makeTempDir('token-total-');
    const start = () => startDistribution({ dataDir: dir, env: { HISTORIAN_MAX_TAGS_PER_TOKEN: '50' } });
    dist = await start();
    const admin = await dist.login();
    const post = (d: Distribution, path: string, body: unknown, token: string) => d.request(path, { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await createUser(dist, admin, { username: 'gw', name: 'Gateway', role: 'SERVICE' });
    const token = ((await (await post(dist, '/api/v1/tokens', { user: 'gw', scopes: ['ingest'], tagPattern: 'acme.>' }, admin)).json()) as { token: string }).token;
    const items = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ tag: `acme.total.t${from + i}.v`, value: i, timestamp: Date.now() }));

    const first = await (await post(dist, '/api/v1/metrics', items(0, 80), token)).json() as { accepted: number; rejected: number; errors: Array<{ index: number; reason: string; message: string }> };
    expect(first).toMatchObject({ accepted: 50, rejected: 30 });
    expect(first.errors[0]).toMatchObject({ index: 50, reason: 'tag_limit' });
    expect(first.errors[0].message).toMatch(/limit maxTagsPerToken = 50, HISTORIAN_MAX_TAGS_PER_TOKEN/);

    await dist.stop();
    dist = await start();
    const refused = await post(dist, '/api/v1/metrics', items(100, 5), token);
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ accepted: 0, rejected: 5 });
    const existing = await post(dist, '/api/v1/metrics', items(0, 50), token);
    expect(existing.status).toBe(202);
    expect(await existing.json()).toMatchObject({ accepted: 50, rejected: 0 });
  });
});
