/**
 * The statistics of the timing benchmark: order statistics, trimming, Welch's t-test (the test
 * dudect uses for constant-time code, with its threshold |t| > 4.5) and the two-sample
 * Kolmogorov-Smirnov test (statistic D, its critical value and asymptotic p-value). Plain
 * functions over arrays of durations, in nanoseconds.
 */

/** The value at quantile `q` (0..1) of sorted values, by linear interpolation. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** A sorted copy. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The values between the `fraction` and `1 - fraction` quantiles (sorted). */
export function trimmed(values: readonly number[], fraction: number): number[] {
  const s = sorted(values);
  const cut = Math.floor(s.length * fraction);
  return s.slice(cut, s.length - cut);
}

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  let mean = 0;
  let m2 = 0;
  let n = 0;
  for (const x of values) {
    n++;
    const delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
  return { mean, variance: n > 1 ? m2 / (n - 1) : 0 };
}

/** Welch's unequal-variance t-test. */
export interface WelchResult {
  readonly t: number;
  readonly df: number;
  readonly meanA: number;
  readonly meanB: number;
}

/**
 * Welch's t statistic and its Welch-Satterthwaite degrees of freedom.
 *
 * @example
 * ```ts
 * welch([1, 2, 3], [2, 3, 4]).t; // about -1.22
 * ```
 */
export function welch(a: readonly number[], b: readonly number[]): WelchResult {
  const A = meanAndVariance(a);
  const B = meanAndVariance(b);
  const va = A.variance / a.length;
  const vb = B.variance / b.length;
  const t = va + vb === 0 ? 0 : (A.mean - B.mean) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1) || 1);
  return { t, df, meanA: A.mean, meanB: B.mean };
}

/** The two-sample Kolmogorov-Smirnov test. */
export interface KsResult {
  /** The largest distance between the two empirical distribution functions. */
  readonly d: number;
  /** The critical value of D at `alpha`: D above it means "different" at that level. */
  readonly critical: number;
  readonly alpha: number;
  /** Asymptotic p-value of D. */
  readonly p: number;
}

/** c(alpha) of the asymptotic critical value c(alpha) * sqrt((n + m) / (n * m)). */
function cAlpha(alpha: number): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2);
}

/** The Kolmogorov distribution's tail Q(lambda) = 2 sum (-1)^(k-1) exp(-2 k^2 lambda^2). */
function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/**
 * The two-sample Kolmogorov-Smirnov statistic, critical value at `alpha` and p-value.
 *
 * @example
 * ```ts
 * ks([1, 2, 3, 4], [5, 6, 7, 8]).d; // 1
 * ```
 */
export function ks(a: readonly number[], b: readonly number[], alpha = 0.001): KsResult {
  const x = sorted(a);
  const y = sorted(b);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] as number, y[j] as number);
    while (i < x.length && (x[i] as number) <= v) i++;
    while (j < y.length && (y[j] as number) <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const n = x.length;
  const m = y.length;
  const ne = (n * m) / (n + m);
  const critical = cAlpha(alpha) * Math.sqrt((n + m) / (n * m));
  const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  return { d, critical, alpha, p: kolmogorovQ(lambda) };
}
