// The one private Node-RED module the distribution loads (runtime/server/node-red-sessions.ts): Node-RED's
// editor session store. A Node-RED upgrade that moves it or changes get(token) must fail
// here, loudly, rather than silently stop attributing editor deploys.
import { describe, expect, it } from 'vitest';
import { loadNodeRedTokens, nodeRedEditorSessions, NODE_RED_TOKENS_MODULE } from '../../../runtime/server/node-red-sessions';

describe(`Node-RED private dependency ${NODE_RED_TOKENS_MODULE}`, () => {
  it('resolves and still exports get(token) returning a promise', async () => {
    const tokens = loadNodeRedTokens();
    expect(typeof tokens.get).toBe('function');
    // before the editor API is initialised get() rejects or answers nothing; both mean "no session"
    const got = await (async () => tokens.get('no-such-session'))().then((v) => v ?? null, () => null);
    expect(got).toBeNull();
  });

  it('maps an unknown editor session to no user without warning', async () => {
    const lines: string[] = [];
    const lookup = nodeRedEditorSessions((l) => lines.push(l));
    expect(await lookup('no-such-session')).toBeNull();
    expect(lines).toEqual([]);
  });
});
