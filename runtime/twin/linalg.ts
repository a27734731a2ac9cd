// Small dense linear algebra for model fitting: the matrices here are tall and thin
// (thousands of rows, a few dozen columns), so plain arrays beat any library.
import { TwinFitError } from './errors';

export type Matrix = number[][];

/**
 * Least squares min ||X b - y||² + ridge·||b||² by Householder QR on the matrix augmented
 * with sqrt(ridge)·I rows. QR avoids squaring the condition number as the normal equations
 * do; the ridge rows keep collinear or constant columns from blowing up coefficients.
 */
export function leastSquares(X: Matrix, y: number[], ridge = 0): number[] {
  const n = X.length;
  const p = n > 0 ? X[0].length : 0;
  if (p === 0) return [];
  const rows = ridge > 0 ? n + p : n;
  if (rows < p) throw new TwinFitError('rows', `too few rows to fit ${p} coefficients (got ${n}); add data or regularise`);
  // Column-major copy so the Householder updates walk contiguous memory.
  const A: Float64Array[] = [];
  for (let j = 0; j < p; j++) {
    const col = new Float64Array(rows);
    for (let i = 0; i < n; i++) col[i] = X[i][j];
    if (ridge > 0) col[n + j] = Math.sqrt(ridge);
    A.push(col);
  }
  const b = new Float64Array(rows);
  for (let i = 0; i < n; i++) b[i] = y[i];
  const diag = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    const a = A[k];
    let norm = 0;
    for (let i = k; i < rows; i++) norm += a[i] * a[i];
    norm = Math.sqrt(norm);
    if (norm === 0) { diag[k] = 0; continue; }
    const alpha = a[k] > 0 ? -norm : norm;
    a[k] -= alpha;
    let vnorm2 = 0;
    for (let i = k; i < rows; i++) vnorm2 += a[i] * a[i];
    for (let j = k + 1; j < p; j++) {
      const c = A[j];
      let dot = 0;
      for (let i = k; i < rows; i++) dot += a[i] * c[i];
      const f = (2 * dot) / vnorm2;
      for (let i = k; i < rows; i++) c[i] -= f * a[i];
    }
    let dot = 0;
    for (let i = k; i < rows; i++) dot += a[i] * b[i];
    const f = (2 * dot) / vnorm2;
    for (let i = k; i < rows; i++) b[i] -= f * a[i];
    diag[k] = alpha;
  }
  let maxDiag = 0;
  for (let k = 0; k < p; k++) maxDiag = Math.max(maxDiag, Math.abs(diag[k]));
  const tol = maxDiag * 1e-12 * Math.max(rows, p);
  const coef = new Array<number>(p).fill(0);
  for (let k = p - 1; k >= 0; k--) {
    if (Math.abs(diag[k]) <= tol) {
      throw new TwinFitError('inputs', `the design matrix is rank deficient at column ${k} (collinear or constant inputs); set a ridge > 0`);
    }
    let s = b[k];
    for (let j = k + 1; j < p; j++) s -= A[j][k] * coef[j];
    coef[k] = s / diag[k];
  }
  return coef;
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi; eigenvalues sorted descending. */
export function symmetricEigen(S: Matrix): { values: number[]; vectors: Matrix } {
  const n = S.length;
  const a = S.map((r) => r.slice());
  const v: Matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return {
    values: order.map((i) => a[i][i]),
    // vectors[k] is the k-th eigenvector (a row), matching values[k].
    vectors: order.map((i) => v.map((row) => row[i])),
  };
}

/** Sample covariance (divides by n-1) of row-major data. */
export function covariance(rows: Matrix): Matrix {
  const n = rows.length;
  const p = rows[0].length;
  const mean = new Array<number>(p).fill(0);
  for (const r of rows) for (let j = 0; j < p; j++) mean[j] += r[j] / n;
  const c: Matrix = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (const r of rows) {
    for (let i = 0; i < p; i++) {
      const di = r[i] - mean[i];
      for (let j = i; j < p; j++) c[i][j] += di * (r[j] - mean[j]);
    }
  }
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) { c[i][j] /= Math.max(1, n - 1); c[j][i] = c[i][j]; }
  return c;
}
