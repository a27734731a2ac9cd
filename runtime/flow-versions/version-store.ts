// Flow versions: every deploy's full flow configuration (credentials removed) kept as one
// file in <dataDir>/flow-versions, numbered 1, 2, 3 … in deploy order, the newest `keep`
// retained. Each file carries its metadata (who, when, signature, change summary) on its
// first line and the flows on the second, with the SHA-256 of the second line in the
// first: a damaged or edited file is reported as corrupt, never served or restored.
// Format: FORMAT-flow-versions.md.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../platform';
import type { SignatureManifestation } from '../audit';
import { FlowVersionError } from './errors';
import { nodesOf, withoutCredentials, type FlowNode } from './flow-nodes';
import { missingTypes, missingTypesMessage } from './restorable';
import { diffVersions, type VersionDiff } from './version-diff';

export const VERSION_FORMAT = 'historian-flow-version/1';
export const DEFAULT_KEEP = 100;
const FILE = /^v(\d{6,})\.json$/;

export interface VersionAuthor {
  username: string;
  name: string | null;
  role: string | null;
}

export interface VersionSummary {
  added: number;
  changed: number;
  removed: number;
  /** Nodes in the version (tabs and config nodes included). */
  total: number;
}

export interface VersionHeader {
  format: typeof VERSION_FORMAT;
  version: number;
  /** ISO 8601 UTC time of the deploy. */
  at: string;
  user: VersionAuthor | null;
  /** Node-RED's deployment type (full, nodes, flows), or "api" for a change made through the HTTP API. */
  deploymentType: string;
  signature: SignatureManifestation | null;
  /** The version this deploy restored, when it was a restore. */
  restoredFrom: number | null;
  /** Against the version before it. */
  summary: VersionSummary;
  /** SHA-256 (hex) of the flows line, as stored. */
  sha256: string;
}

/** One row of the list: the header, or what is wrong with a file that cannot be read. */
export type VersionListing = (VersionHeader & { corrupt?: undefined }) | { version: number; corrupt: string };

export interface FlowVersion extends VersionHeader {
  flows: FlowNode[];
}

export interface RecordInput {
  flows: unknown;
  user: VersionAuthor | null;
  deploymentType: string;
  signature?: SignatureManifestation | null;
  restoredFrom?: number | null;
  at?: Date;
}

export interface FlowVersionStoreOptions {
  dir: string;
  /** How many versions to keep (at least 1); older ones are deleted after each new one. */
  keep?: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const fileName = (v: number) => `v${String(v).padStart(6, '0')}.json`;

export class FlowVersionStore {
  readonly dir: string;
  readonly keep: number;

  constructor(opts: FlowVersionStoreOptions) {
    const keep = opts.keep ?? DEFAULT_KEEP;
    if (!Number.isInteger(keep) || keep < 1) throw new FlowVersionError('invalid', `flowVersions.keep: must be an integer of at least 1 (got ${String(opts.keep)})`);
    this.dir = opts.dir;
    this.keep = keep;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  static forDataDir(dataDir: string, keep?: number): FlowVersionStore {
    return new FlowVersionStore({ dir: join(dataDir, 'flow-versions'), keep });
  }

  /** Version numbers on disk, oldest first. */
  numbers(): number[] {
    return readdirSync(this.dir).map((f) => FILE.exec(f)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  latestNumber(): number | null {
    const all = this.numbers();
    return all.length ? all[all.length - 1] : null;
  }

  /** Stores a deployed configuration as the next version and applies retention. */
  record(input: RecordInput): VersionHeader {
    const flows = withoutCredentials(nodesOf(input.flows));
    const last = this.latestNumber();
    let previous: FlowNode[] = [];
    if (last !== null) {
      try { previous = this.get(last).flows; } catch { previous = []; }
    }
    const d = diffVersions(previous, flows);
    const flowsLine = JSON.stringify(flows);
    const header: VersionHeader = {
      format: VERSION_FORMAT,
      version: (last ?? 0) + 1,
      at: (input.at ?? new Date()).toISOString(),
      user: input.user,
      deploymentType: input.deploymentType,
      signature: input.signature ?? null,
      restoredFrom: input.restoredFrom ?? null,
      summary: { added: d.counts.added, changed: d.counts.changed, removed: d.counts.removed, total: flows.length },
      sha256: sha256(flowsLine),
    };
    writeFileAtomic(join(this.dir, fileName(header.version)), `${JSON.stringify(header)}\n${flowsLine}\n`);
    this.applyRetention();
    return header;
  }

  private applyRetention(): void {
    const all = this.numbers();
    for (const v of all.slice(0, Math.max(0, all.length - this.keep))) {
      try { unlinkSync(join(this.dir, fileName(v))); } catch { /* gone already */ }
    }
  }

  /** Reads and checks one version; throws not_found or corrupt. */
  get(version: number): FlowVersion {
    let text: string;
    try {
      text = readFileSync(join(this.dir, fileName(version)), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        const have = this.numbers();
        const range = have.length ? ` (kept: ${have[0]}–${have[have.length - 1]})` : ' (none stored yet)';
        throw new FlowVersionError('not_found', `version ${version} is not stored${range}`);
      }
      throw e;
    }
    return parseVersionFile(version, text);
  }

  /** Every stored version, newest first; unreadable files listed with what is wrong. */
  list(): VersionListing[] {
    return this.numbers().reverse().map((v) => {
      try {
        const { flows: _f, ...header } = this.get(v);
        return header;
      } catch (e) {
        if (e instanceof FlowVersionError && e.code === 'corrupt') return { version: v, corrupt: e.message };
        throw e;
      }
    });
  }

  diff(from: number, to: number): VersionDiff & { from: number; to: number } {
    return { from, to, ...diffVersions(this.get(from).flows, this.get(to).flows) };
  }

  /**
   * The flows of a version to deploy again, after checking that every node type it uses is
   * installed (`not_restorable` naming the types and nodes otherwise).
   */
  restorable(version: number, isInstalled: (type: string) => boolean): FlowVersion {
    const v = this.get(version);
    const missing = missingTypes(v.flows, isInstalled);
    if (missing.length > 0) throw new FlowVersionError('not_restorable', missingTypesMessage(version, missing), { missingTypes: missing });
    return v;
  }
}

function corrupt(version: number, why: string): FlowVersionError {
  return new FlowVersionError('corrupt', `version ${version} is corrupt (${why}); it cannot be shown or restored`);
}

export function parseVersionFile(version: number, text: string): FlowVersion {
  const nl = text.indexOf('\n');
  if (nl < 0) throw corrupt(version, 'truncated: no flows line');
  let header: VersionHeader;
  try {
    header = JSON.parse(text.slice(0, nl)) as VersionHeader;
  } catch {
    throw corrupt(version, 'header is not JSON');
  }
  if (!header || typeof header !== 'object' || header.format !== VERSION_FORMAT) throw corrupt(version, `unknown format ${JSON.stringify((header as { format?: unknown } | null)?.format ?? null)}`);
  if (header.version !== version) throw corrupt(version, `header names version ${String(header.version)}`);
  const rest = text.slice(nl + 1);
  const flowsLine = rest.endsWith('\n') ? rest.slice(0, -1) : rest;
  if (sha256(flowsLine) !== header.sha256) throw corrupt(version, 'flows do not match their SHA-256');
  let flows: unknown;
  try {
    flows = JSON.parse(flowsLine);
  } catch {
    throw corrupt(version, 'flows are not JSON');
  }
  if (!Array.isArray(flows)) throw corrupt(version, 'flows are not a list');
  return { ...header, flows: nodesOf(flows) };
}
