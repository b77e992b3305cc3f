/**
 * What a sweep report is made from: the cells and their finished runs, the
 * pairs of cells to compare, the sweep's own curve, the activation shapes,
 * the runs still missing and the paper's claims to test.
 */
import type { Reference, RunRecord } from "@rectifier/record"
import type { GainClaim } from "./Claims.ts"

/** One cell of a sweep: its label, the published numbers it is compared with, and its finished runs. */
export interface SweepCellRuns {
  readonly label: string
  readonly references: ReadonlyArray<Reference>
  /** The cell's finished runs, one per seed. */
  readonly records: ReadonlyArray<RunRecord>
}

/** One finished run on the sweep's own curve: its test error at `x`, the swept quantity (e.g. the labelled fraction), on the line `series`. */
export interface CurvePoint {
  readonly series: string
  readonly x: number
  readonly testError: number
  readonly seed: number
}

/** One activation of the sweep, sampled for the report's figure: f(x) and f'(x) at each x, under the label its legend shows (name and parameters). */
export interface ActivationShape {
  readonly label: string
  readonly x: ReadonlyArray<number>
  readonly value: ReadonlyArray<number>
  readonly derivative: ReadonlyArray<number>
}

/**
 * Two cells to compare, their runs matched by seed. `equivalenceMargin` is
 * TOST's margin in error units (default 0.002, ±0.2 percentage points).
 */
export type Comparison = readonly [a: string, b: string, options?: { readonly equivalenceMargin?: number }]

/**
 * Everything a sweep report is rendered from: the sweep's name and
 * description, its cells, the pairs to compare, its curve if it has one, the
 * activations' shapes, the runs not finished and the claims to test.
 */
export interface SweepReportInput {
  readonly name: string
  readonly description: string
  readonly cells: ReadonlyArray<SweepCellRuns>
  readonly comparisons: ReadonlyArray<Comparison>
  readonly curve?: { readonly title: string; readonly logX: boolean; readonly points: ReadonlyArray<CurvePoint> }
  readonly activations: ReadonlyArray<ActivationShape>
  /** Runs the sweep planned but that are not (yet) finished, by label. */
  readonly missing: ReadonlyArray<string>
  /** The paper's claims about effects (Claims.ts), tested in the same Holm family as the comparisons. */
  readonly claims?: ReadonlyArray<GainClaim>
}
