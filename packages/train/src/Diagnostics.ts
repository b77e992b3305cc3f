/**
 * Per-epoch diagnostics: what explains why a net trains or not. Gradient
 * norms per layer on one fixed batch of training examples (vanishing
 * gradients with depth), and on a fixed subset of the validation set, per
 * hidden layer: exact sparsity, dead units (never active on the subset), the
 * distribution of per-unit activation probabilities, and a histogram of
 * activation values on fixed bins.
 */
import type { RandomStream } from "@rectifier/core"
import type { LabelledSet } from "@rectifier/datasets"
import * as tf from "@tensorflow/tfjs-core"
import { Schema } from "effect"
import { type Model, modelCost } from "./Model.ts"

/** Bin edges of activation histograms: below -3, then 12 bins of 0.5 to 3, then above 3. */
export const ACTIVATION_EDGES: ReadonlyArray<number> = Array.from({ length: 13 }, (_, i) => -3 + 0.5 * i)
/** Per-unit activation probabilities are binned in tenths: [0, 0.1), ..., [0.9, 1]. */
export const PROBABILITY_BINS = 10

/** One hidden layer's activations on the validation subset of `EpochDiagnostics`. */
export const LayerDiagnostics = Schema.Struct({
  /** Fraction of exact zeros. */
  sparsity: Schema.Number,
  /** Units that are zero on every example of the subset. */
  deadUnits: Schema.Int,
  /** Count of units per tenth of P(unit ≠ 0): [0, 0.1), ..., [0.9, 1]. */
  activeProbabilityHistogram: Schema.Array(Schema.Int),
  /** Counts of activation values: below the first edge, between consecutive edges, at or above the last. */
  activationHistogram: Schema.Array(Schema.Int)
})
export type LayerDiagnostics = typeof LayerDiagnostics.Type

/**
 * The diagnostics of one epoch (on unless `diagnosticExamples` is 0): gradient
 * norms per layer on a fixed training batch, and statistics per hidden layer
 * on a fixed subset of the validation set.
 */
export const EpochDiagnostics = Schema.Struct({
  /** L2 norm of the cost's gradient for each layer's weights, input side first, output layer last. */
  gradientNorms: Schema.Array(Schema.Number),
  /** Examples of the fixed training batch the gradient norms come from. */
  gradientExamples: Schema.Int,
  /** Validation examples the per-layer statistics come from. */
  examples: Schema.Int,
  /** Edges of `activationHistogram`. */
  activationEdges: Schema.Array(Schema.Number),
  layers: Schema.Array(LayerDiagnostics)
})
export type EpochDiagnostics = typeof EpochDiagnostics.Type

const binOf = (value: number, edges: ReadonlyArray<number>): number => {
  let bin = 0
  while (bin < edges.length && value >= edges[bin]!) bin++
  return bin
}

/** Gradient norms per layer of the cost on `batch` (evaluation mode; `noise` feeds stochastic units). */
export const gradientNorms = (
  model: Model,
  batch: { readonly inputs: Float32Array; readonly targets: Float32Array; readonly rows: number },
  features: number,
  classes: number,
  l1: number,
  noise: RandomStream
): Array<number> =>
  tf.tidy(() => {
    const inputs = tf.tensor2d(batch.inputs, [batch.rows, features])
    const targets = tf.tensor2d(batch.targets, [batch.rows, classes])
    const weights = model.weightVariables()
    const { grads } = tf.variableGrads(() => modelCost(model, inputs, targets, l1, { training: false, noise }), weights)
    return weights.map((w) => tf.norm(grads[w.name]!).dataSync()[0]!)
  })

/** Per-layer statistics of the hidden activations on the first `examples` rows of `set`. */
export const layerStatistics = (
  model: Model,
  set: LabelledSet,
  examples: number,
  chunk: number,
  noise: RandomStream
): Array<LayerDiagnostics> => {
  const count = Math.min(examples, set.count)
  const widths = model.hiddenWidths
  const active = widths.map((w) => new Int32Array(w))
  const zeros = widths.map(() => 0)
  const histograms = widths.map(() => new Array<number>(ACTIVATION_EDGES.length + 1).fill(0))
  for (let start = 0; start < count; start += chunk) {
    const rows = Math.min(count, start + chunk) - start
    // Assigned inside, not returned: tidy walks what it returns, each element of a typed array included.
    let outputs: Array<Float32Array> = []
    tf.tidy(() => {
      const inputs = tf.tensor2d(set.inputs.subarray(start * set.features, (start + rows) * set.features), [rows, set.features])
      outputs = model.forward(inputs, { training: false, noise }).hidden.map((h) => h.dataSync() as Float32Array)
    })
    outputs.forEach((values, l) => {
      const width = widths[l]!
      const units = active[l]!
      const histogram = histograms[l]!
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!
        if (v === 0) zeros[l]!++
        else units[i % width]!++
        histogram[binOf(v, ACTIVATION_EDGES)]!++
      }
    })
  }
  return widths.map((width, l) => {
    const probabilities = new Array<number>(PROBABILITY_BINS).fill(0)
    let dead = 0
    for (const hits of active[l]!) {
      if (hits === 0) dead++
      probabilities[Math.min(PROBABILITY_BINS - 1, Math.floor((hits / count) * PROBABILITY_BINS))]!++
    }
    return {
      sparsity: count === 0 ? 0 : zeros[l]! / (count * width),
      deadUnits: dead,
      activeProbabilityHistogram: probabilities,
      activationHistogram: histograms[l]!
    }
  })
}
