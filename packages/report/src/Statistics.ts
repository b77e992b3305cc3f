/**
 * Statistics over seeds: mean and sample standard deviation of a cell, and
 * the paired test that marks a difference between two cells as significant.
 *
 * The paper marks pairs that "a pairwise test (p = 0.05)" finds equivalent.
 * With several seeds per cell and the same seeds in both cells (same initial
 * weights stream, same data order), the natural pairing is by seed: a paired
 * Student t-test on the per-seed test errors, two-sided, alpha 0.05.
 * Descriptive statistics come from simple-statistics; the t-test (with its
 * p-value from the t distribution) from @stdlib/stats-ttest, since
 * simple-statistics computes t but has no t distribution for p.
 */
import ttest from "@stdlib/stats-ttest"
import { mean, sampleStandardDeviation } from "simple-statistics"

export const SIGNIFICANCE_LEVEL = 0.05

export interface Summary {
  readonly n: number
  readonly mean: number
  /** Sample standard deviation; 0 for a single value. */
  readonly sd: number
}

export const summarize = (values: ReadonlyArray<number>): Summary | undefined =>
  values.length === 0 ? undefined : {
    n: values.length,
    mean: mean([...values]),
    sd: values.length < 2 ? 0 : sampleStandardDeviation([...values])
  }

export interface PairedTest {
  /** Seeds present in both cells. */
  readonly n: number
  /** Mean of (a - b) over the paired seeds. */
  readonly meanDifference: number
  readonly pValue: number
  readonly significant: boolean
}

/**
 * Paired two-sided t-test of `a` against `b`, matched by key (the seed).
 * Undefined when fewer than 2 pairs exist; identical pairs give p = 1.
 */
export const pairedTest = (a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): PairedTest | undefined => {
  const keys = [...a.keys()].filter((key) => b.has(key)).sort((x, y) => x - y)
  if (keys.length < 2) return undefined
  const x = keys.map((key) => a.get(key)!)
  const y = keys.map((key) => b.get(key)!)
  const differences = x.map((value, i) => value - y[i]!)
  const meanDifference = mean(differences)
  if (differences.every((d) => d === differences[0])) {
    // Zero variance: the t statistic is undefined; equal pairs are not different, a constant shift is.
    const pValue = meanDifference === 0 ? 1 : 0
    return { n: keys.length, meanDifference, pValue, significant: pValue < SIGNIFICANCE_LEVEL }
  }
  const result = ttest(x, y, { alpha: SIGNIFICANCE_LEVEL, alternative: "two-sided" })
  return { n: keys.length, meanDifference, pValue: result.pValue, significant: result.pValue < SIGNIFICANCE_LEVEL }
}
