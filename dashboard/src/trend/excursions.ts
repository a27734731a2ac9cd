// Where a twin-predicted tag leaves its band, as the trend marks it: runs of points outside
// [lo, hi] (the band's last known edges held between its own samples), where points outside
// less than `gap` pixels apart belong to one excursion, so a value hovering at the band's edge
// is one stretch with one marker, not a marker per crossing. A gap in the data (null) ends an
// excursion; undefined marks rows of other tags and is passed over.

export type Cell = number | null | undefined;

/** Each excursion's points in pixels, in order: the first is where its marker goes. */
export function excursions(
  xs: ArrayLike<number>, ys: ArrayLike<Cell>, los: ArrayLike<Cell>, his: ArrayLike<Cell>,
  i0: number, i1: number, toX: (x: number) => number, toY: (y: number) => number, gap: number,
): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  let lo: number | null = null;
  let hi: number | null = null;
  let run: Array<[number, number]> | null = null;
  for (let i = 0; i <= i1; i++) {
    if (los[i] != null) lo = los[i] as number;
    if (his[i] != null) hi = his[i] as number;
    const y = ys[i];
    if (y === null) { run = null; continue; }
    if (i < i0 || y === undefined || lo === null || hi === null) continue;
    const x = toX(xs[i]);
    if (run && x - run[run.length - 1][0] >= gap) run = null;
    if (y >= lo && y <= hi) continue;
    if (!run) { run = []; out.push(run); }
    run.push([x, toY(y)]);
  }
  return out;
}
