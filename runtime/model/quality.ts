// OPC UA-style sample quality. Stored as a 16-bit code: the top two bits carry the
// major class (GOOD / UNCERTAIN / BAD) so "worst of" is a numeric comparison of the
// class, the low bits name the sub-status. Codes are part of the on-disk format:
// never renumber, only append.

export type QualityClass = 'GOOD' | 'UNCERTAIN' | 'BAD';

const CLASS_BITS: Record<QualityClass, number> = { GOOD: 0x0000, UNCERTAIN: 0x4000, BAD: 0x8000 };

/** Known qualities and their stored codes. */
export const QUALITY_CODES: Readonly<Record<string, number>> = Object.freeze({
  GOOD: 0x0000,
  GOOD_LOCAL_OVERRIDE: 0x0001,
  UNCERTAIN: 0x4000,
  UNCERTAIN_OOR: 0x4001, // engineering units exceeded (out of range)
  UNCERTAIN_LAST_USABLE: 0x4002,
  UNCERTAIN_SENSOR_CAL: 0x4003,
  UNCERTAIN_SUBNORMAL: 0x4004,
  UNCERTAIN_STALE: 0x4005,
  BAD: 0x8000,
  BAD_NOT_CONNECTED: 0x8001,
  BAD_SENSOR_FAILURE: 0x8002,
  BAD_COMM_FAILURE: 0x8003,
  BAD_OUT_OF_SERVICE: 0x8004,
  BAD_CONFIG_ERROR: 0x8005,
  BAD_DEVICE_FAILURE: 0x8006,
  BAD_NO_DATA: 0x8007,
});

const NAMES = new Map<number, string>(Object.entries(QUALITY_CODES).map(([k, v]) => [v, k]));

export const GOOD = 0;

export function qualityCode(name: string): number {
  const code = QUALITY_CODES[name];
  if (code === undefined) throw new Error(`unknown quality "${name}"`);
  return code;
}

/** Name of a code; unknown codes keep their class so old readers still classify new data. */
export function qualityName(code: number): string {
  return NAMES.get(code) ?? `${qualityClassOf(code)}_0x${code.toString(16).padStart(4, '0')}`;
}

export function qualityClassOf(code: number): QualityClass {
  if (code & 0x8000) return 'BAD';
  if (code & 0x4000) return 'UNCERTAIN';
  return 'GOOD';
}

export function isQualityName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(QUALITY_CODES, name);
}

/** A code of a known quality. */
export function isQualityCode(code: number): boolean {
  return NAMES.has(code);
}

/** Severity rank: GOOD 0 < UNCERTAIN 1 < BAD 2. */
export function qualityRank(code: number): number {
  return code & 0x8000 ? 2 : code & 0x4000 ? 1 : 0;
}

/** The worse of two qualities; on equal class the first one wins (keeps its sub-status). */
export function worstQuality(a: number, b: number): number {
  return qualityRank(b) > qualityRank(a) ? b : a;
}

export function classCode(c: QualityClass): number {
  return CLASS_BITS[c];
}
