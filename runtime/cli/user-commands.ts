import type { AuthService } from '../auth';
import type { Actor } from '../auth';
import { isRole } from '../auth';
import { UsageError, parseArgs, positionals, required } from './args';
import { promptNewPassword, readStdinPassword, type Io } from './password-input';
import { table } from './table';

const ROLE_HINT = 'ADMIN, ENGINEER, OPERATOR, AUDITOR or SERVICE';

function role(v: string): 'ADMIN' | 'ENGINEER' | 'OPERATOR' | 'AUDITOR' | 'SERVICE' {
  const r = v.toUpperCase();
  if (!isRole(r)) throw new UsageError(`role must be ${ROLE_HINT} (got "${v}")`);
  return r;
}

export async function userCommand(auth: AuthService, actor: Actor, argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  const out = (s: string) => io.stdout.write(s + '\n');
  switch (sub) {
    case 'add': {
      const a = parseArgs(rest, { values: ['role', 'name', 'max-age-days'], switches: ['password-stdin', 'temporary'] });
      const [username] = positionals(a, ['username']);
      const r = role(required(a, 'role'));
      const name = required(a, 'name');
      const maxAge = a.values.get('max-age-days');
      if (maxAge !== undefined && !/^\d+$/.test(maxAge)) throw new UsageError('--max-age-days must be a whole number of days');
      const password = a.switches.has('password-stdin') ? await readStdinPassword(io.stdin) : undefined;
      const { user, generatedPassword } = await auth.createUser(actor, {
        username, name, role: r, password, maxAgeDays: maxAge === undefined ? null : Number(maxAge),
        // the host's own operator may set a final password here; --temporary makes it change at first login
        mustChangePassword: a.switches.has('temporary'),
      });
      out(`created ${user.role} user "${user.username}" (${user.name}), id ${user.id}`);
      if (generatedPassword) {
        out(`generated password (shown once; must be changed at first login): ${generatedPassword}`);
      }
      return;
    }
    case 'passwd': {
      const a = parseArgs(rest, { switches: ['password-stdin', 'generate', 'temporary'] });
      const [username] = positionals(a, ['username']);
      if (a.switches.has('password-stdin') && a.switches.has('generate')) throw new UsageError('give --password-stdin or --generate, not both');
      const generate = a.switches.has('generate');
      auth.getUser(username); // fail on an unknown user before prompting
      const password = generate ? undefined
        : a.switches.has('password-stdin') ? await readStdinPassword(io.stdin) : await promptNewPassword(io);
      const { user, generatedPassword } = await auth.resetPassword(actor, username, {
        password, mustChange: generate || a.switches.has('temporary'),
      });
      out(`password of "${user.username}" changed${user.mustChangePassword ? '; it must be changed at the next login' : ''}`);
      if (generatedPassword) out(`generated password (shown once): ${generatedPassword}`);
      return;
    }
    case 'disable':
    case 'enable': {
      const [username] = positionals(parseArgs(rest, {}), ['username']);
      const user = auth.updateUser(actor, username, { disabled: sub === 'disable' });
      out(`user "${user.username}" ${sub}d`);
      return;
    }
    case 'unlock': {
      const [username] = positionals(parseArgs(rest, {}), ['username']);
      auth.unlockUser(actor, username);
      out(`user "${username}" unlocked`);
      return;
    }
    case 'role': {
      const [username, r] = positionals(parseArgs(rest, {}), ['username', 'role']);
      const user = auth.updateUser(actor, username, { role: role(r) });
      out(`user "${user.username}" is now ${user.role}`);
      return;
    }
    case 'list': {
      const a = parseArgs(rest, { switches: ['json'] });
      positionals(a, []);
      const users = auth.listUsers();
      if (a.switches.has('json')) { out(JSON.stringify(users, null, 2)); return; }
      out(table(['USERNAME', 'ROLE', 'NAME', 'STATUS', 'PASSWORD CHANGED'], users.map((u) => [
        u.username, u.role, u.name,
        u.disabled ? 'disabled' : u.mustChangePassword ? 'must change password' : 'active',
        u.passwordChangedAt,
      ])));
      return;
    }
    case undefined:
      throw new UsageError('missing user sub-command (add, passwd, disable, enable, unlock, role, list)');
    default:
      throw new UsageError(`unknown user sub-command "${sub}" (add, passwd, disable, enable, unlock, role, list)`);
  }
}
