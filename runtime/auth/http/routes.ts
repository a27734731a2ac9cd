// The auth API, declared with the route layer of runtime/http like every other route: the
// permission table, schemas (400 listing every issue), 401/403 and the OpenAPI come from
// the declarations. User administration demands an electronic signature for its critical
// actions: `sign` (given by the server, backed by the audit capability) answers the
// manifestation or throws 428.
import type { Request } from 'express';
import { callerOf, defineRoute, type RouteContext, type RouteDef } from '../../http';
import type { AuthService } from '../auth-service';
import { AuthError } from '../errors';
import { actorOf, type Principal } from '../principal';
import * as schema from './schemas';
import { createUserAction, resetPasswordAction, updateUserAction, type SignedAction, type SignedActionOf } from './signed-actions';

/** The manifestation a signature-worthy request carries (undefined: none needed), or throws (428...). */
export type SignHook = (req: Request, signer: Principal, action: SignedAction) => unknown;

export interface AuthRoutesDeps {
  auth: AuthService;
  /** Without it, no signature is demanded (tests of the auth capability alone). */
  sign?: SignHook;
}

function idOf(params: { id?: string }): string {
  if (typeof params.id !== 'string' || params.id === '') throw new AuthError('validation', 'id is required', { field: 'id' });
  return params.id;
}

export function authRoutes(deps: AuthRoutesDeps): RouteDef[] {
  const { auth } = deps;
  /** Works out the signed action of a request and asks the hook for its signature. */
  const signed = (ctx: RouteContext<unknown, unknown, unknown>, of: SignedActionOf) => {
    const action = of(auth, ctx.req);
    return (action && deps.sign ? deps.sign(ctx.req, callerOf(ctx), action) : undefined) ?? undefined;
  };
  return [
    defineRoute({
      method: 'post', path: '/login', group: 'identity', permission: 'public', body: schema.loginBody,
      summary: 'Log in with user name and password; answers a session token (the same answer for an unknown user and a wrong password)',
      response: { description: '{ token, expiresAt, mustChangePassword, user }' },
      handler: async ({ body, req, res }) => {
        const out = await auth.login({ ...body, address: req.ip, source: 'api' });
        res.setHeader('Cache-Control', 'no-store');
        return out;
      },
    }),
    defineRoute({
      method: 'post', path: '/logout', group: 'identity', permission: 'authenticated',
      summary: 'End this session: the token stops working at once', response: { status: 204, description: 'logged out' },
      handler: (ctx) => {
        auth.logout(callerOf(ctx), ctx.req.ip);
        ctx.res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get', path: '/me', group: 'identity', permission: 'authenticated',
      summary: 'Who am I, with my permissions (the dashboard hides what I cannot do)',
      handler: (ctx) => {
        const p = callerOf(ctx);
        return {
          kind: p.kind, userId: p.userId, username: p.username, name: p.name, role: p.role,
          permissions: [...p.permissions].sort(), mustChangePassword: p.mustChangePassword,
          expiresAt: p.expiresAt === null ? null : new Date(p.expiresAt).toISOString(),
          ...(p.kind === 'token' ? { scopes: p.scopes, tagPattern: p.tagPattern ?? null, tokenId: p.tokenId } : {}),
        };
      },
    }),
    defineRoute({
      method: 'post', path: '/me/password', group: 'identity', permission: 'authenticated', body: schema.changePasswordBody,
      summary: 'Change my password (works while a change is pending)',
      handler: async (ctx) => ({ user: await auth.changePassword(callerOf(ctx), ctx.body.currentPassword, ctx.body.newPassword, ctx.req.ip) }),
    }),
    defineRoute({
      method: 'get', path: '/users', group: 'identity', permission: 'users.manage', summary: 'List users',
      handler: () => ({ users: auth.listUsers() }),
    }),
    defineRoute({
      method: 'post', path: '/users', group: 'identity', permission: 'users.manage', body: schema.createUserBody, signs: ['users.create'],
      summary: 'Create a user; a password set here is temporary (changed at first login)', response: { status: 201, description: '{ user, generatedPassword? }' },
      handler: async (ctx) => {
        const signature = signed(ctx, createUserAction);
        const out = await auth.createUser(actorOf(callerOf(ctx)), { ...ctx.body, mustChangePassword: true }, { signature });
        ctx.res.setHeader('Cache-Control', 'no-store');
        return out;
      },
    }),
    defineRoute({
      method: 'get', path: '/users/:id', group: 'identity', permission: 'users.manage', summary: 'One user, by id or user name',
      handler: ({ params }) => ({ user: auth.getUser(idOf(params)) }),
    }),
    defineRoute({
      method: 'patch', path: '/users/:id', group: 'identity', permission: 'users.manage', body: schema.updateUserBody,
      signs: ['users.role.change', 'users.disable', 'users.enable', 'users.update'],
      summary: 'Change a user\'s role, disabled state, name or password age (one signed change per request)',
      handler: (ctx) => {
        const signature = signed(ctx, updateUserAction);
        return { user: auth.updateUser(actorOf(callerOf(ctx)), idOf(ctx.params), ctx.body, { signature }) };
      },
    }),
    defineRoute({
      method: 'post', path: '/users/:id/password', group: 'identity', permission: 'users.manage', body: schema.resetPasswordBody, signs: ['users.password.reset'],
      summary: 'Reset a user\'s password; the user must change it at the next login',
      handler: async (ctx) => {
        const signature = signed(ctx, resetPasswordAction);
        const out = await auth.resetPassword(actorOf(callerOf(ctx)), idOf(ctx.params), { password: ctx.body.password, mustChange: true }, { signature });
        ctx.res.setHeader('Cache-Control', 'no-store');
        return out;
      },
    }),
    defineRoute({
      method: 'post', path: '/users/:id/unlock', group: 'identity', permission: 'users.manage', summary: 'Unlock an account locked by failed logins',
      response: { status: 204, description: 'unlocked' },
      handler: (ctx) => {
        auth.unlockUser(actorOf(callerOf(ctx)), idOf(ctx.params));
        ctx.res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get', path: '/tokens', group: 'identity', permission: 'tokens.manage', query: schema.listTokensQuery,
      summary: 'List API tokens, optionally of one user (id or name); never their secrets',
      handler: ({ query }) => ({ tokens: auth.listTokens(query.user || undefined) }),
    }),
    defineRoute({
      method: 'post', path: '/tokens', group: 'identity', permission: 'tokens.manage', body: schema.createTokenBody,
      summary: 'Create an API token for a user; the secret is shown only in this answer', response: { status: 201, description: '{ token, record }' },
      handler: (ctx) => {
        const b = ctx.body;
        const expiresInMs = b.expiresInDays === undefined ? undefined : b.expiresInDays === null ? null : Math.round(b.expiresInDays * 86_400_000);
        const out = auth.createToken(actorOf(callerOf(ctx)), { user: b.user, name: b.name, scopes: b.scopes, tagPattern: b.tagPattern, expiresInMs });
        ctx.res.setHeader('Cache-Control', 'no-store');
        return out;
      },
    }),
    defineRoute({
      method: 'delete', path: '/tokens/:id', group: 'identity', permission: 'tokens.manage', summary: 'Revoke an API token',
      handler: (ctx) => ({ token: auth.revokeToken(actorOf(callerOf(ctx)), idOf(ctx.params)) }),
    }),
  ];
}
