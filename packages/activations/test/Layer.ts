/**
 * Test helpers: the cpu backend as a shared layer, the specs every numerical
 * test covers (all names at their defaults plus non-default parameters), and
 * a runner that evaluates one activation's layer and its gradient in tfjs.
 */
import { layer } from "@effect/vitest"
import { TensorBackend } from "@rectifier/backend"
import { RandomStream, type StreamState } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { type Activation, ActivationName, type ActivationSpec } from "../src/index.ts"

export const onCpu = layer(TensorBackend.layer({ backend: "cpu" }))

export const specsUnderTest: ReadonlyArray<ActivationSpec> = [
  ...ActivationName.literals,
  { name: "softplus-rescaled", a: 6 },
  { name: "leaky-rectifier", slope: 0.2 },
  { name: "prelu", shared: true, initial: 0.1 },
  { name: "rrelu", lower: 0.05, upper: 0.5 },
  { name: "elu", alpha: 0.5 },
  { name: "swish", beta: 2.5 },
  { name: "maxout", pieces: 3 }
]

export const describeSpec = (spec: ActivationSpec): string => typeof spec === "string" ? spec : JSON.stringify(spec)

export interface LayerRun {
  readonly output: Float32Array
  /** d(Σ_ij weights_ij · output_ij) / d preActivation, row-major. */
  readonly gradient: Float32Array
  /** The same loss's gradient for each learnable parameter. */
  readonly parameterGradients: ReadonlyArray<Float32Array>
}

/**
 * Runs `activation` on `input` ([rows, units · fanInFactor], row-major) with
 * learnable parameters set to `parameterValues`. Each pass gets a fresh
 * stream from `noiseState`, so training-mode draws are the same in both.
 */
export const runLayer = (
  activation: Activation,
  input: Float32Array,
  rows: number,
  units: number,
  weights: Float32Array,
  options: {
    readonly training: boolean
    readonly noiseState: StreamState
    readonly parameterValues?: ReadonlyArray<Float32Array>
  }
): LayerRun =>
  tf.tidy(() => {
    const columns = units * activation.fanInFactor
    const z = tf.tensor2d(input, [rows, columns])
    const w = tf.tensor2d(weights, [rows, units])
    const values = options.parameterValues ?? activation.parameters(units).map((p) => p.initial)
    const parameters = values.map((v) => tf.tensor1d(v))
    const context = () => ({ training: options.training, noise: RandomStream.fromState(options.noiseState) })
    const output = activation.apply(z, parameters, context()).dataSync()
    const loss = (x: tf.Tensor, ...ps: Array<tf.Tensor>) => tf.sum(tf.mul(activation.apply(x as tf.Tensor2D, ps, context()), w))
    const grads = tf.grads(loss)([z, ...parameters])
    return {
      output: Float32Array.from(output),
      gradient: Float32Array.from(grads[0]!.dataSync()),
      parameterGradients: grads.slice(1).map((g) => Float32Array.from(g.dataSync()))
    }
  })
