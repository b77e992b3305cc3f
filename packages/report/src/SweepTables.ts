/**
 * The numbers of a sweep report's tables: per cell the mean ± standard
 * deviation over seeds beside the paper's and the seed article's numbers, and
 * the paired tests between cells (difference and equivalence) and the
 * paper's claims, their p-values Holm-adjusted over the whole report.
 */
import { findReference } from "@rectifier/record"
import { claimVerdict, testClaims } from "./Claims.ts"
import {
  DEFAULT_EQUIVALENCE_MARGIN,
  holm,
  MIN_SEEDS_FOR_TESTS,
  pairBySeed,
  type PairedTTest,
  pairedTTest,
  SIGNIFICANCE_LEVEL,
  type Summary,
  summarize,
  type Tost,
  tost
} from "./Statistics.ts"
import type { SweepReportInput } from "./SweepInput.ts"

/**
 * One cell's line of the results table: mean ± sd over its finished seeds of
 * test error, mean sparsity, seconds per epoch and best epoch, its core hours,
 * and the paper's and the seed article's numbers where they give one.
 */
export interface CellRow {
  readonly label: string
  /** Finished runs; below MIN_SEEDS_FOR_TESTS the report warns. */
  readonly seeds: number
  readonly testError: Summary | undefined
  readonly sparsity: Summary | undefined
  readonly secondsPerEpoch: Summary | undefined
  readonly bestEpoch: Summary | undefined
  /** The finished runs' wall time added up, in hours: each run holds one core. */
  readonly coreHours: number
  readonly paper: { readonly testError?: number; readonly sparsity?: number }
  readonly seedArticle: { readonly testError?: number; readonly sparsity?: number }
}

/** One pair of cells of the paired-tests table: A − B over the seeds both finished, TOST's margin and the tests. */
export interface ComparisonRow {
  readonly a: string
  readonly b: string
  /** Seeds finished in both cells. */
  readonly seeds: number
  /** Mean of A − B over those seeds; undefined with none. */
  readonly meanDifference: number | undefined
  /** TOST's margin, in error units. */
  readonly margin: number
  /** Undefined below MIN_SEEDS_FOR_TESTS seeds: no test, no claim. */
  readonly tests: ComparisonTests | undefined
}

/**
 * A pair's two tests, the paired t-test (do the cells differ?) and TOST (are
 * they equivalent within the margin?), with their Holm-adjusted p-values and
 * the verdicts at SIGNIFICANCE_LEVEL.
 */
export interface ComparisonTests {
  readonly difference: PairedTTest
  readonly equivalence: Tost
  /** Holm-adjusted over every test of the report (all paired t-tests and TOSTs). */
  readonly differenceHolm: number
  readonly equivalenceHolm: number
  /** Holm-adjusted paired t-test p below the level. */
  readonly significant: boolean
  /** Holm-adjusted TOST p below the level: equivalent within ±margin. */
  readonly equivalent: boolean
}


/** The numbers of the report's tables, computed from the records. */
export const sweepTables = (input: SweepReportInput) => {
  const rows: ReadonlyArray<CellRow> = input.cells.map((cell) => ({
    label: cell.label,
    seeds: cell.records.length,
    testError: summarize(cell.records.map((r) => r.result.testError)),
    sparsity: summarize(cell.records.map((r) => r.result.sparsity.mean)),
    secondsPerEpoch: summarize(cell.records.map((r) => r.epochs.reduce((s, e) => s + e.seconds, 0) / r.epochs.length)),
    bestEpoch: summarize(cell.records.map((r) => r.result.bestEpoch)),
    coreHours: cell.records.reduce((sum, r) => sum + r.wallSeconds, 0) / 3600,
    paper: {
      ...optional("testError", findReference(cell.references, "testError", "paper")?.value),
      ...optional("sparsity", findReference(cell.references, "sparsity", "paper")?.value)
    },
    seedArticle: {
      ...optional("testError", findReference(cell.references, "testError", "seed-article")?.value),
      ...optional("sparsity", findReference(cell.references, "sparsity", "seed-article")?.value)
    }
  }))
  const bySeed = (label: string) =>
    new Map(input.cells.find((c) => c.label === label)?.records.map((r) => [r.config.seed, r.result.testError]) ?? [])
  const tested = input.comparisons.map(([a, b, options]) => {
    const pairs = pairBySeed(bySeed(a), bySeed(b))
    const margin = options?.equivalenceMargin ?? DEFAULT_EQUIVALENCE_MARGIN
    const enough = pairs.seeds.length >= MIN_SEEDS_FOR_TESTS
    return {
      a,
      b,
      seeds: pairs.seeds.length,
      meanDifference: summarize(pairs.a.map((x, i) => x - pairs.b[i]!))?.mean,
      margin,
      difference: enough ? pairedTTest(pairs.a, pairs.b) : undefined,
      equivalence: enough ? tost(pairs.a, pairs.b, margin) : undefined
    }
  })
  const claimed = testClaims(input.claims ?? [], bySeed)
  // One Holm family for the whole report: each tested comparison's paired t-test p, then its TOST p, then the claims.
  const adjusted = holm([
    ...tested.flatMap((c) => c.difference === undefined ? [] : [c.difference.pValue, c.equivalence!.pValue]),
    ...claimed.flatMap((c) => c.test === undefined ? [] : [c.test.pValue])
  ])
  let next = 0
  const comparisons: ReadonlyArray<ComparisonRow> = tested.map(({ difference, equivalence, ...row }) => {
    if (difference === undefined || equivalence === undefined) return { ...row, tests: undefined }
    const differenceHolm = adjusted[next++]!
    const equivalenceHolm = adjusted[next++]!
    return {
      ...row,
      tests: {
        difference,
        equivalence,
        differenceHolm,
        equivalenceHolm,
        significant: differenceHolm < SIGNIFICANCE_LEVEL,
        equivalent: equivalenceHolm < SIGNIFICANCE_LEVEL
      }
    }
  })
  const claims = claimed.map((tested) => {
    const holmP = tested.test === undefined ? undefined : adjusted[next++]!
    return { ...tested, holmP, verdict: claimVerdict(tested, holmP, SIGNIFICANCE_LEVEL) }
  })
  return { rows, comparisons, claims }
}

const optional = <K extends string>(key: K, value: number | undefined) =>
  value === undefined ? {} : ({ [key]: value } as Record<K, number>)
