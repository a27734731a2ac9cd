// Tag metadata carried by flow messages: a source that knows its units and spans (a
// simulator, an OPC UA browse, a tag table) hands them to historian-write, which registers
// them. Two forms:
//   - one sample: msg.unit, msg.description, msg.spanLow, msg.spanHigh, msg.valueType,
//     msg.interpolation, msg.states next to msg.topic / msg.payload;
//   - any message: msg.tagMeta = { "<tag>": { unit, description, ... }, ... }.
// Only fields that differ from the registry are written, so sending metadata on every
// message costs a comparison, not a file write.
import type { TagMeta, TagMetaPatch, TagRegistry } from './tag-registry';
import { TagMetaError } from './tag-registry';

export const MESSAGE_META_FIELDS = ['description', 'unit', 'spanLow', 'spanHigh', 'valueType', 'interpolation', 'states'] as const;

export interface MessageMetaResult {
  /** tags whose metadata changed */
  updated: string[];
  /** problems, each naming the message field */
  errors: string[];
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return a === b;
}

function changedPart(current: TagMeta | undefined, patch: Record<string, unknown>): TagMetaPatch {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (!current || !same((current as unknown as Record<string, unknown>)[k], v)) out[k] = v;
  }
  return out as TagMetaPatch;
}

/** The metadata patches a message carries, by tag (empty when it carries none). */
export function metadataOfMessage(msg: Record<string, unknown>): { patches: Map<string, Record<string, unknown>>; errors: string[] } {
  const patches = new Map<string, Record<string, unknown>>();
  const errors: string[] = [];
  if (typeof msg.topic === 'string' && !Array.isArray(msg.payload)) {
    const p: Record<string, unknown> = {};
    for (const f of MESSAGE_META_FIELDS) if (msg[f] !== undefined) p[f] = msg[f];
    if (Object.keys(p).length) patches.set(msg.topic, p);
  }
  const tm = msg.tagMeta;
  if (tm !== undefined) {
    if (tm === null || typeof tm !== 'object' || Array.isArray(tm)) errors.push('msg.tagMeta: must be an object of tag → metadata');
    else {
      for (const [tag, p] of Object.entries(tm as Record<string, unknown>)) {
        if (p === null || typeof p !== 'object' || Array.isArray(p)) { errors.push(`msg.tagMeta["${tag}"]: must be an object`); continue; }
        patches.set(tag, { ...(patches.get(tag) ?? {}), ...(p as Record<string, unknown>) });
      }
    }
  }
  return { patches, errors };
}

/** Registers what differs; a bad field is reported (naming it) and that tag left unchanged. */
export function applyMessageMeta(registry: TagRegistry, msg: Record<string, unknown>): MessageMetaResult {
  const { patches, errors } = metadataOfMessage(msg);
  const updated: string[] = [];
  for (const [tag, patch] of patches) {
    const change = changedPart(registry.get(tag), patch);
    if (!Object.keys(change).length) continue;
    try {
      registry.update(tag, change);
      updated.push(tag);
    } catch (e) {
      const field = e instanceof TagMetaError ? e.message : (e as Error).message;
      errors.push(`metadata of ${tag}: ${field}`);
    }
  }
  return { updated, errors };
}
