import type { AuthService } from '../auth';
import type { Actor } from '../auth';
import { UsageError, parseArgs, positionals, required } from './args';
import { parseDuration } from './duration';
import type { Io } from './password-input';
import { table } from './table';

export async function tokenCommand(auth: AuthService, actor: Actor, argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  const out = (s: string) => io.stdout.write(s + '\n');
  switch (sub) {
    case 'create': {
      const a = parseArgs(rest, { values: ['user', 'scopes', 'tags', 'expires', 'name'] });
      positionals(a, []);
      const scopes = required(a, 'scopes').split(',').map((s) => s.trim()).filter(Boolean);
      if (scopes.length === 0) throw new UsageError('--scopes must list at least one operation, e.g. ingest,query');
      const expires = a.values.get('expires');
      const { token, record } = auth.createToken(actor, {
        user: required(a, 'user'), scopes, tagPattern: a.values.get('tags') ?? null, name: a.values.get('name'),
        expiresInMs: expires === undefined ? undefined : parseDuration(expires, 'expires'),
      });
      // The secret alone on stdout, so `TOKEN=$(historian token create ...)` works.
      out(token);
      io.stderr.write(`token ${record.id} for "${record.username}": scopes ${record.scopes.join(',')}` +
        `, tags ${record.tagPattern ?? 'all'}, expires ${record.expiresAt ?? 'never'}. It is shown only this once.\n`);
      return;
    }
    case 'list': {
      const a = parseArgs(rest, { values: ['user'], switches: ['json'] });
      positionals(a, []);
      const tokens = auth.listTokens(a.values.get('user'));
      if (a.switches.has('json')) { out(JSON.stringify(tokens, null, 2)); return; }
      out(table(['ID', 'USER', 'NAME', 'PREFIX', 'SCOPES', 'TAGS', 'STATUS', 'EXPIRES', 'LAST USED'], tokens.map((t) => [
        t.id, t.username, t.name, t.prefix, t.scopes.join(','), t.tagPattern ?? '*', t.status, t.expiresAt ?? 'never', t.lastUsedAt ?? '-',
      ])));
      return;
    }
    case 'revoke': {
      const [id] = positionals(parseArgs(rest, {}), ['id']);
      const t = auth.revokeToken(actor, id);
      out(`token ${t.id} (${t.prefix}…, user "${t.username}") revoked`);
      return;
    }
    case undefined:
      throw new UsageError('missing token sub-command (create, list, revoke)');
    default:
      throw new UsageError(`unknown token sub-command "${sub}" (create, list, revoke)`);
  }
}
