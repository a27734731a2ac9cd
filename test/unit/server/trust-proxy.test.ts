// HISTORIAN_TRUST_PROXY: off by default, a named proxy or hop count when set, never "anyone".
import { describe, expect, it } from 'vitest';
import { trustProxySetting } from '../../../runtime/server/trust-proxy';

describe('trust proxy setting', () => {
  it('is off unless a proxy is named', () => {
    expect(trustProxySetting(undefined)).toBe(false);
    expect(trustProxySetting('')).toBe(false);
    expect(trustProxySetting('loopback')).toBe('loopback');
    expect(trustProxySetting(' 10.0.0.2, 10.1.0.0/16 ')).toBe('10.0.0.2, 10.1.0.0/16');
    expect(trustProxySetting('1')).toBe(1);
  });
  it('refuses trusting every client', () => {
    expect(() => trustProxySetting('true')).toThrow(/security.trustProxy: "true" would let any client choose its address/);
  });
});
