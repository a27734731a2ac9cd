// The identity and access service: users, passwords, sessions, API tokens and the rules
// tying them together. One instance per process, opened on the data directory; the CLI
// opens its own instance on the same directory (SQLite WAL lets both work at once).
// Every decision that matters to an auditor is emitted as an AuthEvent.
import { bearerToken } from '../http';
import type { DatabaseSync } from 'node:sqlite';
import { patternError } from '../model';
import { ApiTokenStore, hashApiToken, looksLikeApiToken, wellFormedApiToken, type ApiTokenRecord } from './api-token-store';
import { TokenPrincipalCache } from './token-principal-cache';
import { openAuthDb, transaction } from './auth-db';
import { AuthError, unauthenticated } from './errors';
import { SYSTEM_ACTOR, type Actor, type AuthEvent, type AuthEventSink, type ChangeMeta } from './events';
import { loadOrCreateJwtKeys, type JwtKeyOptions } from './jwt-keys';
import { JwtSessions } from './jwt-sessions';
import { DEFAULT_LOCKOUT_POLICY, LoginGuard, type LockoutPolicy } from './login-guard';
import { PasswordHasher, hashScheme, type PasswordHashingOptions } from './password-hasher';
import { StoredHashError } from './password-phc';
import {
  DEFAULT_PASSWORD_POLICY, generatePassword, historyProblem, passwordExpired, passwordProblems, type PasswordPolicy,
} from './password-policy';
import { isPermission, isRole, permissionsOf, type Permission, type Role } from './permissions';
import { actorOf, tagMatcher, type Principal } from './principal';
import { SessionStore } from './session-store';
import { UserStore, type UserRecord } from './user-store';
import { tokenView, userView, type TokenView, type UserView } from './views';

export interface SessionOptions {
  /** Absolute session lifetime (JWT exp). Default 8 hours. */
  ttlMs?: number;
  /** A session unused for this long stops working; null disables. Default 30 minutes. */
  idleTimeoutMs?: number | null;
}

export interface AuthServiceOptions {
  dataDir: string;
  /** Epoch milliseconds; injectable for tests. */
  clock?: () => number;
  /** bcrypt cost of the fallback (Node without crypto.argon2), default 12. Lower values exist only to keep tests fast. */
  bcryptCost?: number;
  /**
   * Argon2id parameters (default OWASP's minimum: 19 MiB, 2 passes), the algorithm
   * (tests only) and where the one-time bcrypt fallback notice is logged.
   */
  passwordHashing?: PasswordHashingOptions;
  passwordPolicy?: Partial<PasswordPolicy>;
  lockout?: Partial<LockoutPolicy>;
  session?: SessionOptions;
  keys?: JwtKeyOptions;
  /** Load (or generate) the JWT keys when opening; false defers it to the first session. Default true. */
  loadKeysNow?: boolean;
  /** JWT `iss`. Default "historian". */
  issuer?: string;
  /** Default lifetime of API tokens created without an explicit expiry; null = never. Default 90 days. */
  tokenDefaultTtlMs?: number | null;
  onEvent?: AuthEventSink;
}

export interface LoginRequest {
  username: string;
  password: string;
  /** Client address, for the per-address limit and the audit trail. */
  address?: string;
  /** Where the login came from ("api", "editor", ...), recorded in events. */
  source?: string;
}

export interface LoginResult {
  token: string;
  /** ISO time at which the session ends at the latest. */
  expiresAt: string;
  mustChangePassword: boolean;
  user: UserView;
}

export interface NewUserRequest {
  username: string;
  name: string;
  role: Role;
  /**
   * Without one a password is generated and returned once. Either way a person's password
   * set by someone else is temporary: it must be changed at first login.
   */
  password?: string;
  maxAgeDays?: number | null;
  /**
   * false only for a person who chose the password themselves (the local command line
   * creating one's own account); an administrator-set password is always temporary.
   */
  mustChangePassword?: boolean;
}

export interface UserChange {
  role?: Role;
  disabled?: boolean;
  name?: string;
  maxAgeDays?: number | null;
}

export interface NewTokenRequest {
  /** Id or user name of the account the token acts as. */
  user: string;
  name?: string;
  scopes: string[];
  tagPattern?: string | null;
  /** Lifetime from now; null = never expires; absent = tokenDefaultTtlMs. */
  expiresInMs?: number | null;
}

/** What a login did to the stored hash, for the login event's detail. */
type HashUpgrade = { passwordRehashed?: { from: string; to: string }; passwordRehashFailed?: { from: string; error: string } };

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const MAX_NAME = 200;
const PRUNE_EVERY_MS = 60_000;
// Last-seen / last-used times are kept to the second: a busy ingest client must not turn
// every request into a database write.
const TOUCH_RESOLUTION_MS = 1000;

export class AuthService {
  readonly db: DatabaseSync;
  readonly policy: PasswordPolicy;
  readonly lockoutPolicy: LockoutPolicy;
  readonly sessionTtlMs: number;
  readonly idleTimeoutMs: number | null;
  readonly hasher: PasswordHasher;
  private readonly users: UserStore;
  private readonly sessions: SessionStore;
  private readonly tokens: ApiTokenStore;
  private readonly tokenPrincipals: TokenPrincipalCache;
  private readonly guard: LoginGuard;
  private readonly jwt: JwtSessions;
  private readonly clock: () => number;
  private readonly tokenDefaultTtlMs: number | null;
  private readonly sinks = new Set<AuthEventSink>();
  private lastPrune = 0;

  static open(opts: AuthServiceOptions): AuthService {
    return new AuthService(opts);
  }

  private constructor(opts: AuthServiceOptions) {
    this.clock = opts.clock ?? Date.now;
    this.hasher = new PasswordHasher({ ...(opts.bcryptCost === undefined ? {} : { bcryptCost: opts.bcryptCost }), ...opts.passwordHashing });
    this.policy = { ...DEFAULT_PASSWORD_POLICY, maxBytes: this.hasher.maxPasswordBytes, ...opts.passwordPolicy };
    if (!(this.policy.maxBytes >= this.policy.minLength && this.policy.maxBytes <= this.hasher.maxPasswordBytes)) {
      throw new Error(`passwordPolicy.maxBytes must be from minLength to ${this.hasher.maxPasswordBytes} (what ${this.hasher.algorithm} takes whole)`);
    }
    this.lockoutPolicy = { ...DEFAULT_LOCKOUT_POLICY, ...opts.lockout };
    this.sessionTtlMs = opts.session?.ttlMs ?? 8 * 3_600_000;
    this.idleTimeoutMs = opts.session?.idleTimeoutMs === undefined ? 30 * 60_000 : opts.session.idleTimeoutMs;
    this.tokenDefaultTtlMs = opts.tokenDefaultTtlMs === undefined ? 90 * 86_400_000 : opts.tokenDefaultTtlMs;
    if (!(this.sessionTtlMs >= 1000)) throw new Error('session.ttlMs must be at least 1000');
    if (this.policy.minLength < 8) throw new Error('passwordPolicy.minLength must be at least 8');
    if (!Number.isInteger(this.policy.historySize) || this.policy.historySize < 1) {
      throw new Error('passwordPolicy.historySize must be an integer ≥ 1');
    }
    this.db = openAuthDb(opts.dataDir);
    this.users = new UserStore(this.db);
    this.sessions = new SessionStore(this.db);
    this.tokens = new ApiTokenStore(this.db);
    this.tokenPrincipals = new TokenPrincipalCache(this.db, TOUCH_RESOLUTION_MS);
    this.guard = new LoginGuard(this.db, this.lockoutPolicy);
    this.jwt = new JwtSessions(() => loadOrCreateJwtKeys(opts.dataDir, opts.keys), opts.issuer ?? 'historian');
    // The server wants a bad key file to fail at start-up, not at the first login.
    if (opts.loadKeysNow !== false) void this.jwt.keys;
    if (opts.onEvent) this.sinks.add(opts.onEvent);
  }

  /** Subscribes to auth events (the audit trail does); returns the unsubscribe function. */
  onEvent(sink: AuthEventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  now(): number {
    return this.clock();
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  // ---- first start -------------------------------------------------------------------

  /**
   * When no enabled administrator exists (first start), creates `admin` (ADMIN). With adminPassword (from
   * HISTORIAN_ADMIN_PASSWORD) it is usable as given; otherwise a generated password is
   * returned, for the caller to print once, and must be changed at first login.
   */
  async ensureAdmin(opts: { adminPassword?: string; name?: string } = {}):
  Promise<{ created: boolean; user: UserView | null; generatedPassword?: string }> {
    // "First start" = nobody can administer yet; users added by the CLI beforehand do not count.
    const exists = () => this.users.countEnabledAdmins() > 0 || this.users.byUsername('admin') !== null;
    if (exists()) return { created: false, user: this.viewOf(this.users.byUsername('admin')) };
    const given = opts.adminPassword !== undefined && opts.adminPassword !== '';
    let password = opts.adminPassword ?? '';
    if (given) {
      const problems = passwordProblems(this.policy, 'admin', password);
      if (problems.length) {
        throw new AuthError('password_policy', `HISTORIAN_ADMIN_PASSWORD is not acceptable: ${problems.join('; ')}`, { problems });
      }
    } else {
      do password = generatePassword(); while (passwordProblems(this.policy, 'admin', password).length);
    }
    const hash = await this.hasher.hash(password);
    const now = this.clock();
    const user = transaction(this.db, () => {
      if (exists()) return null; // another process won the race
      return this.users.insert({
        username: 'admin', name: opts.name ?? 'Administrator', role: 'ADMIN', passwordHash: hash,
        mustChangePassword: !given, maxAgeDays: null,
      }, now);
    });
    if (!user) return { created: false, user: this.viewOf(this.users.byUsername('admin')) };
    this.emit({ type: 'user_created', at: now, actor: SYSTEM_ACTOR, subject: subjectOf(user), after: { role: 'ADMIN' },
      detail: { firstStart: true, generatedPassword: !given } });
    return { created: true, user: this.viewOf(user), ...(given ? {} : { generatedPassword: password }) };
  }

  // ---- login / logout ----------------------------------------------------------------

  async login(req: LoginRequest): Promise<LoginResult> {
    const { user, upgrade } = await this.checkPassword(req, true);
    const at = this.clock();
    const { token, jti, expiresAt } = this.jwt.sign(user, at, this.sessionTtlMs);
    this.sessions.insert(jti, user.id, at, expiresAt);
    const mustChange = this.mustChange(user, at);
    this.emit({ type: 'login', at, actor: actorOfUser(user), subject: subjectOf(user), address: req.address,
      detail: { source: req.source ?? 'api', jti, mustChangePassword: mustChange, ...upgrade } });
    return { token, expiresAt: new Date(expiresAt).toISOString(), mustChangePassword: mustChange, user: userView(user, this.policy.maxAgeDays, mustChange) };
  }

  /**
   * Checks a user name and password with every login rule but issues no session: for
   * front ends with their own sessions (the Node-RED editor). With allowMustChange false,
   * an account whose password must change first is refused (password_change_required).
   */
  async authenticatePassword(req: LoginRequest & { allowMustChange?: boolean }): Promise<UserView> {
    const { user, upgrade } = await this.checkPassword(req, req.allowMustChange ?? true);
    const at = this.clock();
    const mustChange = this.mustChange(user, at);
    this.emit({ type: 'login', at, actor: actorOfUser(user), subject: subjectOf(user), address: req.address,
      detail: { source: req.source ?? 'api', mustChangePassword: mustChange, ...upgrade } });
    return userView(user, this.policy.maxAgeDays, mustChange);
  }

  /** The shared login rules: limits, constant-time check, one answer for unknown user and wrong password. */
  private async checkPassword(req: LoginRequest, allowMustChange: boolean): Promise<{ user: UserRecord; upgrade: HashUpgrade }> {
    const now = this.clock();
    this.maybePrune(now);
    const { username, password, address } = req;
    const source = req.source ?? 'api';
    if (typeof username !== 'string' || username.length === 0 || username.length > 256) {
      throw new AuthError('validation', 'username must be a non-empty string', { field: 'username' });
    }
    if (typeof password !== 'string' || password.length === 0 || password.length > 1024) {
      throw new AuthError('validation', 'password must be a non-empty string', { field: 'password' });
    }
    try {
      this.guard.check(username, address, now);
    } catch (e) {
      this.emit({ type: 'login_failed', at: now, subject: { username }, address, reason: (e as AuthError).code, detail: { source } });
      throw e;
    }
    const user = this.users.byUsername(username);
    const { ok, hashProblem } = await this.verifyUser(user, password);
    const at = this.clock();
    if (!user || !ok || user.disabled) {
      const reason = !user ? 'unknown_user' : hashProblem ? 'unusable_password_hash' : !ok ? 'bad_password' : 'disabled';
      this.failure(username, user, address, at, reason, 'login_failed', { source, ...(hashProblem ? { problem: hashProblem } : {}) });
      throw new AuthError('invalid_credentials', 'invalid user name or password');
    }
    if (user.role === 'SERVICE') {
      this.emit({ type: 'login_failed', at, subject: subjectOf(user), address, reason: 'service_account', detail: { source } });
      throw new AuthError('service_account', 'service accounts authenticate with API tokens, not passwords');
    }
    this.guard.recordSuccess(username, address);
    if (!allowMustChange && this.mustChange(user, at)) {
      this.emit({ type: 'login_failed', at, subject: subjectOf(user), address, reason: 'password_change_required', detail: { source } });
      throw new AuthError('password_change_required', 'the password must be changed first (log in to the dashboard or POST /api/v1/me/password)');
    }
    return { user, upgrade: await this.upgradeHash(user, password) };
  }

  /**
   * The password check of login and signature. Unknown users cost a dummy check of the
   * same algorithm; a stored hash that cannot be used (corrupt, or argon2id on a Node
   * without it) refuses the login with the problem named for the audit trail, after a
   * dummy check so it answers in the same time as a wrong password.
   */
  private async verifyUser(user: UserRecord | null, password: string): Promise<{ ok: boolean; hashProblem?: string }> {
    if (!user) return { ok: await this.hasher.verifyDummy(password) };
    try {
      return { ok: await this.hasher.verify(password, user.passwordHash) };
    } catch (e) {
      if (!(e instanceof StoredHashError)) throw e;
      await this.hasher.verifyDummy(password);
      return { ok: false, hashProblem: e.message };
    }
  }

  /**
   * Re-hashes a just-verified password whose stored hash is bcrypt or weaker than the
   * configured Argon2id, so hashes migrate as people sign in. Only the stored hash
   * changes (not the password's age or history position); a concurrent password change
   * wins. A failure here does not refuse the login: the old hash still works.
   */
  private async upgradeHash(user: UserRecord, password: string): Promise<HashUpgrade> {
    let needed: boolean;
    try { needed = this.hasher.needsRehash(user.passwordHash); } catch { return {}; }
    if (!needed) return {};
    const from = hashScheme(user.passwordHash);
    try {
      const hash = await this.hasher.hash(password);
      if (!transaction(this.db, () => this.users.replaceHash(user.id, user.passwordHash, hash, this.clock()))) return {};
      user.passwordHash = hash;
      return { passwordRehashed: { from, to: this.hasher.describe() } };
    } catch (e) {
      return { passwordRehashFailed: { from, error: (e as Error).message } };
    }
  }

  /** Revokes the principal's session (no-op for API tokens, which are revoked by id). */
  logout(p: Principal, address?: string): void {
    if (p.kind !== 'user' || !p.jti) return;
    const now = this.clock();
    if (this.sessions.revoke(p.jti, now)) {
      this.emit({ type: 'logout', at: now, actor: actorOf(p), subject: { userId: p.userId, username: p.username }, address, detail: { jti: p.jti } });
    }
  }

  /**
   * The caller's own sessions that still work (idle ones included until they expire),
   * newest first; `current` marks the one making the request.
   */
  listOwnSessions(p: Principal): Array<{ id: string; issuedAt: string; lastSeenAt: string; expiresAt: string; current: boolean }> {
    const now = this.clock();
    const idle = this.idleTimeoutMs;
    return this.sessions.liveOf(p.userId, now)
      .filter((r) => idle === null || now - r.lastSeen <= idle)
      .map((r) => ({
        // The JWT id is a bearer secret's identifier, not the secret: a short prefix is enough to tell them apart.
        id: r.jti.slice(0, 8), issuedAt: new Date(r.issuedAt).toISOString(), lastSeenAt: new Date(r.lastSeen).toISOString(),
        expiresAt: new Date(r.expiresAt).toISOString(), current: r.jti === p.jti,
      }));
  }

  /** "Sign out everywhere": revokes the caller's other sessions, and the current one too when asked. Returns how many ended. */
  logoutEverywhere(p: Principal, opts: { includeCurrent?: boolean; address?: string } = {}): number {
    if (p.kind !== 'user') return 0;
    const now = this.clock();
    const keep = opts.includeCurrent ? undefined : p.jti;
    const n = this.sessions.revokeUser(p.userId, now, keep);
    if (n > 0) {
      this.emit({ type: 'logout', at: now, actor: actorOf(p), subject: { userId: p.userId, username: p.username }, address: opts.address,
        detail: { everywhere: true, sessions: n, includeCurrent: !!opts.includeCurrent } });
    }
    return n;
  }

  // ---- authentication of requests ----------------------------------------------------

  /** Parses an Authorization header ("Bearer <jwt | api token>") into a principal. */
  authenticateBearer(header: string | undefined | null): Principal {
    if (header === undefined || header === null || header.trim() === '') {
      throw unauthenticated('missing', 'authentication required: send Authorization: Bearer <token>');
    }
    const token = bearerToken(header);
    if (!token) throw unauthenticated('malformed', 'Authorization header must be "Bearer <token>"');
    return this.authenticateToken(token);
  }

  /** Accepts a bare token: an API token (hst_...) or a session JWT. */
  authenticateToken(token: string): Principal {
    if (typeof token !== 'string' || token.length === 0) throw unauthenticated('missing', 'authentication required');
    const now = this.clock();
    if (looksLikeApiToken(token)) return this.principalOfApiToken(token, now);
    if (token.split('.').length !== 3) throw unauthenticated('malformed', 'token is neither an API token nor a session token');
    const claims = this.jwt.verify(token, now);
    const session = this.sessions.get(claims.jti);
    if (!session || session.revokedAt !== null || session.userId !== claims.sub) {
      throw unauthenticated('revoked', 'session has been revoked; log in again');
    }
    if (this.idleTimeoutMs !== null && now - session.lastSeen > this.idleTimeoutMs) {
      this.sessions.revoke(claims.jti, now);
      throw unauthenticated('idle', 'session ended after inactivity; log in again');
    }
    const user = this.users.byId(claims.sub);
    if (!user) throw unauthenticated('revoked', 'account no longer exists');
    if (user.disabled) throw unauthenticated('disabled', 'account is disabled');
    if (now - session.lastSeen >= TOUCH_RESOLUTION_MS) this.sessions.touch(claims.jti, now);
    const mustChange = this.mustChange(user, now);
    return {
      kind: 'user', userId: user.id, username: user.username, name: user.name, role: user.role,
      permissions: mustChange ? new Set<Permission>() : permissionsOf(user.role),
      jti: claims.jti, expiresAt: session.expiresAt, mustChangePassword: mustChange, allowsTag: () => true,
    };
  }

  private principalOfApiToken(secret: string, now: number): Principal {
    if (!wellFormedApiToken(secret)) throw unauthenticated('malformed', 'malformed API token');
    const hash = hashApiToken(secret);
    const cached = this.tokenPrincipals.get(hash, now);
    if (cached) return cached;
    const rec = this.tokens.byHash(hash);
    if (!rec) throw unauthenticated('unknown_token', 'unknown API token');
    if (rec.revokedAt !== null) throw unauthenticated('revoked', 'API token has been revoked');
    if (rec.expiresAt !== null && rec.expiresAt <= now) throw unauthenticated('expired', 'API token has expired');
    const user = this.users.byId(rec.userId);
    if (!user) throw unauthenticated('revoked', 'API token account no longer exists');
    if (user.disabled) throw unauthenticated('disabled', 'API token account is disabled');
    const touch = rec.lastUsedAt === null || now - rec.lastUsedAt >= TOUCH_RESOLUTION_MS;
    if (touch) this.tokens.touch(rec.id, now);
    const rolePerms = permissionsOf(user.role);
    const permissions = new Set(rec.scopes.filter((s) => rolePerms.has(s)));
    const principal: Principal = {
      kind: 'token', userId: user.id, username: user.username, name: user.name, role: user.role, permissions,
      scopes: rec.scopes, tagPattern: rec.tagPattern, tokenId: rec.id, expiresAt: rec.expiresAt,
      mustChangePassword: false, allowsTag: tagMatcher(rec.tagPattern),
    };
    this.tokenPrincipals.set(hash, principal, touch ? now : rec.lastUsedAt!);
    return principal;
  }

  // ---- passwords ---------------------------------------------------------------------

  /** A user changes their own password (also the first-login and aging flow). */
  async changePassword(p: Principal, currentPassword: string, newPassword: string, address?: string): Promise<UserView> {
    if (p.kind !== 'user') throw new AuthError('forbidden', 'API tokens cannot change passwords');
    const user = this.requireUser(p.userId);
    const now = this.clock();
    this.guard.check(user.username, address, now);
    const current = typeof currentPassword === 'string' ? await this.verifyUser(user, currentPassword) : { ok: false };
    if (!current.ok) {
      const hashProblem = 'hashProblem' in current ? current.hashProblem : undefined;
      this.failure(user.username, user, address, this.clock(), hashProblem ? 'unusable_password_hash' : 'bad_password', 'login_failed',
        { source: 'password_change', ...(hashProblem ? { problem: hashProblem } : {}) });
      throw new AuthError('invalid_credentials', 'current password is wrong');
    }
    await this.checkNewPassword(user, newPassword);
    const hash = await this.hasher.hash(newPassword);
    const at = this.clock();
    this.users.setPassword(user.id, hash, false, this.policy.historySize, at);
    this.sessions.revokeUser(user.id, at, p.jti);
    this.emit({ type: 'password_changed', at, actor: actorOf(p), subject: subjectOf(user), address });
    return this.viewOf(this.requireUser(user.id))!;
  }

  /**
   * Electronic-signature hook (21 CFR 11.200): both identification components again —
   * the user id or user name, and the password. Failures count toward the lockout.
   * With sessionUserId, the signer must be the logged-in user.
   */
  async reauthenticate(userIdOrName: string, password: string, opts: { address?: string; sessionUserId?: string } = {}): Promise<UserView> {
    const now = this.clock();
    if (typeof userIdOrName !== 'string' || userIdOrName === '') {
      throw new AuthError('validation', 'user id or user name is required', { field: 'user' });
    }
    if (typeof password !== 'string' || password === '') {
      throw new AuthError('validation', 'password is required', { field: 'password' });
    }
    const user = this.users.byId(userIdOrName) ?? this.users.byUsername(userIdOrName);
    const username = user?.username ?? userIdOrName;
    // the signed-in user signing is not held by an account-wide lock an attacker may have caused
    this.guard.check(username, opts.address, now, { signedIn: user !== null && opts.sessionUserId === user.id });
    const { ok, hashProblem } = await this.verifyUser(user, password);
    const at = this.clock();
    if (!user || !ok || user.disabled || user.role === 'SERVICE') {
      const reason = !user ? 'unknown_user' : hashProblem ? 'unusable_password_hash' : !ok ? 'bad_password' : user.disabled ? 'disabled' : 'service_account';
      this.failure(username, user, opts.address, at, reason, 'reauth_failed', hashProblem ? { problem: hashProblem } : {});
      throw new AuthError('invalid_credentials', 'invalid user name or password');
    }
    if (opts.sessionUserId !== undefined && opts.sessionUserId !== user.id) {
      this.emit({ type: 'reauth_failed', at, subject: subjectOf(user), address: opts.address, reason: 'not_session_user' });
      throw new AuthError('forbidden', 'a signature must be given by the logged-in user');
    }
    this.guard.recordSuccess(username, opts.address);
    const upgrade = await this.upgradeHash(user, password);
    this.emit({ type: 'reauth', at, actor: actorOfUser(user), subject: subjectOf(user), address: opts.address,
      ...(Object.keys(upgrade).length ? { detail: upgrade } : {}) });
    return this.viewOf(user)!;
  }

  // ---- user administration -----------------------------------------------------------

  listUsers(): UserView[] {
    return this.users.list().map((u) => this.viewOf(u)!);
  }

  /** By id or user name. */
  getUser(ref: string): UserView {
    return this.viewOf(this.resolveUser(ref))!;
  }

  async createUser(actor: Actor, req: NewUserRequest, meta: ChangeMeta = {}): Promise<{ user: UserView; generatedPassword?: string }> {
    const username = validUsername(req.username);
    const name = validName(req.name);
    if (!isRole(req.role)) throw new AuthError('validation', `role must be one of ADMIN, ENGINEER, OPERATOR, AUDITOR, SERVICE`, { field: 'role' });
    const maxAgeDays = validMaxAge(req.maxAgeDays);
    if (this.users.byUsername(username)) throw new AuthError('conflict', `user "${username}" already exists`, { field: 'username' });
    let password = req.password;
    let generated: string | undefined;
    if (password === undefined || password === null) {
      password = generatePassword();
      // Service accounts never log in with a password: theirs stays unknown to everyone.
      if (req.role !== 'SERVICE') generated = password;
    } else {
      const problems = passwordProblems(this.policy, username, password);
      if (problems.length) throw policyError(problems);
    }
    const hash = await this.hasher.hash(password);
    const now = this.clock();
    // Service accounts never sign in with a password, so there is nothing for them to change.
    const mustChange = req.role !== 'SERVICE' && (generated !== undefined || req.mustChangePassword !== false);
    const user = transaction(this.db, () => {
      if (this.users.byUsername(username)) throw new AuthError('conflict', `user "${username}" already exists`, { field: 'username' });
      return this.users.insert({ username, name, role: req.role, passwordHash: hash, mustChangePassword: mustChange, maxAgeDays }, now);
    });
    this.emit({ type: 'user_created', at: now, actor, subject: subjectOf(user), after: { role: user.role, name: user.name },
      detail: { mustChangePassword: mustChange }, signature: meta.signature });
    return { user: this.viewOf(user)!, ...(generated ? { generatedPassword: generated } : {}) };
  }

  /**
   * Changes a user. A role change or a disable ends every session of the user (their open
   * live connections close with them): the rights a session was opened with are gone.
   */
  updateUser(actor: Actor, ref: string, change: UserChange, meta: ChangeMeta = {}): UserView {
    const user = this.resolveUser(ref);
    if (change.role !== undefined && !isRole(change.role)) {
      throw new AuthError('validation', 'role must be one of ADMIN, ENGINEER, OPERATOR, AUDITOR, SERVICE', { field: 'role' });
    }
    if (change.disabled !== undefined && typeof change.disabled !== 'boolean') {
      throw new AuthError('validation', 'disabled must be true or false', { field: 'disabled' });
    }
    const name = change.name === undefined ? undefined : validName(change.name);
    const maxAgeDays = change.maxAgeDays === undefined ? undefined : validMaxAge(change.maxAgeDays);
    const now = this.clock();
    transaction(this.db, () => {
      const cur = this.requireUser(user.id);
      const losesAdmin = cur.role === 'ADMIN' && !cur.disabled &&
        ((change.role !== undefined && change.role !== 'ADMIN') || change.disabled === true);
      if (losesAdmin && this.users.countEnabledAdmins() <= 1) {
        throw new AuthError('last_admin', 'cannot demote or disable the last enabled administrator');
      }
      this.users.update(cur.id, { role: change.role, disabled: change.disabled, name, maxAgeDays }, now);
      if (change.disabled === true || (change.role !== undefined && change.role !== cur.role)) this.sessions.revokeUser(cur.id, now);
    });
    const subject = subjectOf(user);
    const signature = meta.signature;
    if (change.role !== undefined && change.role !== user.role) {
      this.emit({ type: 'user_role_changed', at: now, actor, subject, before: { role: user.role }, after: { role: change.role }, signature });
    }
    if (change.disabled !== undefined && change.disabled !== user.disabled) {
      this.emit({ type: change.disabled ? 'user_disabled' : 'user_enabled', at: now, actor, subject, signature });
    }
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    if (name !== undefined && name !== user.name) { before.name = user.name; after.name = name; }
    if (maxAgeDays !== undefined && maxAgeDays !== user.maxAgeDays) { before.maxAgeDays = user.maxAgeDays; after.maxAgeDays = maxAgeDays; }
    if (Object.keys(after).length > 0) this.emit({ type: 'user_updated', at: now, actor, subject, before, after, signature });
    return this.viewOf(this.requireUser(user.id))!;
  }

  /**
   * An administrator sets a new password (given or generated). The user must change it at
   * the next login unless mustChange is false; all their sessions end and a lockout is lifted.
   */
  async resetPassword(actor: Actor, ref: string, opts: { password?: string; mustChange?: boolean } = {}, meta: ChangeMeta = {}):
  Promise<{ user: UserView; generatedPassword?: string }> {
    const user = this.resolveUser(ref);
    let password = opts.password;
    let generated: string | undefined;
    if (password === undefined) {
      generated = password = generatePassword();
    } else {
      await this.checkNewPassword(user, password);
    }
    const hash = await this.hasher.hash(password);
    const now = this.clock();
    this.users.setPassword(user.id, hash, opts.mustChange ?? true, this.policy.historySize, now);
    this.sessions.revokeUser(user.id, now);
    this.guard.unlock(user.username);
    this.emit({ type: 'password_reset', at: now, actor, subject: subjectOf(user), detail: { generated: generated !== undefined, mustChangePassword: opts.mustChange ?? true }, signature: meta.signature });
    return { user: this.viewOf(this.requireUser(user.id))!, ...(generated ? { generatedPassword: generated } : {}) };
  }

  unlockUser(actor: Actor, ref: string): void {
    const user = this.resolveUser(ref);
    this.guard.unlock(user.username);
    this.emit({ type: 'account_unlocked', at: this.clock(), actor, subject: subjectOf(user) });
  }

  // ---- API tokens --------------------------------------------------------------------

  createToken(actor: Actor, req: NewTokenRequest): { token: string; record: TokenView } {
    const user = this.resolveUser(req.user);
    if (user.disabled) throw new AuthError('validation', `user "${user.username}" is disabled`, { field: 'user' });
    if (!Array.isArray(req.scopes) || req.scopes.length === 0) {
      throw new AuthError('validation', 'scopes must list at least one operation (e.g. ingest, query)', { field: 'scopes' });
    }
    const rolePerms = permissionsOf(user.role);
    const scopes: Permission[] = [];
    for (const s of req.scopes) {
      if (!isPermission(s)) throw new AuthError('validation', `unknown scope "${String(s)}"`, { field: 'scopes' });
      if (!rolePerms.has(s)) {
        throw new AuthError('validation', `scope "${s}" is not granted to role ${user.role} of user "${user.username}"`, { field: 'scopes' });
      }
      if (!scopes.includes(s)) scopes.push(s);
    }
    const tagPattern = req.tagPattern === undefined || req.tagPattern === null || req.tagPattern === '' ? null : req.tagPattern;
    if (tagPattern !== null) {
      const err = patternError(tagPattern);
      if (err) throw new AuthError('validation', `tagPattern: ${err}`, { field: 'tagPattern' });
    }
    const name = req.name === undefined || req.name === '' ? `${user.username} token` : req.name;
    if (typeof name !== 'string' || name.length > MAX_NAME) {
      throw new AuthError('validation', `name must be a string of at most ${MAX_NAME} characters`, { field: 'name' });
    }
    const ttl = req.expiresInMs === undefined ? this.tokenDefaultTtlMs : req.expiresInMs;
    if (ttl !== null && !(Number.isFinite(ttl) && ttl > 0)) {
      throw new AuthError('validation', 'expiresInMs must be a positive number of milliseconds or null', { field: 'expiresInMs' });
    }
    const now = this.clock();
    const { record, secret } = this.tokens.create({
      userId: user.id, name, scopes, tagPattern, createdBy: actor.username, expiresAt: ttl === null ? null : now + ttl,
    }, now);
    this.emit({ type: 'token_created', at: now, actor, subject: subjectOf(user),
      after: { scopes, tagPattern, expiresAt: record.expiresAt }, detail: { tokenId: record.id, prefix: record.prefix } });
    return { token: secret, record: this.tokenViewOf(record) };
  }

  /** All tokens, or those of one user (id or user name). */
  listTokens(userRef?: string): TokenView[] {
    const userId = userRef === undefined ? undefined : this.resolveUser(userRef).id;
    return this.tokens.list(userId).map((t) => this.tokenViewOf(t));
  }

  revokeToken(actor: Actor, id: string): TokenView {
    const rec = this.tokens.byId(id);
    if (!rec) throw new AuthError('not_found', `no API token with id "${id}"`, { field: 'id' });
    const now = this.clock();
    if (this.tokens.revoke(id, now)) {
      const user = this.users.byId(rec.userId);
      this.emit({ type: 'token_revoked', at: now, actor, subject: user ? subjectOf(user) : undefined, detail: { tokenId: id, prefix: rec.prefix } });
    }
    return this.tokenViewOf(this.tokens.byId(id)!);
  }

  // ---- maintenance -------------------------------------------------------------------

  /** Drops expired sessions, old failures and ended lockouts. Runs by itself during logins. */
  prune(): void {
    const now = this.clock();
    this.sessions.prune(now);
    this.guard.prune(now);
    this.lastPrune = now;
  }

  // ---- internals ---------------------------------------------------------------------

  private maybePrune(now: number): void {
    if (now - this.lastPrune >= PRUNE_EVERY_MS) this.prune();
  }

  private failure(username: string, user: UserRecord | null, address: string | undefined, at: number,
    reason: string, type: 'login_failed' | 'reauth_failed', detail: Record<string, unknown>): void {
    const outcome = this.guard.recordFailure(username, address, at);
    const subject = user ? subjectOf(user) : { username };
    this.emit({ type, at, subject, address, reason, detail });
    if (outcome.accountLocked) {
      this.emit({ type: 'account_locked', at, subject, address, detail: { until: new Date(outcome.lockedUntil!).toISOString() } });
    }
    if (outcome.addressBlocked) this.emit({ type: 'address_blocked', at, address, subject });
  }

  private async checkNewPassword(user: UserRecord, password: string): Promise<void> {
    const problems = passwordProblems(this.policy, user.username, password);
    if (problems.length === 0) {
      for (const old of this.users.passwordHistory(user.id, this.policy.historySize)) {
        // an old hash this process cannot read (corrupt, or argon2id on an older Node) cannot match
        const reused = await this.hasher.verify(password, old).catch((e) => { if (e instanceof StoredHashError) return false; throw e; });
        if (reused) { problems.push(historyProblem(this.policy)); break; }
      }
    }
    if (problems.length) throw policyError(problems);
  }

  private mustChange(u: UserRecord, now: number): boolean {
    return u.mustChangePassword || passwordExpired(this.policy, u.passwordChangedAt, u.maxAgeDays, now);
  }

  private viewOf(u: UserRecord | null): UserView | null {
    if (!u) return null;
    const now = this.clock();
    return userView(u, this.policy.maxAgeDays, this.mustChange(u, now), this.guard.lockState(u.username, now));
  }

  private tokenViewOf(t: ApiTokenRecord): TokenView {
    return tokenView(t, this.users.byId(t.userId)?.username ?? '?', this.clock());
  }

  private resolveUser(ref: string): UserRecord {
    if (typeof ref !== 'string' || ref === '') throw new AuthError('validation', 'user id or user name is required', { field: 'user' });
    const u = this.users.byId(ref) ?? this.users.byUsername(ref);
    if (!u) throw new AuthError('not_found', `no user "${ref}"`, { field: 'user' });
    return u;
  }

  private requireUser(id: string): UserRecord {
    const u = this.users.byId(id);
    if (!u) throw new AuthError('not_found', `no user with id "${id}"`, { field: 'user' });
    return u;
  }

  private emit(e: AuthEvent): void {
    for (const sink of this.sinks) {
      try {
        sink(e);
      } catch (err) {
        // A broken subscriber must not turn a login into a 500; it is still reported.
        console.error(`auth event sink failed on ${e.type}:`, err);
      }
    }
  }
}

function subjectOf(u: UserRecord) {
  return { userId: u.id, username: u.username, name: u.name };
}

function actorOfUser(u: UserRecord): Actor {
  return { kind: 'user', userId: u.id, username: u.username, name: u.name, role: u.role };
}

function policyError(problems: string[]): AuthError {
  return new AuthError('password_policy', `password rejected: ${problems.join('; ')}`, { problems, field: 'password' });
}

function validUsername(v: unknown): string {
  if (typeof v !== 'string' || !USERNAME_RE.test(v)) {
    throw new AuthError('validation', 'username must be 1–64 characters: letters, digits, ".", "_", "@", "-", starting with a letter or digit', { field: 'username' });
  }
  return v;
}

function validName(v: unknown): string {
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > MAX_NAME) {
    throw new AuthError('validation', `name (the printed full name) must be 1–${MAX_NAME} characters`, { field: 'name' });
  }
  return v.trim();
}

function validMaxAge(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 3650) {
    throw new AuthError('validation', 'maxAgeDays must be an integer from 1 to 3650, or null', { field: 'maxAgeDays' });
  }
  return v;
}
