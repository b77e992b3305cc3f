/**
 * An activation and its derivative sampled on a grid, for plots. The value
 * and the derivative come from the same forward pass and tfjs autodiff the
 * trainer uses, so a plot shows what training sees.
 *
 * Each point is one unit of a one-unit layer. Element-wise activations get x
 * as their pre-activation; gated units get x as both value and gate input
 * (GLU shows x σ(x)); Maxout's k pieces get x · c_i with c_i evenly spaced
 * in [-1, 1] (for k = 2: max(-x, x) = |x|). Learnable parameters take their
 * initial values; stochastic activations run in evaluation mode.
 */
import * as tf from "@tensorflow/tfjs-core"
import { RandomStream } from "@rectifier/core"
import type { Activation } from "./Activation.ts"

/** A sampled activation: `x`, f(x) and f'(x), each of the grid's `points` values, index for index. */
export interface ActivationSamples {
  readonly x: Float32Array
  /** f(x) */
  readonly value: Float32Array
  /** f'(x) */
  readonly derivative: Float32Array
}

/** Evenly spaced x from `from` to `to`, both included; `sampleActivation`'s default is [-5, 5] at 201 points. */
export interface SampleGrid {
  readonly from: number
  readonly to: number
  /** At least 2. */
  readonly points: number
}

/** How x is fed to the pre-activations of one unit (see the module comment). */
const spread = (activation: Activation): Float32Array => {
  const k = activation.fanInFactor
  const weights = new Float32Array(k)
  if (activation.name === "maxout") for (let i = 0; i < k; i++) weights[i] = -1 + (2 * i) / (k - 1)
  else weights.fill(1)
  return weights
}

/** Samples `activation` and its derivative at `points` evenly spaced x in [from, to]. */
export const sampleActivation = (activation: Activation, grid: SampleGrid = { from: -5, to: 5, points: 201 }): ActivationSamples => {
  const x = new Float32Array(grid.points)
  for (let i = 0; i < grid.points; i++) x[i] = grid.from + ((grid.to - grid.from) * i) / (grid.points - 1)
  const context = { training: false, noise: RandomStream.derive(0, "activation-samples") }
  const [value, derivative] = tf.tidy(() => {
    const parameters = activation.parameters(1).map((p) => tf.tensor(p.initial))
    const pattern = tf.tensor2d(spread(activation), [1, activation.fanInFactor])
    const f = (input: tf.Tensor) => activation.apply(tf.mul(input, pattern) as tf.Tensor2D, parameters, context)
    const column = tf.tensor2d(x, [grid.points, 1])
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(f(input)))
    return [f(column).dataSync(), gradient(column).dataSync()]
  })
  return { x, value: Float32Array.from(value), derivative: Float32Array.from(derivative) }
}
