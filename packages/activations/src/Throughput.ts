/**
 * Forward + backward throughput of one activation on the active tfjs backend:
 * how many pre-activation elements per second go through `apply` and its
 * gradient. The benchmark command and reports compare members with it; only
 * ratios measured in the same process on the same machine mean anything.
 */
import { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import type { Activation } from "./Activation.ts"

/** The shape of `measureThroughput`'s batch and how often it is timed; default 100 rows, 1000 units, 20 repeats. */
export interface ThroughputOptions {
  readonly rows: number
  /** Output units; the layer has units · fanInFactor pre-activations. */
  readonly units: number
  /** Timed forward + backward passes (after two untimed warm-up passes). */
  readonly repeats: number
}

/** Pre-activation elements per second through forward and backward, training mode. */
export const measureThroughput = (
  activation: Activation,
  options: ThroughputOptions = { rows: 100, units: 1000, repeats: 20 }
): number => {
  const stream = RandomStream.derive(0, "throughput")
  const columns = options.units * activation.fanInFactor
  const input = stream.fillNormal(new Float32Array(options.rows * columns), 0, 2)
  const context = { training: true, noise: stream }
  const z = tf.tensor2d(input, [options.rows, columns])
  const parameters = activation.parameters(options.units).map((p) => tf.tensor1d(p.initial))
  try {
    const pass = () =>
      tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(activation.apply(x as tf.Tensor2D, parameters, context)))(z).dataSync())
    pass()
    pass()
    const started = performance.now()
    for (let i = 0; i < options.repeats; i++) pass()
    const seconds = (performance.now() - started) / 1000
    return (options.rows * columns * options.repeats) / seconds
  } finally {
    z.dispose()
    for (const p of parameters) p.dispose()
  }
}
