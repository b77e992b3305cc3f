/**
 * The SparsityAnalysis stage: how many hidden activations are exactly zero on
 * a labelled set, per layer and on average (the paper's "average exact
 * sparsity", 83.4% for its MNIST rectifier net).
 */
import { Rng } from "@rectifier/core"
import type { LabelledSet } from "@rectifier/datasets"
import { Context, Effect, Layer } from "effect"
import { evaluate } from "./Evaluation.ts"
import type { Model } from "./Model.ts"

/** Fractions of hidden activations exactly zero on a labelled set, as `SparsityAnalysis` measures them. */
export interface Sparsity {
  /** Fraction of exact zeros in each hidden layer. */
  readonly perLayer: ReadonlyArray<number>
  /** Mean of `perLayer`. */
  readonly mean: number
}

/**
 * The SparsityAnalysis stage. `SparsityAnalysis.layer` provides it and
 * requires `Rng`, whose `sparsity-noise` stream feeds stochastic activations.
 */
export class SparsityAnalysis extends Context.Service<SparsityAnalysis, {
  /** Runs `model` over `set` in evaluation mode, 1000 examples at a time, counting exact zeros per hidden layer; never fails. */
  readonly measure: (model: Model, set: LabelledSet) => Effect.Effect<Sparsity>
}>()("@rectifier/train/SparsityAnalysis") {
  static readonly layer: Layer.Layer<SparsityAnalysis, never, Rng> = Layer.effect(
    SparsityAnalysis,
    Effect.gen(function*() {
      const rng = yield* Rng
      return SparsityAnalysis.of({
        measure: Effect.fn("SparsityAnalysis.measure")(function*(model: Model, set: LabelledSet) {
          const { zeroFraction } = evaluate(model, set, 1000, rng.stream("sparsity-noise"))
          const mean = zeroFraction.length === 0
            ? 0
            : zeroFraction.reduce((a, b) => a + b, 0) / zeroFraction.length
          return { perLayer: zeroFraction, mean }
        })
      })
    })
  )
}
