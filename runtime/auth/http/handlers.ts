// Route handlers of the auth API, each built from the AuthService. They assume the body
// was parsed by express.json() and, except login, that authenticate()/requirePermission()
// ran before them (see routes.ts for the pairing).
import type { Request, RequestHandler, Response } from 'express';
import type { AuthService } from '../auth-service';
import { AuthError } from '../errors';
import { actorOf } from '../principal';
import { principalOf } from './middleware';
import { handle, validationError } from './respond';
import {
  changePasswordBody, createTokenBody, createUserBody, loginBody, resetPasswordBody, updateUserBody,
} from './schemas';
import type { z } from 'zod';

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw validationError(r.error);
  return r.data;
}

function param(req: Request, name: string): string {
  const v = req.params[name];
  if (typeof v !== 'string' || v === '') throw new AuthError('validation', `${name} is required`, { field: name });
  return v;
}

/** POST /login {username, password} → 200 {token, expiresAt, mustChangePassword, user}. */
export function loginHandler(auth: AuthService): RequestHandler {
  return handle(async (req: Request, res: Response) => {
    const body = parse(loginBody, req.body);
    const out = await auth.login({ ...body, address: req.ip, source: 'api' });
    res.setHeader('Cache-Control', 'no-store');
    res.json(out);
  });
}

/** POST /logout → 204; the session token stops working at once. */
export function logoutHandler(auth: AuthService): RequestHandler {
  return handle((req, res) => {
    auth.logout(principalOf(req), req.ip);
    res.status(204).end();
  });
}

/** GET /me → who am I, with my permissions (the dashboard hides what I cannot do). */
export function meHandler(): RequestHandler {
  return handle((req, res) => {
    const p = principalOf(req);
    res.json({
      kind: p.kind, userId: p.userId, username: p.username, name: p.name, role: p.role,
      permissions: [...p.permissions].sort(), mustChangePassword: p.mustChangePassword,
      expiresAt: p.expiresAt === null ? null : new Date(p.expiresAt).toISOString(),
      ...(p.kind === 'token' ? { scopes: p.scopes, tagPattern: p.tagPattern ?? null, tokenId: p.tokenId } : {}),
    });
  });
}

/** POST /me/password {currentPassword, newPassword} → 200 {user}; works while a change is pending. */
export function changePasswordHandler(auth: AuthService): RequestHandler {
  return handle(async (req, res) => {
    const body = parse(changePasswordBody, req.body);
    const user = await auth.changePassword(principalOf(req), body.currentPassword, body.newPassword, req.ip);
    res.json({ user });
  });
}

/** GET /users → {users: UserView[]}. */
export function listUsersHandler(auth: AuthService): RequestHandler {
  return handle((_req, res) => { res.json({ users: auth.listUsers() }); });
}

/** GET /users/:id (id or user name) → {user}. */
export function getUserHandler(auth: AuthService): RequestHandler {
  return handle((req, res) => { res.json({ user: auth.getUser(param(req, 'id')) }); });
}

/** POST /users {username, name, role, password?, maxAgeDays?} → 201 {user, generatedPassword?}. */
export function createUserHandler(auth: AuthService): RequestHandler {
  return handle(async (req, res) => {
    const body = parse(createUserBody, req.body);
    // a password an administrator sets is temporary: the user changes it at first login
    const out = await auth.createUser(actorOf(principalOf(req)), { ...body, mustChangePassword: true }, { signature: req.signature });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(out);
  });
}

/** PATCH /users/:id {role?, disabled?, name?, maxAgeDays?} → {user}. */
export function updateUserHandler(auth: AuthService): RequestHandler {
  return handle((req, res) => {
    const body = parse(updateUserBody, req.body);
    res.json({ user: auth.updateUser(actorOf(principalOf(req)), param(req, 'id'), body, { signature: req.signature }) });
  });
}

/** POST /users/:id/password {password?, mustChange?: true} → {user, generatedPassword?}; the user must change it at the next login. */
export function resetPasswordHandler(auth: AuthService): RequestHandler {
  return handle(async (req, res) => {
    const body = parse(resetPasswordBody, req.body);
    const out = await auth.resetPassword(actorOf(principalOf(req)), param(req, 'id'), { password: body.password, mustChange: true }, { signature: req.signature });
    res.setHeader('Cache-Control', 'no-store');
    res.json(out);
  });
}

/** POST /users/:id/unlock → 204. */
export function unlockUserHandler(auth: AuthService): RequestHandler {
  return handle((req, res) => {
    auth.unlockUser(actorOf(principalOf(req)), param(req, 'id'));
    res.status(204).end();
  });
}

/** GET /tokens[?user=id|name] → {tokens: TokenView[]}. */
export function listTokensHandler(auth: AuthService): RequestHandler {
  return handle((req, res) => {
    const user = typeof req.query.user === 'string' && req.query.user !== '' ? req.query.user : undefined;
    res.json({ tokens: auth.listTokens(user) });
  });
}

/** POST /tokens {user, scopes, tagPattern?, expiresInDays?, name?} → 201 {token, record}; the token is shown only here. */
export function createTokenHandler(auth: AuthService): RequestHandler {
  return handle((req, res) => {
    const body = parse(createTokenBody, req.body);
    const expiresInMs = body.expiresInDays === undefined ? undefined
      : body.expiresInDays === null ? null : Math.round(body.expiresInDays * 86_400_000);
    const out = auth.createToken(actorOf(principalOf(req)), {
      user: body.user, name: body.name, scopes: body.scopes, tagPattern: body.tagPattern, expiresInMs,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(out);
  });
}

/** DELETE /tokens/:id → {token: TokenView} (status "revoked"). */
export function revokeTokenHandler(auth: AuthService): RequestHandler {
  return handle((req, res) => {
    res.json({ token: auth.revokeToken(actorOf(principalOf(req)), param(req, 'id')) });
  });
}
