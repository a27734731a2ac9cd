// Coalescing: the tags of one poll group become the fewest read requests. Per register
// table, spans sorted by address are merged greedily while the merged read stays within
// the protocol limit (125 registers / 2000 bits per request) and the hole between two
// spans is at most `maxGap` (0 = only adjacent or overlapping registers; a gap reads
// registers nobody asked for, which some devices refuse). Greedy merging in address order
// is optimal for this interval-cover problem.
import { isBitKind, widthOf, type RegisterKind } from './datatypes';
import type { ModbusTag } from './tag-table';

export const MAX_REGISTERS_PER_READ = 125;
export const MAX_BITS_PER_READ = 2000;

export interface ReadPlan {
  register: RegisterKind;
  address: number;
  count: number;
  /** tags decoded from this read, each with its offset into the response */
  items: Array<{ tag: ModbusTag; offset: number }>;
}

export interface PlanOptions {
  maxGap?: number;
  maxRegisters?: number;
  maxBits?: number;
}

export function planReads(tags: ModbusTag[], o: PlanOptions = {}): ReadPlan[] {
  const maxGap = o.maxGap ?? 0;
  const plans: ReadPlan[] = [];
  const kinds: RegisterKind[] = ['coil', 'discrete', 'input', 'holding'];
  for (const kind of kinds) {
    const limit = isBitKind(kind) ? (o.maxBits ?? MAX_BITS_PER_READ) : (o.maxRegisters ?? MAX_REGISTERS_PER_READ);
    const list = tags.filter((t) => t.register === kind).sort((a, b) => a.address - b.address || widthOf(kind, b.type) - widthOf(kind, a.type));
    let cur: ReadPlan | null = null;
    for (const t of list) {
      const end = t.address + widthOf(kind, t.type);
      if (cur) {
        const curEnd = cur.address + cur.count;
        const newEnd = Math.max(curEnd, end);
        if (t.address - curEnd <= maxGap && newEnd - cur.address <= limit) {
          cur.count = newEnd - cur.address;
          cur.items.push({ tag: t, offset: t.address - cur.address });
          continue;
        }
      }
      cur = { register: kind, address: t.address, count: end - t.address, items: [{ tag: t, offset: 0 }] };
      plans.push(cur);
    }
  }
  return plans;
}
