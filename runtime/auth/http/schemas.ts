// Request bodies of the auth routes. Strict objects: a misspelt field is an error, not a
// silently ignored one.
import { z } from 'zod';
import { ROLES } from '../permissions';

export const loginBody = z.strictObject({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});
export type LoginBody = z.infer<typeof loginBody>;

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});

export const createUserBody = z.strictObject({
  username: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  role: z.enum(ROLES),
  password: z.string().min(1).max(1024).optional(),
  maxAgeDays: z.number().int().min(1).max(3650).nullable().optional(),
});

export const updateUserBody = z.strictObject({
  role: z.enum(ROLES).optional(),
  disabled: z.boolean().optional(),
  name: z.string().min(1).max(200).optional(),
  maxAgeDays: z.number().int().min(1).max(3650).nullable().optional(),
}).refine((b) => Object.keys(b).length > 0, { message: 'give at least one of role, disabled, name, maxAgeDays' });

export const resetPasswordBody = z.strictObject({
  password: z.string().min(1).max(1024).optional(),
  /** Accepted for clarity; an administrator-set password is always temporary. */
  mustChange: z.boolean().optional().refine((v) => v !== false, {
    message: 'a password set by an administrator is temporary: the user must change it at the next sign-in (mustChange cannot be false)',
  }),
});

export const createTokenBody = z.strictObject({
  /** Id or user name of the account the token acts as. */
  user: z.string().min(1).max(256),
  name: z.string().min(1).max(200).optional(),
  scopes: z.array(z.string().min(1)).min(1),
  tagPattern: z.string().min(1).max(255).nullable().optional(),
  /** Lifetime in days (fractions allowed); null = never expires; absent = the default (90 days). */
  expiresInDays: z.number().positive().max(36500).nullable().optional(),
});

export const listTokensQuery = z.object({
  /** Id or user name: only this user's tokens. */
  user: z.string().max(256).optional(),
});
