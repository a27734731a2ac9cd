// Polls one Modbus device on the shared group poller (../group-poller.ts: drift-free
// schedule per group, overruns, deadband, BAD_NOT_CONNECTED once per outage): each poll
// reads the group's coalesced plan through the shared connection, decodes and scales the
// values. An exception response marks the tags of that request with its quality.
import { QUALITY_CODES, type Sample } from '../../model';
import { GroupPoller, type BaseGroupStats, type GroupPollerOptions, type GroupRun } from '../group-poller';
import type { ModbusConnection } from './connection';
import { decodeRegisters } from './datatypes';
import { planReads, type PlanOptions, type ReadPlan } from './planner';
import type { ModbusTag } from './tag-table';
import { ModbusExceptionError } from './transport';

const GOOD = QUALITY_CODES.GOOD;

/** Modbus exception codes → quality: 2 illegal address / 3 illegal value are configuration errors. */
export function exceptionQuality(code: number): number {
  if (code === 2 || code === 3 || code === 1) return QUALITY_CODES.BAD_CONFIG_ERROR;
  if (code === 4) return QUALITY_CODES.BAD_DEVICE_FAILURE;
  return QUALITY_CODES.BAD_COMM_FAILURE;
}

export interface GroupStats extends BaseGroupStats {
  reads: number;
  /** lateness of each poll vs. its slot (ms), last 10,000 */
  lateness: number[];
}

export interface PollerOptions extends PlanOptions, GroupPollerOptions<ModbusTag> {
  connection: ModbusConnection;
  /** reports a non-fatal problem (a read answered with an exception) */
  warn?: (message: string) => void;
}

export class ModbusPoller extends GroupPoller<ModbusTag, ReadPlan, GroupStats> {
  registers = 0;

  constructor(private readonly o: PollerOptions) {
    super(o, {
      plan: (tags) => planReads(tags, o),
      stats: (base, plan) => ({ ...base, reads: plan.length, lateness: [] }),
      sampleTags: (t) => [t.tag],
      onTick: (run, t) => {
        const s = run.stats;
        if (s.lateness.length >= 10_000) s.lateness.shift();
        s.lateness.push(t.actual - t.scheduled);
      },
    });
  }

  /** Read requests per poll of each group (after coalescing). */
  plans(): Array<{ group: string; reads: ReadPlan[] }> {
    return this.runs.map((r) => ({ group: r.group.name, reads: r.plan }));
  }

  protected async read(run: GroupRun<ModbusTag, ReadPlan, GroupStats>, ts: number): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const p of run.plan) {
      let words: number[];
      try {
        words = await this.o.connection.read(p.register, p.address, p.count);
      } catch (e) {
        if (e instanceof ModbusExceptionError) {
          this.o.warn?.(`${p.register} ${p.address}+${p.count}: ${e.message}`);
          this.markQuality(out, p.items.map((i) => i.tag.tag), exceptionQuality(e.code), ts);
          continue;
        }
        // Link failure: the connection's state change marks every tag BAD once; what was read is kept.
        break;
      }
      this.registers += p.count;
      for (const { tag, offset } of p.items) {
        const raw = decodeRegisters(words, offset, tag);
        const value = tag.type === 'bool' || tag.type === 'bit' ? raw : raw * tag.scale + tag.offset;
        if (!Number.isFinite(value)) continue; // NaN/Inf float patterns are not samples
        this.push(out, tag.tag, value, GOOD, tag.deadband, ts);
      }
    }
    return out;
  }
}
