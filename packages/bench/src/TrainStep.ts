/**
 * One SGD step of the rectifier MLP, written the way the trainer writes it:
 * tf.variables for W and b, forward with matMul + add + activation, softmax
 * cross-entropy, gradients by tf.variableGrads, and the SGD update.
 */
import "@rectifier/backend/gradients"
import * as tf from "@tensorflow/tfjs-core"
import { family } from "@rectifier/activations"
import { RandomStream } from "@rectifier/core"
import { sgdUpdate } from "@rectifier/backend-native"

export interface Mlp {
  readonly weights: ReadonlyArray<tf.Variable>
  readonly biases: ReadonlyArray<tf.Variable>
}

export const makeMlp = (weights: ReadonlyArray<Float32Array>, biases: ReadonlyArray<Float32Array>, sizes: ReadonlyArray<number>): Mlp => ({
  weights: weights.map((w, i) => tf.variable(tf.tensor2d(w, [sizes[i]!, sizes[i + 1]!]), true, `w${i}`)),
  biases: biases.map((b, i) => tf.variable(tf.tensor1d(b), true, `b${i}`))
})

const noise = RandomStream.derive(0, "bench/unused-noise")

/** Logits of the MLP: rectifier hidden layers, linear output. */
export const forward = (mlp: Mlp, x: tf.Tensor2D): tf.Tensor2D => {
  let h = x
  const last = mlp.weights.length - 1
  for (let i = 0; i <= last; i++) {
    const z = tf.add(tf.matMul(h, mlp.weights[i]!), mlp.biases[i]!) as tf.Tensor2D
    h = i < last ? family.rectifier.apply(z, [], { training: true, noise }) : z
  }
  return h
}

/** One step on (x, one-hot y); returns the loss before the update. */
export const trainStep = (mlp: Mlp, x: tf.Tensor2D, y: tf.Tensor2D, learningRate: number): tf.Scalar => {
  const { grads, value } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, forward(mlp, x)) as tf.Scalar)
  for (const variable of [...mlp.weights, ...mlp.biases]) sgdUpdate(variable, grads[variable.name]!, learningRate)
  tf.dispose(grads)
  return value
}
