// Tag registry: metadata per tag, persisted as one JSON file replaced atomically.
// Tags written to the store are registered automatically with defaults; metadata edits
// are validated field by field so a bad update names what is wrong and changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { compilePattern, patternError, tagError } from '../model';
import type { Clock, Interpolation } from './types';
import { DomainError, writeFileAtomic } from '../platform';

export type ValueType = 'number' | 'boolean';
export type LoggingMode = 'every' | 'on-change' | 'deadband' | 'swinging-door';

export interface TagMeta {
  tag: string;
  description: string;
  unit: string;
  spanLow: number | null;
  spanHigh: number | null;
  valueType: ValueType;
  interpolation: Interpolation;
  /** names of a discrete tag's states, index = value (e.g. ["stopped", "running"]); null = none */
  states?: string[] | null;
  loggingMode: LoggingMode;
  /** deadband / swinging-door compression deviation in engineering units (null = not set) */
  deviation: number | null;
  /** deviation given as percent of span instead (null = not set) */
  deviationPercent: number | null;
  /** longest time between stored samples with on-change/deadband/swinging-door */
  maxIntervalMs: number | null;
  /** per-tag retention; null = the store's */
  retentionMs: number | null;
  createdAt: number;
  updatedAt: number;
}

export type TagMetaPatch = Partial<Omit<TagMeta, 'tag' | 'createdAt' | 'updatedAt'>>;

export class TagMetaError extends DomainError {
  constructor(readonly field: string, message: string) {
    super('invalid', `${field}: ${message}`, { field });
    this.name = 'TagMetaError';
  }
}

const MAX_STATES = 64;

/** Metadata of a tag nobody described; version 2 of the file leaves these out. */
const DEFAULTS = {
  description: '', unit: '', spanLow: null, spanHigh: null, valueType: 'number', interpolation: 'step',
  loggingMode: 'every', deviation: null, deviationPercent: null, maxIntervalMs: null, retentionMs: null,
} as const satisfies Partial<TagMeta>;

/**
 * A tag as written in version 2: fields at their default and an updatedAt equal to
 * createdAt are left out. Most tags are never described, and for slow tags the file was a
 * noticeable part of the store (~290 bytes a tag against ~55).
 */
function compact(t: TagMeta): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (k in DEFAULTS && DEFAULTS[k as keyof typeof DEFAULTS] === v) continue;
    if (k === 'updatedAt' && v === t.createdAt) continue;
    out[k] = v;
  }
  return out;
}
const LOGGING: LoggingMode[] = ['every', 'on-change', 'deadband', 'swinging-door'];

export class TagRegistry {
  private tags = new Map<string, TagMeta>();
  private dirty = false;

  private constructor(readonly file: string, private readonly clock: Clock) {}

  static open(file: string, clock: Clock = Date.now): TagRegistry {
    const r = new TagRegistry(file, clock);
    if (fs.existsSync(file)) {
      // version 1 lists every field; version 2 leaves out those at their default
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; tags: Array<Partial<TagMeta> & { tag: string; createdAt: number }> };
      for (const t of data.tags) r.tags.set(t.tag, { ...DEFAULTS, ...t, updatedAt: t.updatedAt ?? t.createdAt });
    }
    return r;
  }

  get size(): number { return this.tags.size; }

  get(tag: string): TagMeta | undefined { return this.tags.get(tag); }

  has(tag: string): boolean { return this.tags.has(tag); }

  /** Registers a tag with default metadata if it is new. */
  ensure(tag: string): void {
    if (this.tags.has(tag)) return;
    const now = this.clock();
    this.tags.set(tag, { tag, ...DEFAULTS, createdAt: now, updatedAt: now });
    this.dirty = true;
  }

  /** Validates and applies a metadata change; creates the tag if needed. */
  update(tag: string, patch: TagMetaPatch): TagMeta {
    const err = tagError(tag);
    if (err) throw new TagMetaError('tag', err);
    if (patch === null || typeof patch !== 'object') throw new TagMetaError('metadata', 'must be an object');
    const clean = validatePatch(patch);
    this.ensure(tag);
    const next = { ...this.tags.get(tag)!, ...clean, updatedAt: this.clock() };
    if (next.spanLow !== null && next.spanHigh !== null && next.spanLow >= next.spanHigh) throw new TagMetaError('spanHigh', 'must be greater than spanLow');
    this.tags.set(tag, next);
    this.dirty = true;
    this.save();
    return next;
  }

  /** Tags matching a NATS-style pattern (`*` one segment, `>` the rest), sorted. */
  search(pattern = '>', limit = Infinity): TagMeta[] {
    const err = patternError(pattern);
    if (err) throw new TagMetaError('pattern', err);
    const match = compilePattern(pattern);
    const out: TagMeta[] = [];
    for (const t of this.tags.values()) if (match(t.tag)) out.push(t);
    out.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    return out.length > limit ? out.slice(0, limit) : out;
  }

  all(): IterableIterator<TagMeta> { return this.tags.values(); }

  /** Writes the file if anything changed (atomic replace). */
  save(): void {
    if (!this.dirty) return;
    writeFileAtomic(this.file, JSON.stringify({ version: 2, tags: [...this.tags.values()].map(compact) }), { mkdir: true });
    this.dirty = false;
  }
}

function validatePatch(p: Record<string, unknown>): TagMetaPatch {
  const out: Record<string, unknown> = {};
  const str = (k: string, max: number) => {
    if (p[k] === undefined) return;
    if (typeof p[k] !== 'string' || (p[k] as string).length > max) throw new TagMetaError(k, `must be a string of at most ${max} characters`);
    out[k] = p[k];
  };
  const num = (k: string, positive = false) => {
    if (p[k] === undefined) return;
    if (p[k] === null) { out[k] = null; return; }
    if (typeof p[k] !== 'number' || !Number.isFinite(p[k]) || (positive && (p[k] as number) <= 0)) {
      throw new TagMetaError(k, positive ? 'must be a positive number or null' : 'must be a finite number or null');
    }
    out[k] = p[k];
  };
  const oneOf = (k: string, vals: readonly string[]) => {
    if (p[k] === undefined) return;
    if (!vals.includes(p[k] as string)) throw new TagMetaError(k, `must be one of ${vals.join(', ')}`);
    out[k] = p[k];
  };
  const known = new Set(['states', 'description', 'unit', 'spanLow', 'spanHigh', 'valueType', 'interpolation', 'loggingMode', 'deviation', 'deviationPercent', 'maxIntervalMs', 'retentionMs']);
  for (const k of Object.keys(p)) if (!known.has(k)) throw new TagMetaError(k, 'is not a tag metadata field');
  str('description', 1000); str('unit', 50);
  num('spanLow'); num('spanHigh'); num('deviation'); num('deviationPercent'); num('maxIntervalMs', true); num('retentionMs', true);
  if (p.states !== undefined) {
    const v = p.states;
    if (v !== null && (!Array.isArray(v) || v.length > MAX_STATES || v.some((n) => typeof n !== 'string' || n.length > 50))) {
      throw new TagMetaError('states', `must be null or a list of at most ${MAX_STATES} names of at most 50 characters`);
    }
    out.states = v === null || (v as string[]).length === 0 ? null : v;
  }
  oneOf('valueType', ['number', 'boolean']); oneOf('interpolation', ['step', 'linear']); oneOf('loggingMode', LOGGING);
  return out as TagMetaPatch;
}
