// A small, strict argument parser: `--flag value`, `--flag=value` and boolean switches.
// Unknown options are errors, so a typo never silently does something else.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Options that take a value. */
  values?: readonly string[];
  /** Options that are switches. */
  switches?: readonly string[];
}

export interface ParsedArgs {
  positional: string[];
  values: Map<string, string>;
  switches: Set<string>;
}

export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const switches = new Set(spec.switches ?? []);
  const out: ParsedArgs = { positional: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { out.positional.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--') || a === '--') { out.positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    if (switches.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      out.switches.add(name);
    } else if (values.has(name)) {
      let v: string | undefined;
      if (eq !== -1) v = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) v = argv[++i];
      if (v === undefined || v === '') throw new UsageError(`--${name} needs a value`);
      if (out.values.has(name)) throw new UsageError(`--${name} given twice`);
      out.values.set(name, v);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return out;
}

export function required(args: ParsedArgs, name: string): string {
  const v = args.values.get(name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function positionals(args: ParsedArgs, names: readonly string[]): string[] {
  if (args.positional.length < names.length) throw new UsageError(`missing ${names.slice(args.positional.length).map((n) => `<${n}>`).join(' ')}`);
  if (args.positional.length > names.length) throw new UsageError(`unexpected argument "${args.positional[names.length]}"`);
  return args.positional;
}
