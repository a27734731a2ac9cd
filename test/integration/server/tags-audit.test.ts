// Tag metadata changes go to the audit trail; a retention change needs an electronic
// signature (428 without one) and its entry carries the signature manifestation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution, ADMIN_PASSWORD, type Distribution } from '../../helpers/distribution';
import { waitFor } from '../../helpers/wait';

let dist: Distribution;
let token: string;
const TAG = 'acme.izmir.plant1.line1.cell1.pump1.flow';

beforeAll(async () => {
  dist = await startDistribution();
  token = await dist.login();
  // the demo flow creates the tag in the default store
  await waitFor(async () => (await dist.request(`/api/v1/tags/${TAG}`, { token })).status === 200, { what: 'the demo tag' });
});
afterAll(async () => { await dist?.stop(); });

const put = (body: object, headers: Record<string, string> = {}) => dist.request(`/api/v1/tags/${TAG}`, {
  method: 'PUT', token, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body),
});

describe('PUT /api/v1/tags/{tag}', () => {
  it('records metadata changes in the audit trail with previous and new values', async () => {
    const r = await put({ unit: 'm³/h', description: 'Pump 1 discharge flow' });
    expect(r.status).toBe(200);
    const audit = await (await dist.request(`/api/v1/audit?action=tags.metadata.change&target=${TAG}`, { token })).json() as any;
    expect(audit.entries[0]).toMatchObject({ action: 'tags.metadata.change', target: TAG, username: 'admin' });
    expect(audit.entries[0].newValue.unit).toBe('m³/h');
  });

  it('refuses a retention change without a signature (428) and records a signed one', async () => {
    const unsigned = await put({ retentionMs: 86_400_000 * 365 });
    expect(unsigned.status).toBe(428);
    const signing = await dist.request('/api/v1/re-auth', {
      method: 'POST', token, headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD, meaning: 'approval', action: 'retention.change', target: TAG }),
    });
    expect(signing.status).toBe(200);
    const { token: sig } = await signing.json() as { token: string };
    const signed = await put({ retentionMs: 86_400_000 * 365 }, { 'X-Historian-Signature': sig });
    expect(signed.status).toBe(200);
    expect((await put({ retentionMs: 86_400_000 * 30 }, { 'X-Historian-Signature': sig })).status).toBe(428); // single use
    const audit = await (await dist.request(`/api/v1/audit?action=retention.change&target=${TAG}`, { token })).json() as any;
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0].signature).toMatchObject({ printedName: 'Administrator', meaning: 'approval' });
  });
});
