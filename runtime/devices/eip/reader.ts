// Executes one planned request and decodes the values of each tag it carries. A CIP error
// for one tag (unknown tag, index out of range) is that tag's result; the other replies of
// the same Multiple Service Packet still count.
import { CipError, decodeValue, multipleServiceRequest, parseMultipleServiceReply, readTagFragmentedRequest, SERVICE, STATUS, typeOfCode, typeSize, type MrResponse } from './cip';
import type { EipConnection } from './connection';
import type { PlannedRead, ReadRequestPlan } from './planner';

export type ReadResult = { read: PlannedRead; values: number[] } | { read: PlannedRead; error: CipError };

/** Decodes a Read Tag reply body: type code (structures carry a 2-byte handle) then the data. */
function decodeReadData(read: PlannedRead, data: Buffer): number[] {
  const code = data.readUInt16LE(0);
  if (code === 0x02a0) throw new CipError(STATUS.GENERAL_ERROR, [0x2107], `${read.tag.address}: is a structure; address one of its members`);
  const type = typeOfCode(code);
  if (!type) throw new CipError(STATUS.GENERAL_ERROR, [0x2107], `${read.tag.address}: unsupported data type 0x${code.toString(16)}`);
  // The controller knows the tag's type; a table that says otherwise is decoded by the controller's word.
  const size = typeSize(type);
  const body = data.subarray(2);
  const n = Math.min(read.tag.elements, Math.floor(body.length / size));
  if (n < read.tag.elements) throw new CipError(STATUS.NOT_ENOUGH_DATA, [], `${read.tag.address}: reply holds ${n} of ${read.tag.elements} elements`);
  return Array.from({ length: n }, (_, i) => decodeValue(body, i * size, type));
}

function resultOf(read: PlannedRead, r: MrResponse): ReadResult {
  if (r.status !== STATUS.SUCCESS) return { read, error: new CipError(r.status, r.extended, read.tag.address) };
  try {
    return { read, values: decodeReadData(read, r.data) };
  } catch (e) {
    if (e instanceof CipError) return { read, error: e };
    throw e;
  }
}

async function readFragmented(conn: EipConnection, read: PlannedRead): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let typeHead: Buffer | null = null;
  let offset = 0;
  for (;;) {
    const r = await conn.request(readTagFragmentedRequest(read.path, read.tag.elements, offset));
    if (r.status !== STATUS.SUCCESS && r.status !== STATUS.PARTIAL_TRANSFER) return { read, error: new CipError(r.status, r.extended, read.tag.address) };
    if (r.data.length < 2) return { read, error: new CipError(STATUS.NOT_ENOUGH_DATA, [], read.tag.address) };
    const headLen = r.data.readUInt16LE(0) === 0x02a0 ? 4 : 2;
    typeHead ??= r.data.subarray(0, headLen);
    const chunk = r.data.subarray(headLen);
    chunks.push(chunk);
    offset += chunk.length;
    if (r.status === STATUS.SUCCESS) break;
    if (chunk.length === 0) return { read, error: new CipError(STATUS.PARTIAL_TRANSFER, [], `${read.tag.address}: fragment without data`) };
  }
  return resultOf(read, { service: SERVICE.READ_TAG_FRAGMENTED | 0x80, status: 0, extended: [], data: Buffer.concat([typeHead!, ...chunks]) });
}

export async function executeReadPlan(conn: EipConnection, plan: ReadRequestPlan): Promise<ReadResult[]> {
  if (plan.kind === 'fragmented') return [await readFragmented(conn, plan.reads[0])];
  if (plan.kind === 'single') {
    const read = plan.reads[0];
    const r = await conn.request(read.request);
    // A controller with a smaller buffer than planned answers "partial": fetch the rest.
    if (r.status === STATUS.PARTIAL_TRANSFER) return [await readFragmented(conn, read)];
    return [resultOf(read, r)];
  }
  const r = await conn.request(multipleServiceRequest(plan.reads.map((x) => x.request)));
  if (r.status !== STATUS.SUCCESS && r.status !== STATUS.EMBEDDED_SERVICE_ERROR) {
    // The packet as a whole was refused (e.g. service not supported): every tag gets that error.
    return plan.reads.map((read) => ({ read, error: new CipError(r.status, r.extended, `Multiple Service Packet for ${read.tag.address}`) }));
  }
  const replies = parseMultipleServiceReply(r.data, plan.reads.length);
  return Promise.all(plan.reads.map((read, i) => replies[i].status === STATUS.PARTIAL_TRANSFER ? readFragmented(conn, read) : resultOf(read, replies[i])));
}
