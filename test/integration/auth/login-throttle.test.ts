// Login throttling over HTTP against the running distribution. Behind an explicitly
// trusted proxy (HISTORIAN_TRUST_PROXY=loopback) the guesser's forwarded address is held
// while the administrator's logs in; without that setting X-Forwarded-For is ignored, so a
// guesser cannot escape the throttle by inventing addresses.
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startDistribution, type Distribution } from '../../helpers/distribution';

const running: Distribution[] = [];
afterAll(async () => { for (const d of running) await d.stop(); });

function login(d: Distribution, password: string, forwardedFor: string) {
  return d.request('/api/v1/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
    body: JSON.stringify({ username: 'admin', password }),
  });
}

describe('login throttling per client address', () => {
  it('behind a trusted proxy: holds the guessing address, not the administrator', async () => {
    const d = await startDistribution({ env: { HISTORIAN_TRUST_PROXY: 'loopback' } });
    running.push(d);
    for (let i = 0; i < 5; i++) expect((await login(d, 'wrong password x', '198.51.100.7')).status).toBe(401);
    const held = await login(d, ADMIN_PASSWORD, '198.51.100.7');
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(d, ADMIN_PASSWORD, '10.0.0.5')).status).toBe(200);
  });

  it('without a trusted proxy: X-Forwarded-For is ignored (a guesser cannot pick fresh addresses)', async () => {
    const d = await startDistribution();
    running.push(d);
    for (let i = 0; i < 5; i++) expect((await login(d, 'wrong password x', `203.0.113.${i}`)).status).toBe(401);
    // all five came from the socket address (loopback), whatever the header said
    expect((await login(d, ADMIN_PASSWORD, '203.0.113.99')).status).toBe(429);
  });
});
