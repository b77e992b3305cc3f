/**
 * Evaluating a model on a labelled set: classification error, and the
 * hidden activations' exact zeros, computed in chunks so memory stays small.
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

/** Runs the model over `set` (evaluation mode) in chunks of `chunk` examples. */
export const evaluate = (model: Model, set: LabelledSet, chunk: number, noise: RandomStream): Evaluation => {
  let wrong = 0
  const zeros = new Array<number>(model.hiddenWidths.length).fill(0)
  for (let start = 0; start < set.count; start += chunk) {
    const end = Math.min(set.count, start + chunk)
    const rows = end - start
    const counts = tf.tidy(() => {
      const inputs = tf.tensor2d(set.inputs.subarray(start * set.features, end * set.features), [rows, set.features])
      const { hidden, logits } = model.forward(inputs, { training: false, noise })
      const predicted = tf.argMax(logits, 1).dataSync()
      const zeroCounts = hidden.map((h) => tf.sum(tf.cast(tf.equal(h, 0), "int32")).dataSync()[0]!)
      return { predicted: Int32Array.from(predicted), zeroCounts }
    })
    for (let i = 0; i < rows; i++) if (counts.predicted[i] !== set.labels[start + i]) wrong++
    counts.zeroCounts.forEach((count, l) => (zeros[l]! += count))
  }
  return {
    error: set.count === 0 ? 0 : wrong / set.count,
    zeroFraction: zeros.map((count, l) => count / (set.count * model.hiddenWidths[l]!))
  }
}
