// Signed deploys: an express router mounted at the Node-RED admin root, in front of
// RED.httpAdmin. For `POST <admin>/flows` it identifies the editor user (our session JWT,
// or a Node-RED editor session issued through adminAuth), requires a signing token for
// `flows.deploy` when signed deploys are on, and — whatever that setting — one for each
// critical change the deploy carries (alarm limits, tier policy, retention: see
// critical-flow-changes.ts), from a user whose role has that change's permission (428
// without the signatures, 403 without the permission). It lets Node-RED do the deploy and
// records every successful deploy — who, when, the nodes added, changed and removed, and
// one signed entry per critical change — in the audit trail. It also serves the editor
// plugin's two endpoints: `POST <admin>/historian/re-auth` and `GET <admin>/historian/signing-config`.
// Several signing tokens travel in one X-Historian-Signature header, comma-separated.
import { createRequire } from 'node:module';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuditTrail } from '../audit';
import { CRITICAL } from '../audit';
import { SIGNATURE_MEANINGS, type SignatureManifestation } from '../audit';
import { diffFlows, type FlowDiff } from '../audit';
import { SIGNATURE_HEADER, sendSignatureError, signatureErrorBody, signatureTokenOf } from '../audit';
import { SignatureError, type SignatureService, type Signer } from '../audit';
import type { AuthService } from '../auth';
import { isRole, permissionsOf } from '../auth';
import { CRITICAL_NODE_RULES, criticalFlowChanges, type CriticalChange } from '../audit';

export const DEPLOY_ACTION = CRITICAL.flowsDeploy;
export const DEPLOY_TARGET = 'flows';
/** Actions the editor plugin may ask a signing token for (all on target "flows"). */
export const DEPLOY_SIGNED_ACTIONS: readonly string[] = [DEPLOY_ACTION, ...CRITICAL_NODE_RULES.map((r) => r.action)];
/** The permissions a deploy checks: flows.write, and each critical change's own. */
export const DEPLOY_PERMISSIONS: readonly string[] = ['flows.write', ...CRITICAL_NODE_RULES.map((r) => r.permission)];

/** The signing tokens of a request: the header may carry several, comma-separated. */
function tokensOf(req: Request): string[] {
  const one = signatureTokenOf(req);
  return one ? one.split(',').map((t) => t.trim()).filter(Boolean) : [];
}

export interface DeploySigningOptions {
  auth: AuthService;
  trail: AuditTrail;
  signatures: SignatureService;
  /** historian.security.requireSignedDeploys: refuse unsigned deploys with 428. Deploys are recorded either way. */
  requireSignature: boolean;
  /** The flows before the deploy, for the summary: e.g. () => RED.runtime.flows.getFlows({}).then((r) => r.flows). */
  currentFlows: () => Promise<unknown>;
  /** Maps a Node-RED editor session token to its user name; default: Node-RED's own token store. */
  editorSessionUser?: (token: string) => Promise<string | null>;
  /** Body size limit for the deploy (Node-RED's apiMaxLength); default 5mb. */
  bodyLimit?: string;
  log?: (line: string) => void;
}

/** Node-RED's editor session store (@node-red/editor-api), looked up lazily. */
export function nodeRedEditorSessions(): (token: string) => Promise<string | null> {
  let tokens: { get(t: string): Promise<{ user?: unknown } | null | undefined> } | null = null;
  try {
    tokens = createRequire(__filename)('@node-red/editor-api/lib/auth/tokens');
  } catch {
    tokens = null;
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

function bearer(req: Request): string | null {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m ? m[1] : null;
}

export function deploySigning(opts: DeploySigningOptions): Router {
  const { auth, trail, signatures } = opts;
  const editorSessionUser = opts.editorSessionUser ?? nodeRedEditorSessions();
  const log = opts.log ?? ((l: string) => console.log(l));
  const mustSign = () => opts.requireSignature && signatures.requiresSignature(DEPLOY_ACTION);

  /** The person behind the editor's bearer token, or null. */
  async function signerOf(req: Request): Promise<Signer | null> {
    const token = bearer(req);
    if (!token) return null;
    try {
      const p = auth.authenticateToken(token);
      if (p.kind === 'user' && !p.mustChangePassword) return p;
      return null;
    } catch {
      // Not one of our tokens: perhaps a session the editor obtained from Node-RED's login.
    }
    const username = await editorSessionUser(token);
    if (!username) return null;
    try {
      const u = auth.getUser(username);
      return u.disabled || u.role === 'SERVICE' ? null : { kind: 'user', userId: u.id, username: u.username, name: u.name, role: u.role };
    } catch {
      return null;
    }
  }

  const router = express.Router();
  const json = express.json({ limit: opts.bodyLimit ?? '5mb' });

  router.post('/flows', json, (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const signer = await signerOf(req);
      const deploymentType = String(req.get('Node-RED-Deployment-Type') ?? 'full');
      // "Restart flows" re-reads the deployed configuration: recorded, never a change to sign.
      const restart = deploymentType === 'reload';
      let diff: FlowDiff | null = null;
      let diffError: string | null = null;
      let critical: CriticalChange[] = [];
      if (!restart) {
        try {
          const before = await opts.currentFlows();
          diff = diffFlows(before, req.body);
          critical = criticalFlowChanges(before, req.body).filter((c) => signatures.requiresSignature(c.action));
        } catch (e) {
          diffError = (e as Error).message;
        }
      }
      const actions = [...(!restart && mustSign() ? [DEPLOY_ACTION] : []), ...critical.map((c) => c.action)];
      const signed = new Map<string, SignatureManifestation>();
      if (actions.length > 0) {
        if (!signer) {
          res.status(401).json({ error: 'unauthorized', message: 'log in to the editor before deploying' });
          return;
        }
        const role = signer.role;
        const perms = role && isRole(role) ? permissionsOf(role) : new Set<string>();
        const lacking = ['flows.write', ...critical.map((c) => c.permission)].find((p) => !perms.has(p as never));
        if (lacking) {
          const c = critical.find((x) => x.permission === lacking);
          const message = `role ${role ?? '?'} lacks permission "${lacking}"${c ? ` to change ${c.what}` : ''}`;
          try {
            trail.append({
              userId: signer.userId, username: signer.username, userName: signer.name, role: signer.role ?? null, action: 'flows.deploy.failed', target: DEPLOY_TARGET,
              newValue: { deploymentType, ...(diff ? { summary: diff.counts } : {}), critical: critical.map((x) => x.action) }, reason: `HTTP 403: ${message}`, clientAddress: req.ip ?? null,
            });
          } catch (e) {
            log(`[historian] audit: could not record a refused deploy: ${(e as Error).message}`);
          }
          res.status(403).json({ error: 'forbidden', permission: lacking, message });
          return;
        }
        // every signature present before any is used: a refused deploy spends none
        const tokens = tokensOf(req);
        const forAction = new Map<string, string>();
        for (const t of tokens) {
          const p = signatures.peek(t);
          if (p && p.target === DEPLOY_TARGET && actions.includes(p.action) && !forAction.has(p.action)) forAction.set(p.action, t);
        }
        const missing = actions.filter((a) => !forAction.has(a));
        if (missing.length > 0) {
          // recorded as every refused signature is (signature.refused); nothing is spent
          for (const a of missing) {
            try { signatures.consume(undefined, a, DEPLOY_TARGET, signer, req.ip); } catch { /* the refusal is the point */ }
          }
          const e = new SignatureError('missing', `this deploy needs an electronic signature for ${missing.map((a) => `"${a}"`).join(' and ')}` +
            `${critical.length ? ` (it changes ${critical.map((c) => c.what).join(', ')})` : ''}: sign each at <editor>/historian/re-auth with action and target "${DEPLOY_TARGET}", and send the tokens comma-separated in ${SIGNATURE_HEADER}`);
          res.status(428).json({ ...signatureErrorBody(e, missing[0], DEPLOY_TARGET), actions: missing, changes: critical.map((c) => ({ action: c.action, what: c.what, items: c.items })) });
          return;
        }
        try {
          for (const a of actions) signed.set(a, signatures.consume(forAction.get(a), a, DEPLOY_TARGET, signer, req.ip));
        } catch (e) {
          if (e instanceof SignatureError) return sendSignatureError(res, e, DEPLOY_ACTION, DEPLOY_TARGET);
          throw e;
        }
      }
      const signature = signed.get(DEPLOY_ACTION) ?? null;
      res.on('finish', () => {
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        // Refusals of anonymous requests are Node-RED's business; keep the trail to people.
        if (!ok && !signer) return;
        const who = { userId: signer?.userId ?? null, username: signer?.username ?? null, userName: signer?.name ?? null, role: signer?.role ?? null };
        try {
          trail.append({
            ...who,
            action: ok ? (restart ? 'flows.restart' : DEPLOY_ACTION) : 'flows.deploy.failed',
            target: DEPLOY_TARGET,
            newValue: {
              deploymentType, ...(diff ? { summary: diff.counts, added: diff.added, changed: diff.changed, removed: diff.removed } : {}), ...(diffError ? { summaryError: diffError } : {}),
              ...(!ok && signed.size ? { signatureIds: [...signed.values()].map((x) => x.signatureId) } : {}),
            },
            reason: ok ? null : `HTTP ${res.statusCode}`,
            clientAddress: req.ip ?? null,
            signature: ok && !restart ? signature : null,
          });
          // one signed entry per critical change, with what it was and what it became
          if (ok) {
            for (const c of critical) {
              trail.append({
                ...who, action: c.action, target: DEPLOY_TARGET, clientAddress: req.ip ?? null,
                previousValue: c.items.map((i) => ({ key: i.key, node: i.node, value: i.before })),
                newValue: c.items.map((i) => ({ key: i.key, node: i.node, value: i.after })),
                signature: signed.get(c.action) ?? null,
              });
            }
          }
        } catch (e) {
          log(`[historian] audit: could not record a deploy: ${(e as Error).message}`);
        }
      });
      next();
    })().catch(next);
  });

  router.post('/historian/re-auth', json, (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const signer = await signerOf(req);
      if (!signer) {
        res.status(401).json({ error: 'unauthorized', message: 'log in to the editor first' });
        return;
      }
      const b = (req.body ?? {}) as Record<string, unknown>;
      const action = b.action === undefined ? DEPLOY_ACTION : b.action;
      if (typeof action !== 'string' || !DEPLOY_SIGNED_ACTIONS.includes(action)) {
        res.status(400).json({ error: 'bad_request', field: 'action', message: `action: a deploy is signed for one of ${DEPLOY_SIGNED_ACTIONS.join(', ')}` });
        return;
      }
      try {
        const ticket = await signatures.reauth({
          userId: typeof b.userId === 'string' ? b.userId : undefined,
          username: typeof b.username === 'string' ? b.username : undefined,
          password: b.password as string, meaning: b.meaning as never,
          action, target: DEPLOY_TARGET,
        }, signer, req.ip);
        res.json(ticket);
      } catch (e) {
        if (e instanceof SignatureError) return sendSignatureError(res, e);
        throw e;
      }
    })().catch(next);
  });

  router.get('/historian/signing-config', (_req: Request, res: Response) => {
    res.json({
      signedDeploys: mustSign(), action: DEPLOY_ACTION, target: DEPLOY_TARGET, meanings: SIGNATURE_MEANINGS,
      // signed whenever a deploy changes them, whatever signedDeploys says
      criticalChanges: CRITICAL_NODE_RULES.filter((r) => signatures.requiresSignature(r.action)).map((r) => ({ type: r.type, action: r.action, what: r.what, permission: r.permission })),
      tokenTtlMs: signatures.ttlMs, header: SIGNATURE_HEADER,
    });
  });

  return router;
}
