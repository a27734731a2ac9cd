// Query validation, limits, time budget and cooperative scheduling (issue 18, defects 4
// and 6): everything that can fail is refused before the first piece of the answer; a
// budget spent mid-answer ends the JSON with an error member; query work lets the event
// loop run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../../runtime/model';
import { QueryBudget, QueryBudgetError } from '../../../runtime/tsdb/pace';
import { executeQuery, parseQueryRequest, QueryRequestError, runQuery, type QueryLimits, QUERY_LIMITS } from '../../../runtime/tsdb/query-request';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

const T0 = Date.UTC(2025, 0, 1);
let dir: string;
let store: TsdbStore;

beforeAll(async () => {
  dir = await makeTempDir('query-request-');
  store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0 });
  const batch: Sample[] = [];
  for (let k = 0; k < 4; k++) for (let i = 0; i < 5000; i++) batch.push({ tag: `q.t${k}`, ts: T0 + i * 1000, value: i + k, quality: 0 });
  await store.write(batch);
});
afterAll(async () => {
  await store.close();
  await removeTempDir(dir);
});

const fieldOf = (input: Record<string, unknown>, limits?: QueryLimits) => {
  try { parseQueryRequest(input, limits); } catch (e) { return (e as QueryRequestError).field; }
  return 'accepted';
};

/** A budget that runs out after `n` checks: "the query took too long" without a clock. */
class CountingBudget extends QueryBudget {
  constructor(private left: number) { super(60_000); }
  check(): void { if (--this.left < 0) throw new QueryBudgetError(this.ms); }
}

describe('parseQueryRequest validates everything before any work', () => {
  it('names the field of a bad range or an answer too large', () => {
    expect(fieldOf({ kind: 'raw', tag: 'q.t0', from: T0 + 1, to: T0 })).toBe('to');
    expect(fieldOf({ kind: 'downsample', tag: 'q.t0', from: T0, to: T0, points: 100 })).toBe('to');
    expect(fieldOf({ kind: 'aggregate', tag: 'q.t0', from: 'now-5y', to: 'now', bucketMs: 1 })).toBe('bucketMs');
    expect(fieldOf({ kind: 'aligned', tags: 'q.t0,q.t1', from: 0, to: 'now', stepMs: 1 })).toBe('stepMs');
    expect(fieldOf({ kind: 'raw', tag: 'q.t0', from: 0, to: 'now', limit: QUERY_LIMITS.maxRows + 1 })).toBe('limit');
    // cells bound aligned queries: the same grid is fine for one tag and too large for twenty
    const grid = { from: T0, to: T0 + 300_000, stepMs: 1 };
    expect(fieldOf({ kind: 'aligned', tags: 'q.t0', ...grid })).toBe('accepted');
    expect(fieldOf({ kind: 'aligned', tags: Array.from({ length: 20 }, (_, i) => `q.t${i}`).join(','), ...grid })).toBe('stepMs');
  });

  it('says which stepMs would do', () => {
    expect(() => parseQueryRequest({ kind: 'aligned', tags: 'q.t0', from: T0, to: T0 + 86_400_000, stepMs: 1 })).toThrow(/use stepMs ≥ 87/);
  });
});

describe('executeQuery', () => {
  it('sends the header with the first batch, so an early failure comes before any byte', async () => {
    const it = executeQuery(store, parseQueryRequest({ kind: 'raw', tag: 'q.t0', from: T0, to: T0 + 10_000 }), { budget: new CountingBudget(0) });
    await expect(it.next()).rejects.toBeInstanceOf(QueryBudgetError);
  });

  it('ends an answer whose budget runs out mid-stream with an error member, never as if complete', async () => {
    let text = '';
    const q = parseQueryRequest({ kind: 'aligned', tags: 'q.t0,q.t1', from: T0, to: T0 + 5_000_000, stepMs: 100 });
    for await (const piece of executeQuery(store, q, { budget: new CountingBudget(20) })) text += piece;
    const answer = JSON.parse(text);
    expect(answer.rows.length).toBeGreaterThan(0);
    expect(answer.rows.length).toBeLessThan(50_000);
    expect(answer.error).toMatchObject({ status: 503, code: 'query_budget_exceeded' });
    // flows get it as an error, not as a short answer
    await expect(runQuery(store, q, { budget: new CountingBudget(20) })).rejects.toThrow(/time budget/);
  });

  it('marks a raw answer cut at the row limit', async () => {
    const limits = { ...QUERY_LIMITS, maxRows: 1000 };
    const cut = await runQuery(store, parseQueryRequest({ kind: 'raw', tag: 'q.t0', from: T0, to: T0 + 5_000_000 }, limits), { limits }) as { samples: unknown[]; truncated?: boolean };
    expect(cut.samples).toHaveLength(1000);
    expect(cut.truncated).toBe(true);
    const whole = await runQuery(store, parseQueryRequest({ kind: 'raw', tag: 'q.t0', from: T0, to: T0 + 5_000_000 })) as { samples: unknown[]; truncated?: boolean };
    expect(whole.samples).toHaveLength(5000);
    expect(whole.truncated).toBeUndefined();
  });

  it('lets other work run while a large query computes', async () => {
    let turns = 0;
    let stop = false;
    const spin = () => { if (!stop) { turns++; setImmediate(spin); } };
    setImmediate(spin);
    let rows = 0;
    for await (const piece of executeQuery(store, parseQueryRequest({ kind: 'aligned', tags: 'q.t0,q.t1,q.t2,q.t3', from: T0, to: T0 + 1_000_000, stepMs: 1 }))) rows += piece.length;
    stop = true;
    expect(rows).toBeGreaterThan(1_000_000);
    // without yielding, the whole query is one chain of microtasks and the spinner never runs
    expect(turns).toBeGreaterThan(5);
  });
});
