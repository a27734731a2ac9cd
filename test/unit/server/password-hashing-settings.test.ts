// The server's password hashing comes from settings (HISTORIAN_ARGON2_*, HISTORIAN_BCRYPT_COST):
// a pair below OWASP's minimum stops startup naming the variables; a valid pair is what new
// hashes are made with.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecurityLayer } from '../../../runtime/server/security';
import type { HistorianConfig } from '../../../runtime/server/load-settings';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function config(security: HistorianConfig['security']): HistorianConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'hist-hashing-'));
  dirs.push(dataDir);
  return { dataDir, security: { adminPassword: 'Plant-floor chief 2026!', ...security } } as HistorianConfig;
}

describe('password hashing settings', () => {
  it('refuses parameters below OWASP\'s minimum, naming the variables', async () => {
    await expect(SecurityLayer.open(config({ argon2MemoryKiB: 19_456, argon2Passes: 1 }), () => undefined))
      .rejects.toThrow(/HISTORIAN_ARGON2_MEMORY_KIB \/ HISTORIAN_ARGON2_PASSES.*below OWASP's minimum/);
    await expect(SecurityLayer.open(config({ argon2MemoryKiB: 8_192, argon2Passes: 4 }), () => undefined))
      .rejects.toThrow(/8192 KiB and 4 passes/);
  });

  it('hashes the first administrator with the configured parameters and logs no fallback on this Node', async () => {
    const lines: string[] = [];
    const sec = await SecurityLayer.open(config({ argon2MemoryKiB: 12_288, argon2Passes: 3 }), (l) => lines.push(l));
    try {
      const row = sec.auth.db.prepare("SELECT password_hash FROM users WHERE username = 'admin'").get() as { password_hash: string };
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=12288,t=3,p=1\$/);
      expect(lines.join('\n')).not.toMatch(/crypto\.argon2/);
    } finally {
      sec.auth.close();
    }
  });
});
