// Signed deploys: an express router mounted at the Node-RED admin root, in front of
// RED.httpAdmin. For `POST <admin>/flows` it identifies the editor user (our session JWT,
// or a Node-RED editor session issued through adminAuth), requires a signing token for
// `flows.deploy` when signed deploys are on (428 otherwise), lets Node-RED do the deploy,
// and records every successful deploy — who, when, and the nodes added, changed and
// removed — in the audit trail. It also serves the editor plugin's two endpoints:
// `POST <admin>/historian/re-auth` and `GET <admin>/historian/signing-config`.
import { createRequire } from 'node:module';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuditTrail } from '../audit/audit-trail';
import { CRITICAL } from '../audit/critical-actions';
import { SIGNATURE_MEANINGS, type SignatureManifestation } from '../audit/entry';
import { diffFlows, type FlowDiff } from '../audit/flow-diff';
import { SIGNATURE_HEADER, sendSignatureError, signatureTokenOf } from '../audit/http/signature-guard';
import { SignatureError, type SignatureService, type Signer } from '../audit/signature-service';
import type { AuthService } from '../auth/auth-service';

export const DEPLOY_ACTION = CRITICAL.flowsDeploy;
export const DEPLOY_TARGET = 'flows';

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
      let signature: SignatureManifestation | null = null;
      if (!restart && mustSign()) {
        if (!signer) {
          res.status(401).json({ error: 'unauthorized', message: 'log in to the editor before deploying' });
          return;
        }
        try {
          signature = signatures.consume(signatureTokenOf(req), DEPLOY_ACTION, DEPLOY_TARGET, signer, req.ip);
        } catch (e) {
          if (e instanceof SignatureError) return sendSignatureError(res, e, DEPLOY_ACTION, DEPLOY_TARGET);
          throw e;
        }
      }
      let diff: FlowDiff | null = null;
      let diffError: string | null = null;
      if (!restart) {
        try {
          diff = diffFlows(await opts.currentFlows(), req.body);
        } catch (e) {
          diffError = (e as Error).message;
        }
      }
      res.on('finish', () => {
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        // Refusals of anonymous requests are Node-RED's business; keep the trail to people.
        if (!ok && !signer) return;
        try {
          trail.append({
            userId: signer?.userId ?? null, username: signer?.username ?? null, userName: signer?.name ?? null, role: signer?.role ?? null,
            action: ok ? (restart ? 'flows.restart' : DEPLOY_ACTION) : 'flows.deploy.failed',
            target: DEPLOY_TARGET,
            newValue: { deploymentType, ...(diff ? { summary: diff.counts, added: diff.added, changed: diff.changed, removed: diff.removed } : {}), ...(diffError ? { summaryError: diffError } : {}), ...(!ok && signature ? { signatureId: signature.signatureId } : {}) },
            reason: ok ? null : `HTTP ${res.statusCode}`,
            clientAddress: req.ip ?? null,
            signature: ok && !restart ? signature : null,
          });
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
      try {
        const ticket = await signatures.reauth({
          userId: typeof b.userId === 'string' ? b.userId : undefined,
          username: typeof b.username === 'string' ? b.username : undefined,
          password: b.password as string, meaning: b.meaning as never,
          action: DEPLOY_ACTION, target: DEPLOY_TARGET,
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
      tokenTtlMs: signatures.ttlMs, header: SIGNATURE_HEADER,
    });
  });

  return router;
}
