// `historian` command line: user and token administration on the data directory, for
// headless gateways; fleet configuration; trying a backup archive. Exit codes: 0 done, 1 refused (policy, not found...), 2 usage error.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { AuthService, DEFAULT_ARGON2, owaspArgon2Problem, type PasswordHashingOptions } from '../auth';
import { isAuthError } from '../auth';
import type { Actor } from '../auth';
import { UsageError } from './args';
import type { Io } from './password-input';
import { tokenCommand } from './token-commands';
import { fleetCommand } from './fleet-commands';
import { backupCommand } from './backup-commands';
import { USAGE } from './usage';
import { userCommand } from './user-commands';

function cliActor(): Actor {
  let who = 'unknown';
  try { who = userInfo().username; } catch { /* no passwd entry in some containers */ }
  return { kind: 'cli', username: `cli:${who}` };
}

/** Splits the global --data-dir option from the command. */
function globalOptions(argv: string[], env: NodeJS.ProcessEnv): { dataDir: string; rest: string[]; help: boolean } {
  let dataDir = env.HISTORIAN_DATA_DIR || './data';
  const rest: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--data-dir') {
      if (i + 1 >= argv.length) throw new UsageError('--data-dir needs a value');
      dataDir = argv[++i];
    } else if (a.startsWith('--data-dir=')) {
      dataDir = a.slice('--data-dir='.length);
    } else if (a === '--help' || a === '-h' || (rest.length === 0 && a === 'help')) {
      help = true;
    } else {
      rest.push(a);
    }
  }
  return { dataDir: resolve(dataDir), rest, help };
}

function bcryptCost(env: NodeJS.ProcessEnv): number | undefined {
  const v = env.HISTORIAN_BCRYPT_COST;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  // Only raising is allowed here: a lower cost is a test-only option of the library.
  if (!Number.isInteger(n) || n < 12 || n > 31) throw new UsageError(`HISTORIAN_BCRYPT_COST must be an integer from 12 to 31 (got "${v}")`);
  return n;
}

/** A positive integer from the environment, or undefined when unset; the error names the variable. */
function intVar(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max} (got "${v}")`);
  return n;
}

/** The same password hashing as the server (settings.js reads the same variables). */
function passwordHashing(env: NodeJS.ProcessEnv, io: Io): PasswordHashingOptions {
  const argon2MemoryKiB = intVar(env, 'HISTORIAN_ARGON2_MEMORY_KIB', 7168, 1_048_576) ?? DEFAULT_ARGON2.memoryKiB;
  const argon2Passes = intVar(env, 'HISTORIAN_ARGON2_PASSES', 1, 100) ?? DEFAULT_ARGON2.passes;
  const weak = owaspArgon2Problem(argon2MemoryKiB, argon2Passes);
  if (weak) throw new UsageError(`HISTORIAN_ARGON2_MEMORY_KIB / HISTORIAN_ARGON2_PASSES: ${weak}`);
  return { argon2MemoryKiB, argon2Passes, log: (line) => io.stderr.write(`${line}\n`) };
}

export async function run(argv: string[], io: Io = process, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let auth: AuthService | null = null;
  try {
    const { dataDir, rest, help } = globalOptions(argv, env);
    const [group, ...args] = rest;
    if (help || group === undefined) {
      (help ? io.stdout : io.stderr).write(USAGE);
      return help ? 0 : 2;
    }
    if (group === 'fleet') { fleetCommand(args, io); return 0; }
    if (group === 'backup') return await backupCommand(args, io);
    if (group !== 'user' && group !== 'token') throw new UsageError(`unknown command "${group}" (user, token, fleet, backup)`);
    auth = AuthService.open({ dataDir, bcryptCost: bcryptCost(env), passwordHashing: passwordHashing(env, io), loadKeysNow: false });
    if (group === 'user') await userCommand(auth, cliActor(), args, io);
    else await tokenCommand(auth, cliActor(), args, io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`historian: ${e.message}\nRun "historian --help" for usage.\n`);
      return 2;
    }
    if (isAuthError(e)) {
      const problems = e.details.problems && e.details.problems.length > 1 ? `\n  - ${e.details.problems.join('\n  - ')}` : '';
      io.stderr.write(`historian: ${e.message}${problems}\n`);
      return 1;
    }
    io.stderr.write(`historian: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    auth?.close();
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
