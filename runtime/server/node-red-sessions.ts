// Node-RED's editor session store: maps a session token Node-RED issued at its own login
// (adminAuth, backed by our users) to the user name. Both the deploy guard and the editor
// API identify editor users through it (editor-principal.ts).
import { createRequire } from 'node:module';

/**
 * Node-RED has no public API that maps one of its own editor session tokens to a user
 * outside its request pipeline, so this is the one private module the distribution loads;
 * test/unit/server/node-red-private.test.ts fails when a Node-RED upgrade moves it or
 * changes its shape, and a missing module is logged at start-up (deploys from editor
 * sessions then cannot be attributed; our own session JWTs still work).
 */
export const NODE_RED_TOKENS_MODULE = '@node-red/editor-api/lib/auth/tokens';

interface NodeRedTokens { get(t: string): Promise<{ user?: unknown } | null | undefined> }

export function loadNodeRedTokens(): NodeRedTokens {
  const m = createRequire(__filename)(NODE_RED_TOKENS_MODULE) as Partial<NodeRedTokens>;
  if (typeof m?.get !== 'function') throw new Error(`${NODE_RED_TOKENS_MODULE} no longer exports get(token)`);
  return m as NodeRedTokens;
}

/** Node-RED's editor session store (@node-red/editor-api), looked up lazily. */
export function nodeRedEditorSessions(log: (line: string) => void = (l) => console.log(l)): (token: string) => Promise<string | null> {
  let tokens: NodeRedTokens | null = null;
  try {
    tokens = loadNodeRedTokens();
  } catch (e) {
    log(`[historian] warning: cannot read Node-RED editor sessions (${(e as Error).message}); deploys are attributed only for Historian session tokens`);
  }
  return async (token) => {
    if (!tokens) return null;
    try {
      const s = await tokens.get(token);
      return s && typeof s.user === 'string' ? s.user : null;
    } catch {
      return null; // the editor API is not initialised (no adminAuth)
    }
  };
}
