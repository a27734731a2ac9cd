// Alarm definitions as they arrive from flows, validated once at configure time so the
// evaluator can trust every field. One definition is one ISA-18.2 alarm (one state):
// an analog point with HI and HIHI limits is two definitions, each with its own
// setpoint, deadband and priority.
import { z } from 'zod';
import { tagError } from '../model';
import { DomainError } from '../platform';

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const ALARM_TYPES = ['HI', 'HIHI', 'LO', 'LOLO', 'DEVIATION', 'ROC', 'DISCRETE', 'BAD_QUALITY'] as const;
export type AlarmType = (typeof ALARM_TYPES)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const tag = z.string().superRefine((v, ctx) => {
  const err = tagError(v);
  if (err) ctx.addIssue({ code: 'custom', message: err });
});
const ms = (max: number) => z.number().int().min(0).max(max);
const discreteValue = z.union([z.number(), z.boolean()]).transform((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));

const common = {
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be 1–200 characters of [A-Za-z0-9_.:-]'),
  tag,
  priority: z.enum(PRIORITIES).default('medium'),
  /** operator-facing text and the rationalization record (ISA-18.2 §10) */
  message: z.string().max(500).default(''),
  consequence: z.string().max(2000).default(''),
  correctiveAction: z.string().max(2000).default(''),
  onDelayMs: ms(DAY).default(0),
  offDelayMs: ms(DAY).default(0),
  /** C → B again when still active this long after acknowledgement; 0 = never */
  reAlarmMs: ms(30 * DAY).default(0),
  latching: z.boolean().default(false),
  /** longest allowed timed shelve */
  maxShelveMs: z.number().int().min(1).max(30 * DAY).default(8 * HOUR),
  /** suppression by design: suppressed while `tag` equals `equals` (default: any non-zero value) */
  suppressWhen: z.strictObject({ tag, equals: discreteValue.optional() }).optional(),
};

const limit = (type: 'HI' | 'HIHI' | 'LO' | 'LOLO') =>
  z.strictObject({ ...common, type: z.literal(type), setpoint: z.number(), deadband: z.number().min(0).default(0) });

const deviation = z.strictObject({
  ...common,
  type: z.literal('DEVIATION'),
  setpointTag: tag,
  /** alarm when |value − setpoint| ≥ limit (or one-sided, see direction) */
  limit: z.number().positive(),
  deadband: z.number().min(0).default(0),
  direction: z.enum(['both', 'high', 'low']).default('both'),
});

const rateOfChange = z.strictObject({
  ...common,
  type: z.literal('ROC'),
  /** engineering units per second */
  ratePerSecond: z.number().positive(),
  windowMs: z.number().int().min(1).max(DAY).default(10_000),
  deadband: z.number().min(0).default(0),
  direction: z.enum(['both', 'rising', 'falling']).default('both'),
});

const discrete = z.strictObject({
  ...common,
  type: z.literal('DISCRETE'),
  equals: discreteValue.optional(),
  notEquals: discreteValue.optional(),
});

const badQuality = z.strictObject({
  ...common,
  type: z.literal('BAD_QUALITY'),
  includeUncertain: z.boolean().default(false),
});

const schema = z
  .discriminatedUnion('type', [limit('HI'), limit('HIHI'), limit('LO'), limit('LOLO'), deviation, rateOfChange, discrete, badQuality])
  .superRefine((d, ctx) => {
    if (d.type === 'DISCRETE' && (d.equals === undefined) === (d.notEquals === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['equals'], message: 'exactly one of equals / notEquals is required' });
    }
    if (d.type === 'DEVIATION' && d.deadband >= d.limit) {
      ctx.addIssue({ code: 'custom', path: ['deadband'], message: 'must be smaller than limit, or the alarm could never clear' });
    }
    if (d.type === 'ROC' && d.deadband >= d.ratePerSecond) {
      ctx.addIssue({ code: 'custom', path: ['deadband'], message: 'must be smaller than ratePerSecond, or the alarm could never clear' });
    }
  });

export type AlarmDefinition = z.output<typeof schema>;
export type AlarmDefinitionInput = z.input<typeof schema>;
export type LimitDefinition = Extract<AlarmDefinition, { type: 'HI' | 'HIHI' | 'LO' | 'LOLO' }>;

export class AlarmDefinitionError extends DomainError {
  constructor(readonly field: string, message: string, readonly index?: number) {
    super('invalid', index === undefined ? `${field}: ${message}` : `[${index}].${field}: ${message}`, { field });
    this.name = 'AlarmDefinitionError';
  }
}

/** Validates one definition; throws AlarmDefinitionError naming the first bad field. */
export function parseDefinition(input: unknown, index?: number): AlarmDefinition {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AlarmDefinitionError('definition', 'must be an object', index);
  }
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    throw new AlarmDefinitionError([...issue.path.map(String), issue.keys[0]].join('.'), 'is not a known field', index);
  }
  const field = issue.path.length ? issue.path.map(String).join('.') : 'type';
  const message = issue.path.length === 0 && issue.code === 'invalid_union'
    ? `must be one of ${ALARM_TYPES.join(', ')}`
    : issue.message;
  throw new AlarmDefinitionError(field, message, index);
}

/** Validates a group's definitions; ids must be unique within it. */
export function parseDefinitions(inputs: readonly unknown[]): AlarmDefinition[] {
  if (!Array.isArray(inputs)) throw new AlarmDefinitionError('definitions', 'must be an array');
  const seen = new Set<string>();
  return inputs.map((input, i) => {
    const def = parseDefinition(input, i);
    if (seen.has(def.id)) throw new AlarmDefinitionError('id', `duplicate alarm id "${def.id}"`, i);
    seen.add(def.id);
    return def;
  });
}

/** The limit an alarm compares against, for the journal (null when it has none). */
export function staticLimit(def: AlarmDefinition): number | null {
  switch (def.type) {
    case 'HI': case 'HIHI': case 'LO': case 'LOLO': return def.setpoint;
    case 'DEVIATION': return def.limit;
    case 'ROC': return def.ratePerSecond;
    case 'DISCRETE': return (def.equals ?? def.notEquals) as number;
    case 'BAD_QUALITY': return null;
  }
}
