// The training report kept in every model file: how many rows the fit rests on, how many
// it set aside as outliers, and plain-language warnings when the window looks contaminated
// (a fault inside the "normal" window) or too short to trust. The editor shows the
// warnings in the node status and the API returns them with the model.

export interface TrainingReport {
  /** rows in the training window (after lags) */
  rows: number;
  /** rows the robust fit set aside as not normal */
  rejectedRows: number;
  /** share of rows set aside */
  rejectedFraction: number;
  warnings: string[];
}

/** Above this share of rejected rows the window probably holds a fault, not noise. */
export const CONTAMINATION_WARN_FRACTION = 0.05;

export function buildReport(rows: number, rejected: number, minRows: number, extra: string[] = []): TrainingReport {
  const rejectedFraction = rows ? rejected / rows : 0;
  const warnings: string[] = [];
  if (rows < minRows) warnings.push(`window too short: ${rows} rows, at least ${minRows} advised for this model`);
  if (rejectedFraction > CONTAMINATION_WARN_FRACTION) {
    warnings.push(`window looks contaminated: ${(rejectedFraction * 100).toFixed(1)} % of rows were set aside as abnormal; check the window holds normal operation only`);
  }
  warnings.push(...extra);
  return { rows, rejectedRows: rejected, rejectedFraction, warnings };
}
