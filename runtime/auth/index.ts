// Identity and access: users, roles, passwords, sessions (RS256 JWT), API tokens. The
// express-facing pieces are in ./http.
export * from './auth-service';
export * from './errors';
export * from './events';
export * from './permissions';
export * from './principal';
export * from './views';
export { DEFAULT_PASSWORD_POLICY, passwordProblems, type PasswordPolicy } from './password-policy';
export { DEFAULT_LOCKOUT_POLICY, type LockoutPolicy } from './login-guard';
export { DEFAULT_ARGON2, DEFAULT_BCRYPT_COST, argon2Available, owaspArgon2Problem, type PasswordHashingOptions } from './password-hasher';
export type { JwtKeyOptions } from './jwt-keys';
export { adminAuthFor } from './http/admin-auth';
export { authenticateUpgrade } from './http/credentials';
export { authRoutes } from './http/routes';
export { authenticatorFor } from './http/credentials';
