// The caller's own account beyond /me and /me/password (runtime/auth/http): the sessions
// that still work, and "sign out everywhere".
import { z } from 'zod';
import type { AuthService } from '../../auth';
import { defineRoute, HttpError, type RouteDef } from '../api/route';

export function accountRoutes(auth: AuthService): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/password-policy', group: 'identity', permission: 'authenticated',
      summary: 'The password rules, for forms to show before the first attempt',
      response: { description: '{ minLength, maxBytes, historySize, maxAgeDays, rules: [text] }' },
      handler: () => {
        const p = auth.policy;
        return {
          minLength: p.minLength, maxBytes: p.maxBytes, historySize: p.historySize, maxAgeDays: p.maxAgeDays,
          rules: [
            `at least ${p.minLength} characters (a passphrase of several words is fine; no symbols required)`,
            `at most ${p.maxBytes} bytes`,
            'not the user name, and not containing it',
            'not one character repeated',
            `not one of your last ${p.historySize} passwords`,
            ...(p.maxAgeDays ? [`must be changed every ${p.maxAgeDays} days`] : []),
          ],
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/me/sessions', group: 'identity', permission: 'authenticated',
      summary: 'My sessions that still work (issued, last seen, expiry; the calling one marked current)',
      response: { description: '{ sessions: [{ id, issuedAt, lastSeenAt, expiresAt, current }] }' },
      handler: ({ principal }) => {
        if (principal!.kind !== 'user') throw new HttpError(400, 'bad_request', 'token: API tokens have no sessions; sign in with a password');
        return { sessions: auth.listOwnSessions(principal!) };
      },
    }),
    defineRoute({
      method: 'post', path: '/me/sessions/revoke', group: 'identity', permission: 'authenticated',
      summary: 'Sign out everywhere: ends my other sessions (and this one with includeCurrent: true)',
      body: z.strictObject({ includeCurrent: z.boolean().optional() }).optional(),
      response: { description: '{ revoked }' },
      handler: ({ principal, body, req }) => {
        if (principal!.kind !== 'user') throw new HttpError(400, 'bad_request', 'token: API tokens have no sessions; revoke the token instead');
        return { revoked: auth.logoutEverywhere(principal!, { includeCurrent: body?.includeCurrent ?? false, address: req.ip }) };
      },
    }),
  ];
}
