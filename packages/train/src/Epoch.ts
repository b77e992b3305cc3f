/**
 * One epoch of minibatch SGD: a pass over the training set in a fresh random
 * order, the cost (with the L1 activation penalty) of each minibatch
 * minimised by one optimiser step, in slices that yield to the Effect
 * scheduler so that a long epoch stays interruptible and reports progress.
 */
import type { RandomStream } from "@rectifier/core"
import { gather, type LabelledSet } from "@rectifier/datasets"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { type Model, modelCost } from "./Model.ts"
import type { Sgd } from "./Sgd.ts"
import type { TrainingConfig } from "./TrainingConfig.ts"
import type { Divergence } from "./TrainingError.ts"
import type { TrainingHooks } from "./TrainingHooks.ts"

/** Steps run between two yields to the Effect scheduler (keeps the CLI interruptible). */
const STEPS_PER_SLICE = 50

/** A set's rows as one batch: its inputs and one-hot targets. */
export const batchOf = (set: LabelledSet, classes: number) => {
  const targets = new Float32Array(set.count * classes)
  for (let r = 0; r < set.count; r++) targets[r * classes + set.labels[r]!] = 1
  return { rows: set.count, inputs: set.inputs, targets }
}

/** One pass over the training set in a fresh random order: the mean minibatch cost, or where it diverged. */
export const runEpoch = (
  model: Model,
  optimizer: Sgd,
  learningRate: number,
  set: LabelledSet,
  classes: number,
  config: TrainingConfig,
  shuffle: RandomStream,
  noise: RandomStream,
  epoch: number,
  onSteps: TrainingHooks["onSteps"]
) =>
  Effect.gen(function*() {
    const order = shuffle.permutation(set.count)
    const steps = Math.ceil(set.count / config.batchSize)
    const context = { training: true, noise }
    let total = 0
    let seconds = 0
    for (let first = 0; first < steps; first += STEPS_PER_SLICE) {
      const last = Math.min(steps, first + STEPS_PER_SLICE)
      const failure = yield* Effect.sync(() => {
        const started = performance.now()
        try {
          for (let step = first; step < last; step++) {
            const start = step * config.batchSize
            const batch = batchOf(gather(set, order.subarray(start, Math.min(set.count, start + config.batchSize))), classes)
            const loss = tf.tidy(() => {
              const inputs = tf.tensor2d(batch.inputs, [batch.rows, set.features])
              const targets = tf.tensor2d(batch.targets, [batch.rows, classes])
              return optimizer.step(() => modelCost(model, inputs, targets, config.l1Penalty, context), learningRate)
            })
            if (!Number.isFinite(loss)) {
              const diverged: Divergence = { epoch, step: step + 1, quantity: "cost", value: String(loss), learningRate }
              return diverged
            }
            total += loss
          }
          return undefined
        } finally {
          seconds += (performance.now() - started) / 1000
        }
      })
      if (failure !== undefined) return { diverged: failure }
      onSteps?.({ epoch, step: last, steps, learningRate })
      yield* Effect.yieldNow
    }
    return { loss: total / steps, steps, seconds }
  })
