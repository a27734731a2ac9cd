// What an event frame is (ARCHITECTURE.md §2): a template, a name, a start and an end, its
// attributes, an optional parent and the tags it concerns. Frames are records: the store
// keeps them durably, changes by hand go through the audit trail.
import { DomainError } from '../platform';

/** Attribute values are scalars so they can be indexed and compared. */
export type AttributeValue = string | number | boolean | null;
export type Attributes = Record<string, AttributeValue>;
export type AttributeUnits = Record<string, string>;

export interface Frame {
  id: string;
  template: string;
  name: string;
  /** epoch ms */
  start: number;
  /** epoch ms; null while the frame is open */
  end: number | null;
  parent: string | null;
  tags: string[];
  attributes: Attributes;
  /** unit of each attribute captured from a tag that has one (`{flowBefore: "m3/h"}`), as the tag had it then */
  units: AttributeUnits;
  /** what opened it: `<node id>/<definition>`, `api`, or a message source; used to resume open frames after a restart */
  source: string;
  /** who closed it when it was closed by hand (user name), else null */
  closedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewFrame {
  template: string;
  name: string;
  start: number;
  end?: number | null;
  parent?: string | null;
  tags?: readonly string[];
  attributes?: Attributes;
  units?: AttributeUnits;
  source?: string;
}

export interface FrameQuery {
  /** frames overlapping [from, to) */
  from?: number;
  to?: number;
  template?: string;
  /** every entry must match exactly (text form of the value) */
  attributes?: Record<string, string>;
  /** full-text search over name, template and attribute values (words, prefix with `*`) */
  text?: string;
  parent?: string;
  /** only open (true) or only closed (false) frames */
  open?: boolean;
  limit?: number;
  /** newest start first (default) or oldest first */
  order?: 'desc' | 'asc';
}

export const TEMPLATE_RE = /^[A-Za-z0-9_.-]{1,64}$/;
export const ATTRIBUTE_KEY_RE = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_ATTRIBUTES = 64;
export const MAX_ATTRIBUTE_TEXT = 1000;
export const MAX_NAME = 200;
export const MAX_FRAME_TAGS = 200;
/** as long as a tag's unit may be */
export const MAX_UNIT = 50;

export class FrameError extends DomainError {
  constructor(readonly field: string, message: string, readonly code: 'bad_request' | 'not_found' | 'conflict' = 'bad_request') {
    super(code === 'bad_request' ? 'invalid' : code, `${field}: ${message}`, { field });
    this.name = 'FrameError';
  }
}

/** Checks attribute units (each of an attribute the frame has, a unit of 1-50 characters); throws naming the entry. */
export function checkUnits(u: unknown, attributes: Attributes, field = 'units'): AttributeUnits {
  if (u === undefined || u === null) return {};
  if (typeof u !== 'object' || Array.isArray(u)) throw new FrameError(field, 'must be an object of attribute name: unit');
  const entries = Object.entries(u as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) throw new FrameError(field, `at most ${MAX_ATTRIBUTES} units`);
  const out: AttributeUnits = {};
  for (const [k, v] of entries) {
    if (!ATTRIBUTE_KEY_RE.test(k)) throw new FrameError(`${field}.${k}`, 'name must be 1-64 of [A-Za-z0-9_.-]');
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_UNIT) throw new FrameError(`${field}.${k}`, `must be a unit of 1-${MAX_UNIT} characters`);
    if (!Object.hasOwn(attributes, k)) throw new FrameError(`${field}.${k}`, `the frame has no attribute "${k}"`);
    out[k] = v;
  }
  return out;
}

/** Text form of an attribute value, as indexed and matched by attribute filters. */
export function attributeText(v: AttributeValue): string {
  return v === null ? '' : typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
}

/** Checks attributes (keys, scalar values, sizes); throws naming the attribute. */
export function checkAttributes(a: unknown, field = 'attributes'): Attributes {
  if (a === undefined || a === null) return {};
  if (typeof a !== 'object' || Array.isArray(a)) throw new FrameError(field, 'must be an object of name: value');
  const out: Attributes = {};
  const entries = Object.entries(a as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) throw new FrameError(field, `at most ${MAX_ATTRIBUTES} attributes`);
  for (const [k, v] of entries) {
    if (!ATTRIBUTE_KEY_RE.test(k)) throw new FrameError(`${field}.${k}`, 'name must be 1-64 of [A-Za-z0-9_.-]');
    if (typeof v === 'number' && !Number.isFinite(v)) throw new FrameError(`${field}.${k}`, 'must be a finite number');
    if (typeof v === 'string' && v.length > MAX_ATTRIBUTE_TEXT) throw new FrameError(`${field}.${k}`, `at most ${MAX_ATTRIBUTE_TEXT} characters`);
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new FrameError(`${field}.${k}`, 'must be a string, number, boolean or null');
    out[k] = v as AttributeValue;
  }
  return out;
}
