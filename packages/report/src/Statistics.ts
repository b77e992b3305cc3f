/**
 * Statistics over seeds: a cell's mean and sample standard deviation, and the
 * tests that compare two cells. Runs with the same seed share initial weights
 * and data order, so two cells are compared pair by pair over their common
 * seeds:
 * - the paired t-test (df = n - 1, two-sided) asks whether they differ;
 *   not rejecting it means "not significant", never "equivalent";
 * - TOST (two one-sided paired t-tests against -margin and +margin) asks
 *   whether they are equivalent within the margin; only it supports that claim;
 * - Holm's step-down adjustment keeps the chance of any false claim among a
 *   report's tests at the significance level.
 * Descriptive statistics come from simple-statistics, the t distribution from
 * StudentT.ts. The p-values match SciPy's ttest_rel and ttest_1samp
 * (test/scipy.test.ts).
 */
import { mean, sampleStandardDeviation } from "simple-statistics"
import { studentTTwoSided, studentTUpper } from "./StudentT.ts"

/** The level every claim of a report is held to, after Holm's adjustment. */
export const SIGNIFICANCE_LEVEL = 0.05

/** Fewer paired seeds than this give no test at all: with df = 1 the t-test says next to nothing. */
export const MIN_SEEDS_FOR_TESTS = 3

/** TOST's default margin: ±0.2 percentage points of test error. */
export const DEFAULT_EQUIVALENCE_MARGIN = 0.002

/** One metric over a cell's seeds: how many values, their mean and sample standard deviation. */
export interface Summary {
  readonly n: number
  readonly mean: number
  /** Sample standard deviation; 0 for a single value. */
  readonly sd: number
}

/** The count, mean and sample standard deviation of `values`; undefined for no values. */
export const summarize = (values: ReadonlyArray<number>): Summary | undefined =>
  values.length === 0 ? undefined : {
    n: values.length,
    mean: mean([...values]),
    sd: values.length < 2 ? 0 : sampleStandardDeviation([...values])
  }

/** Two cells' values at the seeds both have, in seed order. */
export interface Paired {
  readonly seeds: ReadonlyArray<number>
  readonly a: ReadonlyArray<number>
  readonly b: ReadonlyArray<number>
}

/** Matches two cells' per-seed values (seed -> value) on the seeds both have. */
export const pairBySeed = (a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): Paired => {
  const seeds = [...a.keys()].filter((seed) => b.has(seed)).sort((x, y) => x - y)
  return { seeds, a: seeds.map((seed) => a.get(seed)!), b: seeds.map((seed) => b.get(seed)!) }
}

interface Differences {
  readonly n: number
  readonly df: number
  readonly meanDifference: number
  /** Standard error of the mean difference: sd of the differences / sqrt(n). */
  readonly standardError: number
}

const differences = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): Differences | undefined => {
  if (a.length !== b.length) throw new RangeError(`paired test: ${a.length} values against ${b.length}; pairs need one each`)
  if (a.length < 2) return undefined
  const d = a.map((x, i) => x - b[i]!)
  return { n: d.length, df: d.length - 1, meanDifference: mean(d), standardError: sampleStandardDeviation(d) / Math.sqrt(d.length) }
}

/** t = (mean difference - shift) / standard error; with no spread, ±Infinity, or NaN when the shift is met exactly. */
const tStatistic = (d: Differences, shift: number) => {
  const excess = d.meanDifference - shift
  return d.standardError > 0 ? excess / d.standardError : excess === 0 ? Number.NaN : excess * Infinity
}

/** What `pairedTTest` found: the mean difference, t with its degrees of freedom, and the two-sided p. */
export interface PairedTTest {
  readonly n: number
  /** Degrees of freedom, n - 1. */
  readonly df: number
  /** Mean of a - b over the pairs. */
  readonly meanDifference: number
  readonly t: number
  /** Two-sided p-value, unadjusted. */
  readonly pValue: number
}

/**
 * Paired t-test (df = n - 1), two-sided, of a[i] against b[i]: SciPy's
 * `ttest_rel(a, b)`. Undefined below 2 pairs. With no spread in the
 * differences a constant shift gives p = 0 and equal pairs p = 1 (SciPy: NaN).
 */
export const pairedTTest = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): PairedTTest | undefined => {
  const d = differences(a, b)
  if (d === undefined) return undefined
  const t = tStatistic(d, 0)
  return { n: d.n, df: d.df, meanDifference: d.meanDifference, t, pValue: Number.isNaN(t) ? 1 : studentTTwoSided(t, d.df) }
}

/** What `tost` found: both one-sided tests against ±margin and the larger of their p-values. */
export interface Tost {
  readonly n: number
  readonly df: number
  /** Equivalence holds within (-margin, +margin) of the mean difference. */
  readonly margin: number
  readonly meanDifference: number
  /** One-sided test of mean difference <= -margin against > -margin. */
  readonly lower: { readonly t: number; readonly pValue: number }
  /** One-sided test of mean difference >= +margin against < +margin. */
  readonly upper: { readonly t: number; readonly pValue: number }
  /** The larger one-sided p, unadjusted: below the level, the pair is equivalent within the margin. */
  readonly pValue: number
}

/**
 * Equivalence test of paired values: two one-sided paired t-tests (df = n - 1),
 * SciPy's `ttest_1samp(a - b, -margin, alternative="greater")` and
 * `ttest_1samp(a - b, margin, alternative="less")`, and the larger of their p.
 * Undefined below 2 pairs.
 */
export const tost = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, margin = DEFAULT_EQUIVALENCE_MARGIN): Tost | undefined => {
  if (!(margin > 0)) throw new RangeError(`TOST: the equivalence margin must be > 0, got ${margin}`)
  const d = differences(a, b)
  if (d === undefined) return undefined
  const oneSided = (shift: number, sign: 1 | -1) => {
    const t = tStatistic(d, shift)
    return { t, pValue: Number.isNaN(t) ? 1 : studentTUpper(sign * t, d.df) }
  }
  const lower = oneSided(-margin, 1)
  const upper = oneSided(margin, -1)
  return { n: d.n, df: d.df, margin, meanDifference: d.meanDifference, lower, upper, pValue: Math.max(lower.pValue, upper.pValue) }
}

/**
 * Holm's step-down adjustment of a family of p-values, in their order: the
 * k-th smallest becomes max over j <= k of min(1, (m - j + 1) p_(j)).
 * Rejecting where the adjusted p is below the level keeps the family-wise
 * error rate at that level.
 */
export const holm = (pValues: ReadonlyArray<number>): ReadonlyArray<number> => {
  const m = pValues.length
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i]! - pValues[j]!)
  const adjusted = new Array<number>(m)
  let running = 0
  order.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[i]!))
    adjusted[i] = running
  })
  return adjusted
}
