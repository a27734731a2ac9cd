// Polls a Logix controller on the shared group poller (../group-poller.ts: drift-free
// schedule per group, overruns, deadband, BAD_NOT_CONNECTED once per outage): each poll
// reads the group's packed plan through the shared connection and scales the values. A CIP
// error for one tag marks that tag (and its array elements) with its quality.
import { QUALITY_CODES, type Sample } from '../../model';
import { GroupPoller, type BaseGroupStats, type GroupPollerOptions, type GroupRun } from '../group-poller';
import { CipError, STATUS } from './cip';
import type { EipConnection } from './connection';
import { planEipReads, type ReadRequestPlan } from './planner';
import { executeReadPlan } from './reader';
import { sampleTags, type EipTag } from './tag-table';

const { GOOD } = QUALITY_CODES;

/** CIP status of one tag → quality: a tag, member or index that does not exist is a configuration error. */
export function cipQuality(e: CipError): number {
  if (e.status === STATUS.PATH_SEGMENT_ERROR || e.status === STATUS.PATH_DESTINATION_UNKNOWN || e.status === STATUS.GENERAL_ERROR || e.status === STATUS.SERVICE_NOT_SUPPORTED) return QUALITY_CODES.BAD_CONFIG_ERROR;
  return QUALITY_CODES.BAD_COMM_FAILURE;
}

export interface EipGroupStats extends BaseGroupStats {
  requests: number;
}

export interface EipPollerOptions extends GroupPollerOptions<EipTag> {
  connection: EipConnection;
  warn?: (message: string) => void;
  /** default true: Multiple Service Packet */
  coalesce?: boolean;
}

export class EipPoller extends GroupPoller<EipTag, ReadRequestPlan, EipGroupStats> {
  private readonly warned = new Set<string>();

  constructor(private readonly o: EipPollerOptions) {
    super(o, {
      plan: (tags) => planEipReads(tags, { maxPacket: o.connection.target.maxPacket, coalesce: o.coalesce }),
      stats: (base, plan) => ({ ...base, requests: plan.length }),
      sampleTags,
    });
  }

  plans(): Array<{ group: string; requests: Array<{ kind: string; tags: string[] }> }> {
    return this.runs.map((r) => ({ group: r.group.name, requests: r.plan.map((p) => ({ kind: p.kind, tags: p.reads.map((x) => x.tag.address) })) }));
  }

  protected async read(run: GroupRun<EipTag, ReadRequestPlan, EipGroupStats>, ts: number): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const p of run.plan) {
      const results = await executeReadPlan(this.o.connection, p);
      for (const res of results) {
        const t = res.read.tag;
        const names = sampleTags(t);
        if ('error' in res) {
          if (!this.warned.has(t.tag)) { this.warned.add(t.tag); this.o.warn?.(res.error.message); }
          this.markQuality(out, names, cipQuality(res.error), ts);
          continue;
        }
        this.warned.delete(t.tag);
        res.values.forEach((raw, i) => {
          const value = t.type === 'bool' ? raw : raw * t.scale + t.offset;
          if (Number.isFinite(value)) this.push(out, names[i], value, GOOD, t.deadband, ts);
        });
      }
    }
    return out;
  }
}
