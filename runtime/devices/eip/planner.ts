// Read planning: the reads of one poll group packed into as few requests as the
// connection size allows. Several Read Tag requests travel in one Multiple Service Packet
// as long as both the request and the reply fit `maxPacket` bytes; a read whose reply
// alone does not fit is done with Read Tag Fragmented. Packing is first-fit by decreasing
// reply size, which stays within one request of the optimum for these sizes.
import { encodeTagPath, readReplySize, readTagRequest } from './cip';
import type { EipTag } from './tag-table';

export interface PlannedRead {
  tag: EipTag;
  path: Buffer;
  request: Buffer;
  replyBytes: number;
}

export type ReadRequestPlan =
  | { kind: 'single'; reads: [PlannedRead] }
  | { kind: 'multiple'; reads: PlannedRead[] }
  | { kind: 'fragmented'; reads: [PlannedRead] };

export interface EipPlanOptions {
  maxPacket: number;
  /** false: one request per tag (no Multiple Service Packet), for devices that lack it and for comparison */
  coalesce?: boolean;
}

// Multiple Service Packet framing: service, path size, 4-byte path to the Message Router, count.
const MSP_REQUEST_HEAD = 2 + 4 + 2;
// reply header (service, reserved, status, ext size) + count
const MSP_REPLY_HEAD = 4 + 2;

export function planEipReads(tags: EipTag[], o: EipPlanOptions): ReadRequestPlan[] {
  const reads: PlannedRead[] = tags.map((tag) => {
    const path = encodeTagPath(tag.address);
    return { tag, path, request: readTagRequest(path, tag.elements), replyBytes: readReplySize(tag.type, tag.elements) };
  });
  const plans: ReadRequestPlan[] = [];
  const packable: PlannedRead[] = [];
  for (const r of reads) {
    if (r.replyBytes > o.maxPacket) plans.push({ kind: 'fragmented', reads: [r] });
    else if (o.coalesce === false) plans.push({ kind: 'single', reads: [r] });
    else packable.push(r);
  }
  const bins: Array<{ reads: PlannedRead[]; req: number; rep: number }> = [];
  for (const r of [...packable].sort((a, b) => b.replyBytes - a.replyBytes)) {
    const reqCost = r.request.length + 2; // + its offset entry
    const repCost = r.replyBytes + 2;
    const bin = bins.find((b) => b.req + reqCost <= o.maxPacket && b.rep + repCost <= o.maxPacket);
    if (bin) { bin.reads.push(r); bin.req += reqCost; bin.rep += repCost; }
    else bins.push({ reads: [r], req: MSP_REQUEST_HEAD + reqCost, rep: MSP_REPLY_HEAD + repCost });
  }
  for (const b of bins) plans.push(b.reads.length === 1 ? { kind: 'single', reads: [b.reads[0]] } : { kind: 'multiple', reads: b.reads });
  return plans;
}
