// A reference to one sorted run of a series, wherever it lives (head or block). Queries
// collect refs, skip or summarize them, and decode only what they must.
import type { Summary } from './summary';
import type { Columns } from './types';

export interface ChunkRef {
  minT: number;
  maxT: number;
  summary: Summary;
  /** higher wins on equal timestamps: newer writes have higher priority */
  priority: number;
  load(): Promise<Columns> | Columns;
}
