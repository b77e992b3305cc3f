/**
 * A test-only trainer: one hidden layer built the way the real trainer builds
 * it (fanOut = units · fanInFactor pre-activations, activation parameters as
 * variables, noise from a seeded stream), trained with Adam on a few hundred
 * MNIST minibatches. It exists so each activation can be shown to learn
 * before packages/train is on this branch.
 */
import { RandomStream } from "@rectifier/core"
import type { LabelledSet } from "@rectifier/datasets"
import * as tf from "@tensorflow/tfjs-core"
import { type ActivationSpec, initializeWeights, type InitializerName, resolveActivation } from "../src/index.ts"

/** 2×2 average pooling of 28×28 images to 14×14: a quarter of the arithmetic, nearly the same task. */
export const downsample = (set: LabelledSet): LabelledSet => {
  const features = 14 * 14
  const inputs = new Float32Array(set.count * features)
  for (let n = 0; n < set.count; n++) {
    for (let r = 0; r < 14; r++) {
      for (let c = 0; c < 14; c++) {
        const at = (rr: number, cc: number) => set.inputs[n * 784 + (2 * r + rr) * 28 + 2 * c + cc]!
        inputs[n * features + r * 14 + c] = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4
      }
    }
  }
  return { inputs, labels: set.labels, count: set.count, features }
}

export interface TinyOptions {
  /** Pre-activations of the hidden layer; units = floor(this / fanInFactor), so every member gets the same matmul. */
  readonly width: number
  readonly steps: number
  readonly batch: number
  readonly learningRate: number
  readonly initializer: InitializerName
  readonly seed: number
}

export interface TinyResult {
  readonly testError: number
  /** Largest absolute change of any learnable activation parameter (0 when there are none). */
  readonly parameterChange: number
}

const batchOf = (set: LabelledSet, order: Int32Array, start: number, size: number) => {
  const x = new Float32Array(size * set.features)
  const y = new Int32Array(size)
  for (let i = 0; i < size; i++) {
    const n = order[(start + i) % order.length]!
    x.set(set.inputs.subarray(n * set.features, (n + 1) * set.features), i * set.features)
    y[i] = set.labels[n]!
  }
  return { x, y }
}

/** A variable holding `initial`, which is then released (tf.variable keeps its own copy). */
const variableOf = (initial: tf.Tensor): tf.Variable => {
  const v = tf.variable(initial)
  initial.dispose()
  return v
}

export const trainTiny = (spec: ActivationSpec, train: LabelledSet, test: LabelledSet, options: TinyOptions): TinyResult => {
  const activation = resolveActivation(spec)
  const weightStream = RandomStream.derive(options.seed, "weights")
  const noise = RandomStream.derive(options.seed, "noise")
  const order = RandomStream.derive(options.seed, "order").permutation(train.count)
  const units = Math.floor(options.width / activation.fanInFactor)
  const fanOut = units * activation.fanInFactor
  const variables = {
    w1: variableOf(tf.tensor2d(initializeWeights(options.initializer, train.features, fanOut, weightStream), [train.features, fanOut])),
    b1: variableOf(tf.zeros([fanOut])),
    w2: variableOf(tf.tensor2d(initializeWeights("glorot-uniform", units, 10, weightStream), [units, 10])),
    b2: variableOf(tf.zeros([10]))
  }
  const initial = activation.parameters(units)
  const parameters = initial.map((p) => variableOf(tf.tensor1d(p.initial)))
  const logits = (x: tf.Tensor2D, training: boolean) => {
    const hidden = activation.apply(tf.add(tf.matMul(x, variables.w1), variables.b1) as tf.Tensor2D, parameters, { training, noise })
    return tf.add(tf.matMul(hidden, variables.w2), variables.b2) as tf.Tensor2D
  }
  const optimizer = tf.train.adam(options.learningRate)
  try {
    for (let step = 0; step < options.steps; step++) {
      const { x, y } = batchOf(train, order, step * options.batch, options.batch)
      tf.tidy(() => {
        const xs = tf.tensor2d(x, [options.batch, train.features])
        const targets = tf.oneHot(tf.tensor1d(y, "int32"), 10)
        optimizer.minimize(
          () => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits(xs, true))), 1))) as tf.Scalar,
          false,
          [...Object.values(variables), ...parameters]
        )
      })
    }
    const predictions = tf.tidy(() =>
      tf.argMax(logits(tf.tensor2d(test.inputs.subarray(0, test.count * test.features), [test.count, test.features]), false), 1).dataSync()
    )
    let wrong = 0
    for (let i = 0; i < test.count; i++) if (predictions[i] !== test.labels[i]) wrong++
    let parameterChange = 0
    parameters.forEach((p, k) => {
      const now = p.dataSync()
      now.forEach((v, i) => (parameterChange = Math.max(parameterChange, Math.abs(v - initial[k]!.initial[i]!))))
    })
    return { testError: wrong / test.count, parameterChange }
  } finally {
    optimizer.dispose()
    for (const v of [...Object.values(variables), ...parameters]) v.dispose()
  }
}
