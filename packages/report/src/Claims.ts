/**
 * Claims of the paper that compare effects rather than cells, checked on a
 * sweep's runs. "Pre-training helps tanh more than the rectifier" compares
 * two gains, each the per-seed difference of a cell without pre-training and
 * the same neuron with it: seed by seed, gain(larger) − gain(smaller), tested
 * with a paired t-test (df = n − 1) in the report's Holm family. The claim is
 * supported when that test is significant after Holm and the mean is
 * positive, contradicted when significant with a negative mean, and not
 * shown otherwise.
 */
import { MIN_SEEDS_FOR_TESTS, type PairedTTest, pairedTTest, summarize } from "./Statistics.ts"

/** A claim that the effect `larger[0] − larger[1]` exceeds `smaller[0] − smaller[1]` (test error, per seed). */
export interface GainClaim {
  readonly text: string
  readonly larger: readonly [without: string, with_: string]
  readonly smaller: readonly [without: string, with_: string]
}

/** A claim tested on a sweep's runs: the seeds all four cells share, the mean gain difference, and the paired t-test (none below MIN_SEEDS_FOR_TESTS seeds). */
export interface ClaimTest {
  readonly claim: GainClaim
  /** Seeds finished in all four cells. */
  readonly seeds: number
  /** Mean over those seeds of gain(larger) − gain(smaller), in error units. */
  readonly meanDifference: number | undefined
  readonly test: PairedTTest | undefined
}

/** The gains of each claim over the seeds its four cells share, and their paired test (none below 3 seeds). */
export const testClaims = (
  claims: ReadonlyArray<GainClaim>,
  bySeed: (label: string) => ReadonlyMap<number, number>
): ReadonlyArray<ClaimTest> =>
  claims.map((claim) => {
    const cells = [...claim.larger, ...claim.smaller].map(bySeed)
    const seeds = [...cells[0]!.keys()].filter((seed) => cells.every((c) => c.has(seed))).sort((a, b) => a - b)
    const gain = (without: ReadonlyMap<number, number>, with_: ReadonlyMap<number, number>) =>
      seeds.map((seed) => without.get(seed)! - with_.get(seed)!)
    const larger = gain(cells[0]!, cells[1]!)
    const smaller = gain(cells[2]!, cells[3]!)
    return {
      claim,
      seeds: seeds.length,
      meanDifference: summarize(larger.map((g, i) => g - smaller[i]!))?.mean,
      test: seeds.length >= MIN_SEEDS_FOR_TESTS ? pairedTTest(larger, smaller) : undefined
    }
  })

/** The verdict on a tested claim given its Holm-adjusted p. */
export const claimVerdict = (tested: ClaimTest, holmP: number | undefined, level: number): string => {
  if (tested.test === undefined || holmP === undefined) {
    return `too few seeds (${tested.seeds}; a test needs ${MIN_SEEDS_FOR_TESTS})`
  }
  if (holmP >= level) return "not shown (not significant)"
  return tested.test.meanDifference > 0 ? "supported" : "contradicted"
}
