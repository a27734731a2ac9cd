// OPC UA StatusCode → historian quality. The top two bits of a StatusCode give the
// severity (00 Good, 01 Uncertain, 10/11 Bad); the upper 16 bits name the sub-status;
// the low 16 bits (info type, limit and overflow bits) do not change the quality. Known
// sub-statuses map to our sub-codes, every other code keeps its class.
import { QUALITY_CODES } from '../../model';

/** Sub-status (StatusCode & 0xFFFF0000) → quality name. Codes from OPC UA Part 4 / Part 6. */
export const STATUS_QUALITY: ReadonlyArray<[name: string, code: number, quality: string]> = [
  ['Good', 0x00000000, 'GOOD'],
  ['GoodLocalOverride', 0x00960000, 'GOOD_LOCAL_OVERRIDE'],
  ['UncertainEngineeringUnitsExceeded', 0x40940000, 'UNCERTAIN_OOR'],
  ['UncertainLastUsableValue', 0x40900000, 'UNCERTAIN_LAST_USABLE'],
  ['UncertainNoCommunicationLastUsableValue', 0x408f0000, 'UNCERTAIN_LAST_USABLE'],
  ['UncertainSensorNotAccurate', 0x40930000, 'UNCERTAIN_SENSOR_CAL'],
  ['UncertainSensorCalibration', 0x420a0000, 'UNCERTAIN_SENSOR_CAL'],
  ['UncertainSubNormal', 0x40950000, 'UNCERTAIN_SUBNORMAL'],
  ['BadNotConnected', 0x808a0000, 'BAD_NOT_CONNECTED'],
  ['BadServerNotConnected', 0x800d0000, 'BAD_NOT_CONNECTED'],
  ['BadConnectionClosed', 0x80ae0000, 'BAD_NOT_CONNECTED'],
  ['BadSecureChannelClosed', 0x80860000, 'BAD_NOT_CONNECTED'],
  ['BadSessionClosed', 0x80260000, 'BAD_NOT_CONNECTED'],
  ['BadSensorFailure', 0x808c0000, 'BAD_SENSOR_FAILURE'],
  ['BadDeviceFailure', 0x808b0000, 'BAD_DEVICE_FAILURE'],
  ['BadOutOfService', 0x808d0000, 'BAD_OUT_OF_SERVICE'],
  ['BadCommunicationError', 0x80050000, 'BAD_COMM_FAILURE'],
  ['BadNoCommunication', 0x80310000, 'BAD_COMM_FAILURE'],
  ['BadTimeout', 0x800a0000, 'BAD_COMM_FAILURE'],
  ['BadConfigurationError', 0x80890000, 'BAD_CONFIG_ERROR'],
  ['BadNodeIdUnknown', 0x80340000, 'BAD_CONFIG_ERROR'],
  ['BadNodeIdInvalid', 0x80330000, 'BAD_CONFIG_ERROR'],
  ['BadWaitingForInitialData', 0x80320000, 'BAD_NO_DATA'],
  ['BadNoData', 0x809b0000, 'BAD_NO_DATA'],
];

const BY_CODE = new Map(STATUS_QUALITY.map(([, code, q]) => [code, QUALITY_CODES[q]]));

/** Quality code for a 32-bit OPC UA StatusCode. */
export function statusToQuality(status: number): number {
  const s = status >>> 0;
  const known = BY_CODE.get((s & 0xffff0000) >>> 0);
  if (known !== undefined) return known;
  const severity = s >>> 30;
  return severity === 0 ? QUALITY_CODES.GOOD : severity === 1 ? QUALITY_CODES.UNCERTAIN : QUALITY_CODES.BAD;
}

/**
 * Reads a StatusCode as it appears in messages: a number, a node-opcua StatusCode object
 * (`.value`), its JSON form `{value}`, or a name such as "BadSensorFailure".
 */
export function statusValue(s: unknown): number | undefined {
  if (s === undefined || s === null) return undefined;
  if (typeof s === 'number' && Number.isInteger(s)) return s >>> 0;
  if (typeof s === 'object') {
    const v = (s as { value?: unknown; _value?: unknown }).value ?? (s as { _value?: unknown })._value;
    if (typeof v === 'number') return v >>> 0;
    const name = (s as { name?: unknown }).name;
    if (typeof name === 'string') return statusValue(name);
  }
  if (typeof s === 'string') {
    const hit = STATUS_QUALITY.find(([n]) => n === s);
    if (hit) return hit[1];
    if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16) >>> 0;
    if (/^(Good|Uncertain|Bad)/.test(s)) return s.startsWith('Good') ? 0 : s.startsWith('Uncertain') ? 0x40000000 : 0x80000000;
  }
  return undefined;
}
