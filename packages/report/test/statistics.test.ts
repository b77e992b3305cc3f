import { describe, expect, it } from "@effect/vitest"
import {
  holm,
  pairBySeed,
  pairedTTest,
  SIGNIFICANCE_LEVEL,
  studentTTwoSided,
  studentTUpper,
  summarize,
  tost
} from "@rectifier/report"

/** The paired t-test of two seed -> value maps over their common seeds. */
const pairedTest = (a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>) => {
  const pairs = pairBySeed(a, b)
  return pairedTTest(pairs.a, pairs.b)
}

/** Two-sided p of Student's t with 3 degrees of freedom, from its closed-form CDF (independent of the library). */
const twoSidedP3 = (t: number) => {
  const u = Math.abs(t) / Math.sqrt(3)
  const cdf = 0.5 + (u / (1 + u * u) + Math.atan(u)) / Math.PI
  return 2 * (1 - cdf)
}

describe("statistics", () => {
  it("summarises with the sample standard deviation", () => {
    const s = summarize([0.012, 0.014, 0.019])!
    expect(s.n).toBe(3)
    expect(s.mean).toBeCloseTo(0.015, 12)
    // sqrt(((-.003)^2 + (-.001)^2 + .004^2) / 2)
    expect(s.sd).toBeCloseTo(Math.sqrt((9e-6 + 1e-6 + 16e-6) / 2), 12)
    expect(summarize([0.5])).toEqual({ n: 1, mean: 0.5, sd: 0 })
    expect(summarize([])).toBeUndefined()
  })

  it("pairs by seed and matches the t distribution's p-value", () => {
    const a = new Map([[1, 1], [2, 2], [3, 3], [4, 4], [9, 100]])
    const b = new Map([[4, 4.2], [3, 3.6], [2, 2.4], [1, 1.5]])
    const test = pairedTest(a, b)!
    expect(test.n).toBe(4) // seed 9 has no partner
    const d = [-0.5, -0.4, -0.6, -0.2]
    const mean = d.reduce((x, y) => x + y) / 4
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / 3)
    const t = mean / (sd / 2)
    expect(test.meanDifference).toBeCloseTo(mean, 12)
    expect(test.pValue).toBeCloseTo(twoSidedP3(t), 6)
    expect(test.pValue).toBeLessThan(SIGNIFICANCE_LEVEL)
  })

  it("finds noisy differences insignificant and handles degenerate pairs", () => {
    const noisy = pairedTest(new Map([[1, 0.1], [2, 0.3], [3, 0.2], [4, 0.4]]), new Map([[1, 0.2], [2, 0.1], [3, 0.3], [4, 0.3]]))!
    expect(noisy.pValue).toBeGreaterThan(SIGNIFICANCE_LEVEL)
    expect(pairedTest(new Map([[1, 0.1]]), new Map([[1, 0.2]]))).toBeUndefined()
    expect(pairedTest(new Map([[1, 0.1], [2, 0.2]]), new Map([[1, 0.1], [2, 0.2]]))!.pValue).toBe(1)
    expect(pairedTest(new Map([[1, 0.2], [2, 0.3]]), new Map([[1, 0.1], [2, 0.2]]))!.pValue).toBeLessThan(SIGNIFICANCE_LEVEL)
  })

  it("t tails: closed forms for df 1 and 2, symmetry, and whole df only", () => {
    // Relative 1e-13: a few dozen ulps of float64 series sums; the forms are written without cancellation.
    const close = (ours: number, exact: number) => expect(Math.abs(ours - exact)).toBeLessThanOrEqual(1e-13 * exact)
    for (const t of [1e-6, 0.1, 0.7, 1, 3, 40, 1e6]) {
      close(studentTTwoSided(t, 1), (2 / Math.PI) * Math.atan(1 / t))
      close(studentTTwoSided(-t, 2), 2 / (Math.sqrt(2 + t * t) * (Math.sqrt(2 + t * t) + t)))
      close(studentTUpper(t, 5) + studentTUpper(-t, 5), 1)
    }
    expect(studentTTwoSided(0, 4)).toBe(1)
    expect(studentTTwoSided(Infinity, 4)).toBe(0)
    expect(() => studentTTwoSided(1, 0)).toThrow(RangeError)
    expect(() => studentTTwoSided(1, 2.5)).toThrow(RangeError)
  })

  it("TOST: equivalent only inside the margin, and a margin must be positive", () => {
    const a = [0.0181, 0.0185, 0.0179, 0.019]
    const b = [0.0183, 0.0182, 0.0181, 0.0186]
    const within = tost(a, b)!
    expect(within.margin).toBe(0.002)
    expect(within.df).toBe(3)
    expect(within.pValue).toBe(Math.max(within.lower.pValue, within.upper.pValue))
    expect(within.pValue).toBeLessThan(SIGNIFICANCE_LEVEL)
    expect(tost(a, b, 0.0001)!.pValue).toBeGreaterThan(SIGNIFICANCE_LEVEL)
    // No spread in the differences: inside the margin is certain, outside is never equivalent.
    expect(tost([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])!.pValue).toBe(0)
    expect(tost([0.6, 0.6, 0.6], [0.5, 0.5, 0.5])!.pValue).toBe(1)
    expect(tost([0.1], [0.1])).toBeUndefined()
    expect(() => tost(a, b, 0)).toThrow(RangeError)
    expect(() => pairedTTest(a, b.slice(1))).toThrow(RangeError)
  })

  it("Holm: scales the k-th smallest p by m - k + 1, keeps the order, caps at 1", () => {
    expect(holm([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06])
    expect(holm([0.5, 0.001])).toEqual([0.5, 0.002])
    expect(holm([0.6, 0.7])).toEqual([1, 1])
    expect(holm([])).toEqual([])
  })
})
