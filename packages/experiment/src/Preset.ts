/**
 * A named pipeline: what it changes from the defaults and what others
 * published for it. A preset is one run, or a sweep: cells (each a further
 * override with its own published numbers) crossed with seeds.
 */
import type { Reference, RunConfig } from "@rectifier/record"
import type { GainClaim } from "@rectifier/report"
import type { ConfigOverrides } from "./ConfigOverrides.ts"

/** One configuration of a sweep, e.g. "tanh, pre-trained". */
export interface SweepCell {
  readonly label: string
  readonly overrides: ConfigOverrides
  readonly references: ReadonlyArray<Reference>
}

/** A figure whose x axis is a swept quantity (Figure 4's labelled fraction, the softplus scale a, depth). */
export interface SweepCurve {
  readonly title: string
  /** The run's x value; a non-finite value leaves the run out of the curve (it still shows in the tables). */
  readonly x: (config: RunConfig) => number
  /** The line the run belongs to. */
  readonly series: (config: RunConfig) => string
  readonly logX?: boolean
}

/** The runs of a sweep preset: every cell crossed with every seed, and what its report compares and plots. */
export interface Sweep {
  readonly cells: ReadonlyArray<SweepCell>
  readonly seeds: ReadonlyArray<number>
  /** Pairs of cell labels whose difference the report tests (paired over seeds); default: each cell against the first. */
  readonly comparisons?: ReadonlyArray<readonly [string, string]>
  readonly curve?: SweepCurve
  /** Claims of the paper about effects (e.g. which neuron pre-training helps more), tested in the report. */
  readonly claims?: ReadonlyArray<GainClaim>
}

/** A named pipeline (`pnpm run pipeline <name>`): its overrides of the defaults, published numbers, and sweep when it has one. */
export interface Preset {
  readonly name: string
  /** One sentence: what the run reproduces. */
  readonly description: string
  readonly overrides: ConfigOverrides
  readonly references: ReadonlyArray<Reference>
  readonly sweep?: Sweep
}
