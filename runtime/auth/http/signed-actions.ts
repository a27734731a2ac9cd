// Which signature-worthy action a user-administration request is, and on which target, so
// the e-signature guard can demand the right signing token (428 otherwise). The target is
// the audit entry's (`user:<username>`): the trail binds the signature to the entry of the
// action it was given for. A PATCH changes one signed thing at a time — role, disabled, or
// name / password age — and a PATCH that changes nothing needs no signature.
import type { Request } from 'express';
import type { AuthService } from '../auth-service';
import { AuthError } from '../errors';
import { createUserBody, resetPasswordBody, updateUserBody } from './schemas';

export interface SignedAction {
  action: string;
  target: string | null;
}

export type SignedActionOf = (auth: AuthService, req: Request) => SignedAction | null;

const userTarget = (username: string) => `user:${username}`;

/** The user a route's :id names, or null (the handler answers 404). */
function userOf(auth: AuthService, req: Request): { username: string; role: string; disabled: boolean; name: string; maxAgeDays: number | null } | null {
  const id = req.params.id;
  if (typeof id !== 'string' || id === '') return null;
  try {
    return auth.getUser(id);
  } catch (e) {
    if (e instanceof AuthError) return null;
    throw e;
  }
}

/** POST /users: users.create on the new account. A body the handler will refuse (400) is not signed. */
export const createUserAction: SignedActionOf = (_auth, req) => {
  const b = createUserBody.safeParse(req.body ?? {});
  return b.success ? { action: 'users.create', target: userTarget(b.data.username) } : null;
};

/** POST /users/:id/password: users.password.reset. */
export const resetPasswordAction: SignedActionOf = (auth, req) => {
  if (!resetPasswordBody.safeParse(req.body ?? {}).success) return null;
  const u = userOf(auth, req);
  return u ? { action: 'users.password.reset', target: userTarget(u.username) } : null;
};

/** PATCH /users/:id: users.role.change, users.disable, users.enable or users.update — one per request. */
export const updateUserAction: SignedActionOf = (auth, req) => {
  const b = updateUserBody.safeParse(req.body ?? {});
  if (!b.success) return null;
  const u = userOf(auth, req);
  if (!u) return null;
  const actions = new Set<string>();
  if (b.data.role !== undefined && b.data.role !== u.role) actions.add('users.role.change');
  if (b.data.disabled !== undefined && b.data.disabled !== u.disabled) actions.add(b.data.disabled ? 'users.disable' : 'users.enable');
  if ((b.data.name !== undefined && b.data.name.trim() !== u.name) || (b.data.maxAgeDays !== undefined && b.data.maxAgeDays !== u.maxAgeDays)) actions.add('users.update');
  if (actions.size > 1) {
    throw new AuthError('validation', `one change per request: a signature covers one action (this request is ${[...actions].join(' + ')}); send role, disabled, and name/maxAgeDays separately`, { field: 'body' });
  }
  const [action] = actions;
  return action ? { action, target: userTarget(u.username) } : null;
};
