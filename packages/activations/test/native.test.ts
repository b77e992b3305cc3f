/**
 * Every member of the family, forward and backward, on the native OpenBLAS
 * backend against the cpu backend (the reference): outputs and the gradients
 * for the input and each learnable parameter, with an upstream gradient of
 * the output's shape. The inputs include the kinks (0, ±1) and maxout ties,
 * where the gradients are made of comparisons and selections. Skipped where
 * the native addon is not built (no OpenBLAS at install time).
 *
 * Tolerance: 2e-6 absolute + 2e-6 relative. The native backend's sigmoid,
 * tanh, softplus and exp are vectorised polynomials within 1e-6 absolute /
 * 2e-6 relative of the cpu backend's Math functions (backend-native's own
 * tests), and a member's gradient chains several such ops; everything else
 * (comparisons, selections, splits, erf, expm1) matches the cpu backend to the
 * last bit. Measured worst: 0.19 of this (gelu-tanh's input gradient).
 */
import { assert, describe, it } from "@effect/vitest"
import { TensorBackend } from "@rectifier/backend"
import { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Layer } from "effect"
import { type Activation, family } from "../src/index.ts"

const tolerance = { absolute: 2e-6, relative: 2e-6 }

/** True when the native backend loads here; loading it registers "native" with the engine for the tests below. */
const nativeLoads = await Effect.runPromise(
  Effect.scoped(Layer.build(TensorBackend.layer({ backend: "native", threads: 1 }))).pipe(
    Effect.match({ onFailure: () => false, onSuccess: () => true })
  )
)

const rows = 6
const units = 10
const stream = RandomStream.derive(11, "activations/native")

/** Pre-activations in [-4, 4] with exact kinks (0, ±1, -0) and, for maxout, tied pieces. */
const preActivations = (columns: number): Float32Array => {
  const values = stream.fillUniform(new Float32Array(rows * columns), -4, 4)
  const kinks = [0, 1, -1, -0]
  for (let i = 0; i < values.length; i += 7) values[i] = kinks[(i / 7) % kinks.length]!
  for (let i = 0; i + 1 < values.length; i += 9) values[i + 1] = values[i]!
  return values
}

/** Output, then the gradient for the input and for each learnable parameter, on `backend`. */
const forwardBackward = async (
  backend: "native" | "cpu",
  activation: Activation,
  input: Float32Array,
  dy: Float32Array,
  noise: RandomStream
): Promise<Array<Float32Array>> => {
  const previous = tf.getBackend()
  await tf.setBackend(backend)
  try {
    return tf.tidy(() => {
      const columns = units * activation.fanInFactor
      const x = tf.tensor2d(input, [rows, columns])
      const parameters = activation.parameters(units).map((p) => tf.tensor1d(p.initial))
      const context = () => ({ training: true, noise: RandomStream.fromState(noise.state()) })
      const output = activation.apply(x, parameters, context())
      const f = (z: tf.Tensor, ...ps: Array<tf.Tensor>) => activation.apply(z as tf.Tensor2D, ps, context())
      const grads = tf.grads(f)([x, ...parameters], tf.tensor2d(dy, [rows, units]))
      return [output, ...grads].map((t) => Float32Array.from(t.dataSync()))
    })
  } finally {
    await tf.setBackend(previous)
  }
}

const violation = (actual: Float32Array, expected: Float32Array): string | undefined => {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`
  for (let i = 0; i < expected.length; i++) {
    const [a, b] = [actual[i]!, expected[i]!]
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue
    if (!(Math.abs(a - b) <= tolerance.absolute + tolerance.relative * Math.abs(b))) return `element ${i}: ${a} vs ${b}`
  }
  return undefined
}

describe.skipIf(!nativeLoads)("forward and backward on the native backend match the cpu backend", () => {
  for (const [name, activation] of Object.entries(family)) {
    it(name, async () => {
      const input = preActivations(units * activation.fanInFactor)
      const dy = stream.fillUniform(new Float32Array(rows * units), -1, 1)
      const noise = RandomStream.derive(12, `activations/native/${name}`)
      const expected = await forwardBackward("cpu", activation, input, dy, noise)
      const actual = await forwardBackward("native", activation, input, dy, noise)
      assert.strictEqual(actual.length, expected.length)
      const labels = ["output", "input gradient", ...activation.parameters(units).map((p) => `${p.name} gradient`)]
      for (let i = 0; i < expected.length; i++) {
        assert.isUndefined(violation(actual[i]!, expected[i]!), `${name} ${labels[i]}`)
      }
    })
  }
})
