// Every problem with an expression surfaces as a CalcError carrying where it is, so the
// editor can underline it and a deploy error can say "at 1:17" instead of a stack trace.

export interface SourcePos {
  /** 0-based character offset into the expression */
  offset: number;
  /** 1-based line */
  line: number;
  /** 1-based column */
  col: number;
}

export function positionOf(source: string, offset: number): SourcePos {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  }
  return { offset: end, line, col: end - lineStart + 1 };
}

export class CalcError extends Error {
  /** The message without the " at L:C" suffix, for UIs that show the position themselves. */
  readonly reason: string;
  readonly pos: SourcePos | null;

  constructor(reason: string, source?: string, offset?: number) {
    const pos = source !== undefined && offset !== undefined ? positionOf(source, offset) : null;
    super(pos ? `${reason} at ${pos.line}:${pos.col}` : reason);
    this.name = 'CalcError';
    this.reason = reason;
    this.pos = pos;
  }
}
