/**
 * Evaluating a model on a labelled set: classification error, and the
 * hidden activations' exact zeros, computed in chunks so memory stays small.
 * The per-epoch evaluation asks for the error only, which skips the zero
 * counts (three passes over every hidden layer) that only the sparsity
 * analysis reads.
 */
import type { RandomStream } from "@rectifier/core"
import type { LabelledSet } from "@rectifier/datasets"
import * as tf from "@tensorflow/tfjs-core"
import type { Model } from "./Model.ts"

/** What `evaluate` measures of a model on a labelled set. */
export interface Evaluation {
  /** Fraction of misclassified examples. */
  readonly error: number
  /** Per hidden layer: fraction of activations exactly equal to zero. */
  readonly zeroFraction: ReadonlyArray<number>
}

/** The misclassified examples of `set` and, when `countZeros`, each hidden layer's exact zeros. */
const countOver = (model: Model, set: LabelledSet, chunk: number, noise: RandomStream, countZeros: boolean) => {
  let wrong = 0
  const zeros = new Array<number>(model.hiddenWidths.length).fill(0)
  for (let start = 0; start < set.count; start += chunk) {
    const end = Math.min(set.count, start + chunk)
    const rows = end - start
    // Assigned inside, not returned: tidy walks what it returns, each element of a typed array included.
    let predicted = new Int32Array(0)
    tf.tidy(() => {
      const inputs = tf.tensor2d(set.inputs.subarray(start * set.features, end * set.features), [rows, set.features])
      const { hidden, logits } = model.forward(inputs, { training: false, noise })
      predicted = Int32Array.from(tf.argMax(logits, 1).dataSync())
      if (countZeros) hidden.forEach((h, l) => (zeros[l]! += tf.sum(tf.cast(tf.equal(h, 0), "int32")).dataSync()[0]!))
    })
    for (let i = 0; i < rows; i++) if (predicted[i] !== set.labels[start + i]) wrong++
  }
  return { wrong, zeros }
}

/** Runs the model over `set` (evaluation mode) in chunks of `chunk` examples: its error and each hidden layer's exact zeros. */
export const evaluate = (model: Model, set: LabelledSet, chunk: number, noise: RandomStream): Evaluation => {
  const { wrong, zeros } = countOver(model, set, chunk, noise, true)
  return {
    error: set.count === 0 ? 0 : wrong / set.count,
    zeroFraction: zeros.map((count, l) => count / (set.count * model.hiddenWidths[l]!))
  }
}

/** The fraction of `set` the model misclassifies (evaluation mode, chunks of `chunk` examples), as `evaluate` gives it, without counting zeros. */
export const classificationError = (model: Model, set: LabelledSet, chunk: number, noise: RandomStream): number => {
  const { wrong } = countOver(model, set, chunk, noise, false)
  return set.count === 0 ? 0 : wrong / set.count
}
