// The per-token total of created tags: counted after the write, kept across restarts,
// refusing the tag that would pass the limit with a message naming it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenTagLedger } from '../../../runtime/ingest/token-tag-ledger';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('TokenTagLedger', () => {
  it('refuses past the total and keeps counts across a reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hist-ledger-'));
    dirs.push(dir);
    const file = join(dir, 'ingest-token-tags.db');
    let l = new TokenTagLedger(file, 3);
    expect(l.refusal('tok-a', 1, 'a.b')).toBeNull();
    l.record('tok-a', 2);
    expect(l.refusal('tok-a', 1, 'a.c')).toBeNull();
    expect(l.refusal('tok-a', 2, 'a.d')).toMatch(/"a\.d" is a new tag and this client has created 3 tags \(limit maxTagsPerToken = 3, HISTORIAN_MAX_TAGS_PER_TOKEN\)/);
    expect(l.refusal('tok-b', 3, 'a.e')).toBeNull(); // per client
    l.close();
    l = new TokenTagLedger(file, 3);
    expect(l.created('tok-a')).toBe(2);
    l.record('tok-a', 1);
    expect(l.refusal('tok-a', 1, 'a.f')).not.toBeNull();
    l.close();
    expect(() => new TokenTagLedger(file, 0)).toThrow(/maxTagsPerToken: must be a positive integer or null/);
  });
});
