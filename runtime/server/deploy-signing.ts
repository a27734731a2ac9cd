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
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuditTrail } from '../audit';
import { CRITICAL } from '../audit';
import { SIGNATURE_MEANINGS, type SignatureManifestation } from '../audit';
import { diffFlows, type FlowDiff } from '../audit';
import { SIGNATURE_HEADER, signatureTokenOf } from '../audit';
import { z } from 'zod';
import { authenticationRequired, bearerToken, defineRoute, HttpError, mountRoutes, sendError, type Principal, type RouteDef } from '../http';
import { SignatureError, type SignatureService, type Signer } from '../audit';
import type { AuthService } from '../auth';
import { isRole, permissionsOf } from '../auth';
import { editorAuthenticate } from './editor-principal';
import { nodeRedEditorSessions } from './node-red-sessions';
import { CRITICAL_NODE_RULES, criticalFlowChanges, type CriticalChange } from '../audit';

export const DEPLOY_ACTION = CRITICAL.flowsDeploy;
export const RESTORE_ACTION = CRITICAL.flowsRestore;
export const DEPLOY_TARGET = 'flows';
/** Actions the editor plugin may ask a signing token for (all on target "flows"). */
export const DEPLOY_SIGNED_ACTIONS: readonly string[] = [DEPLOY_ACTION, RESTORE_ACTION, ...CRITICAL_NODE_RULES.map((r) => r.action)];

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the flow-version restore before it hands the request to this guard as a deploy. */
      historianRestore?: { version: number };
    }
  }
}

/** A deploy Node-RED accepted, for the flow version store. */
export interface AcceptedDeploy {
  flows: unknown;
  signer: Signer | null;
  deploymentType: string;
  signature: SignatureManifestation | null;
  restoredFrom: number | null;
}
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
  /** Called after each deploy Node-RED accepted (not a restart): the flow version store records it. */
  onDeployed?: (d: AcceptedDeploy) => void;
}

/** The deploy guard, with the editor plugin's route declarations (for the OpenAPI). */
export type DeploySigningRouter = Router & { readonly routes: readonly RouteDef[] };

export function deploySigning(opts: DeploySigningOptions): DeploySigningRouter {
  const { auth, trail, signatures } = opts;
  const log = opts.log ?? ((l: string) => console.log(l));
  const editorSessionUser = opts.editorSessionUser ?? nodeRedEditorSessions(log);
  const mustSign = (action: string = DEPLOY_ACTION) => opts.requireSignature && signatures.requiresSignature(action);

  /**
   * The person behind the editor's bearer token, as a route principal, or null: one of our
   * session JWTs (a user's, not one that must change its password first), or a session the
   * editor obtained from Node-RED's login (adminAuth), which carries our user's name and role.
   */
  const sessionJwt = async (req: Request): Promise<Principal | null> => {
    const token = bearerToken(req.headers.authorization);
    if (!token) return null;
    try {
      const p = auth.authenticateToken(token);
      return p.kind === 'user' && !p.mustChangePassword ? p : null;
    } catch {
      return null; // not one of our tokens: perhaps a session from Node-RED's login
    }
  };
  const editorPrincipal = editorAuthenticate(auth, sessionJwt, editorSessionUser);
  const signerOf = (req: Request): Promise<Signer | null> => editorPrincipal(req);

  const router = express.Router();
  const json = express.json({ limit: opts.bodyLimit ?? '5mb' });

  // Who deploys is settled before the body (up to the deploy limit) is read: an anonymous
  // request never makes the server parse and diff flows. Node-RED's adminAuth accepts the
  // same people (our users' sessions, no anonymous access), so it would refuse it anyway.
  const signerFirst = (req: Request, res: Response, next: NextFunction) => {
    signerOf(req).then((signer) => {
      if (!signer) return sendError(res, authenticationRequired('log in to the editor before deploying'));
      res.locals.deploySigner = signer;
      next();
    }, next);
  };

  router.post('/flows', signerFirst, json, (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const signer = res.locals.deploySigner as Signer;
      const deploymentType = String(req.get('Node-RED-Deployment-Type') ?? 'full');
      // "Restart flows" re-reads the deployed configuration: recorded, never a change to sign.
      const restart = deploymentType === 'reload';
      // a restore is a deploy signed as a restore (flows.restore) when deploys are signed
      const restoredFrom = req.historianRestore?.version ?? null;
      const deployAction = restoredFrom !== null ? RESTORE_ACTION : DEPLOY_ACTION;
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
      const actions = [...(!restart && mustSign(deployAction) ? [deployAction] : []), ...critical.map((c) => c.action)];
      const signed = new Map<string, SignatureManifestation>();
      if (actions.length > 0) {
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
          return sendError(res, new HttpError(403, 'forbidden', message, { permission: lacking }));
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
          return sendError(res, e.at(missing[0], DEPLOY_TARGET, { actions: missing, changes: critical.map((c) => ({ action: c.action, what: c.what, items: c.items })) }));
        }
        try {
          for (const a of actions) signed.set(a, signatures.consume(forAction.get(a), a, DEPLOY_TARGET, signer, req.ip));
        } catch (e) {
          if (e instanceof SignatureError) return sendError(res, e.at(deployAction, DEPLOY_TARGET));
          throw e;
        }
      }
      const signature = signed.get(deployAction) ?? null;
      res.on('finish', () => {
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        const who = { userId: signer.userId, username: signer.username, userName: signer.name, role: signer.role ?? null };
        try {
          trail.append({
            ...who,
            action: ok ? (restart ? 'flows.restart' : deployAction) : 'flows.deploy.failed',
            target: DEPLOY_TARGET,
            newValue: {
              deploymentType, ...(restoredFrom !== null ? { restoredFrom } : {}), ...(diff ? { summary: diff.counts, added: diff.added, changed: diff.changed, removed: diff.removed } : {}), ...(diffError ? { summaryError: diffError } : {}),
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
        if (ok && !restart && opts.onDeployed) {
          try {
            opts.onDeployed({ flows: req.body, signer, deploymentType, signature, restoredFrom });
          } catch (e) {
            log(`[historian] flow versions: could not store the deployed flows: ${(e as Error).message}`);
          }
        }
      });
      next();
    })().catch(next);
  });

  // The editor plugin's endpoints, declared like every API route (runtime/http).
  const reauthBody = z.object({
    action: z.string().refine((a) => DEPLOY_SIGNED_ACTIONS.includes(a), { message: `a deploy is signed for one of ${DEPLOY_SIGNED_ACTIONS.join(', ')}` }).default(DEPLOY_ACTION),
    userId: z.string().optional(),
    username: z.string().optional(),
    // checked by the signature service, which names the failing field
    password: z.unknown(),
    meaning: z.unknown(),
  });
  const routes: RouteDef[] = [
    defineRoute({
      method: 'post', path: '/historian/re-auth', group: 'editor', permission: 'authenticated', body: reauthBody,
      summary: 'Electronic signature for a deploy: re-enter user id and password with a meaning; answers a signing token for the action on "flows"',
      handler: ({ body, principal, req }) => signatures.reauth({
        userId: body.userId, username: body.username, password: body.password as string, meaning: body.meaning as never,
        action: body.action, target: DEPLOY_TARGET,
      }, principal!, req.ip),
    }),
    defineRoute({
      method: 'get', path: '/historian/signing-config', group: 'editor', permission: 'public',
      summary: 'Whether deploys are signed, the meanings, and the critical changes a deploy must sign',
      handler: () => ({
        signedDeploys: mustSign(), action: DEPLOY_ACTION, target: DEPLOY_TARGET, meanings: SIGNATURE_MEANINGS,
        // signed whenever a deploy changes them, whatever signedDeploys says
        criticalChanges: CRITICAL_NODE_RULES.filter((r) => signatures.requiresSignature(r.action)).map((r) => ({ type: r.type, action: r.action, what: r.what, permission: r.permission })),
        tokenTtlMs: signatures.ttlMs, header: SIGNATURE_HEADER,
      }),
    }),
  ];
  router.use('/historian/re-auth', json);
  mountRoutes(router, routes, editorPrincipal);

  return Object.assign(router, { routes });
}
