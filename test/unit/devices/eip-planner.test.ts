// Packing of Logix reads into Multiple Service Packets: whatever the tag names, types and
// array lengths, every read is planned exactly once, no request or reply exceeds the packet
// size, and packing beats one request per tag whenever two reads fit together.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CIP_TYPE_NAMES, encodeTagPath, readReplySize, multipleServiceRequest, typeSize, type CipType } from '../../../runtime/devices/eip/cip';
import { planEipReads } from '../../../runtime/devices/eip/planner';
import type { EipTag } from '../../../runtime/devices/eip/tag-table';

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/);
const address = fc.tuple(fc.option(name, { nil: undefined }), fc.array(fc.tuple(name, fc.option(fc.nat({ max: 70000 }), { nil: undefined })), { minLength: 1, maxLength: 3 }))
  .map(([prog, parts]) => (prog ? `Program:${prog}.` : '') + parts.map(([n, i]) => (i === undefined ? n : `${n}[${i}]`)).join('.'));
const tagArb = fc.record({ address, type: fc.constantFrom(...CIP_TYPE_NAMES), elements: fc.integer({ min: 1, max: 600 }) });

describe('eip read planner', () => {
  it('plans every read once within the packet size, for any table', () => {
    fc.assert(fc.property(fc.array(tagArb, { minLength: 1, maxLength: 120, size: 'max' }), fc.integer({ min: 200, max: 4002 }), (rows, maxPacket) => {
      const tags: EipTag[] = rows.map((r, i) => ({ tag: `t.x${i}`, group: 'g', address: r.address, type: r.type as CipType, elements: r.elements, scale: 1, offset: 0, deadband: 0 }));
      const plans = planEipReads(tags, { maxPacket });
      const planned = plans.flatMap((p) => p.reads.map((r) => r.tag.tag)).sort();
      expect(planned).toEqual(tags.map((t) => t.tag).sort());
      for (const p of plans) {
        if (p.kind === 'fragmented') {
          expect(p.reads[0].replyBytes).toBeGreaterThan(maxPacket);
          continue;
        }
        const req = p.kind === 'multiple' ? multipleServiceRequest(p.reads.map((r) => r.request)).length : p.reads[0].request.length;
        const rep = p.kind === 'multiple' ? 6 + p.reads.reduce((a, r) => a + r.replyBytes + 2, 0) : p.reads[0].replyBytes;
        expect(req).toBeLessThanOrEqual(maxPacket);
        expect(rep).toBeLessThanOrEqual(maxPacket);
      }
    }), { numRuns: 300 });
  });

  it('100 REAL tags with short names take 3 requests at 504 bytes (request-bound), 1 at 4002', () => {
    const tags: EipTag[] = Array.from({ length: 100 }, (_, i) => ({ tag: `t.r${i}`, group: 'g', address: `R${i}`, type: 'real', elements: 1, scale: 1, offset: 0, deadband: 0 }));
    // each read: 2 + path (2 + name padded) + 2 bytes, + 2 for its offset entry
    const cost = tags.map((t) => 2 + encodeTagPath(t.address).length + 2 + 2);
    expect(planEipReads(tags, { maxPacket: 504 })).toHaveLength(Math.ceil(cost.reduce((a, b) => a + b, 0) / (504 - 8)));
    expect(planEipReads(tags, { maxPacket: 4002 })).toHaveLength(1);
    expect(planEipReads(tags, { maxPacket: 504, coalesce: false })).toHaveLength(100);
    expect(readReplySize('real', 1)).toBe(4 + 2 + typeSize('real'));
  });

  it('tag names: program scope is one symbol, indices become member segments', () => {
    // 0x91 len "Program:Main" (12, even: no pad) | 0x91 1 "A" pad | member 0x28 index 2
    expect(encodeTagPath('Program:Main.A[2]').toString('hex')).toBe('910c50726f6772616d3a4d61696e' + '91014100' + '2802');
    // two dimensions: 8-bit and 16-bit member segments
    expect(encodeTagPath('M[1,300]').toString('hex')).toBe('91014d00' + '2801' + '29002c01');
    expect(() => encodeTagPath('A..B')).toThrow(/not a Logix tag name/);
    expect(() => encodeTagPath('Word.5')).toThrow(/not a Logix tag name/);
  });
});
