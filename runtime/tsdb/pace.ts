// Cooperative scheduling for query work and for writing blocks (head cuts, compaction).
// A query runs as one chain of promises; resolved awaits are microtasks, which never let
// timers, sockets or other requests in, so a query over millions of grid points would hold
// the event loop until it is done (a Modbus poll group missed its slots and /health hung
// for seconds). Query loops call pace() often; it hands the loop back once the current
// turn has computed for a slice, and enforces the request's time budget.
import { performance } from 'node:perf_hooks';
import { DomainError } from '../platform';

/** Longest stretch of query or block-writing work between two turns of the event loop. */
export const SLICE_MS = 5;

let sliceStart = performance.now();

export class QueryBudgetError extends DomainError {
  constructor(readonly budgetMs: number) {
    super('unavailable', `query: exceeded its time budget of ${budgetMs} ms; narrow the range, use a larger stepMs/bucketMs, or kind=downsample`, {
      reason: 'query_budget_exceeded', extra: { budgetMs }, retryAfterSec: 5,
    });
    this.name = 'QueryBudgetError';
  }
}

/** A per-request time budget (wall time, including waits for other work). */
export class QueryBudget {
  private readonly deadline: number;
  constructor(readonly ms: number) { this.deadline = performance.now() + ms; }
  check(): void {
    if (performance.now() > this.deadline) throw new QueryBudgetError(this.ms);
  }
}

/** Yields to the event loop when this turn has run for SLICE_MS; throws when the budget is spent. */
export async function pace(budget?: QueryBudget): Promise<void> {
  if (performance.now() - sliceStart >= SLICE_MS) {
    await new Promise<void>((r) => setImmediate(r));
    sliceStart = performance.now();
  }
  budget?.check();
}
