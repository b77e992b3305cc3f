/**
 * Known values (computed independently with Python's math module: erf, erfc,
 * tanh, log1p) and the derivative each member takes at its kinks, as its
 * metadata states.
 */
import { assert } from "@effect/vitest"
import { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { type ActivationSpec, resolveActivation, SELU_ALPHA, SELU_SCALE } from "../src/index.ts"
import { onCpu } from "./Layer.ts"

const evaluation = { training: false, noise: RandomStream.derive(1, "unused") }

/** Output and input gradient of a one-row layer of `units` units. */
const layerAt = (spec: ActivationSpec, row: ReadonlyArray<number>, units = 1) =>
  tf.tidy(() => {
    const activation = resolveActivation(spec)
    const parameters = activation.parameters(units).map((p) => tf.tensor1d(p.initial))
    const z = tf.tensor2d([Array.from(row)])
    const f = (x: tf.Tensor) => activation.apply(x as tf.Tensor2D, parameters, evaluation)
    return { value: Array.from(f(z).dataSync()), gradient: Array.from(tf.grad((x) => tf.sum(f(x)))(z).dataSync()) }
  })

/** [spec, pre-activations of one unit, expected output] */
const known: ReadonlyArray<readonly [ActivationSpec, ReadonlyArray<number>, number]> = [
  ["sigmoid", [2], 0.8807970779778823],
  ["tanh", [0.5], 0.46211715726000974],
  ["hard-tanh", [2], 1],
  ["hard-tanh", [-0.25], -0.25],
  ["softplus", [1], 1.3132616875182228],
  ["softplus", [-3], 0.04858735157374206],
  [{ name: "softplus-rescaled", a: 3 }, [0.5], 0.5671377593275841],
  ["rectifier", [-2], 0],
  ["rectifier", [1.5], 1.5],
  ["abs-tanh", [-0.5], 0.46211715726000974],
  ["rectified-tanh", [-0.5], 0],
  ["rectified-tanh", [0.5], 0.46211715726000974],
  ["leaky-rectifier", [-2], -0.02],
  ["prelu", [-2], -0.5],
  ["rrelu", [-3], -3 * (1 / 8 + 1 / 3) / 2],
  ["elu", [-1], -0.6321205588285577],
  [{ name: "elu", alpha: 0.5 }, [-2], -0.43233235838169365],
  ["selu", [-1], -1.1113307378125625],
  ["selu", [2], 2.101401974710961],
  ["gelu", [1], 0.8413447460685429],
  ["gelu", [-1], -0.15865525393145707],
  ["gelu", [-3], -0.004049694094890287],
  ["gelu-tanh", [1], 0.8411919906082768],
  ["gelu-tanh", [-2], -0.04540230591222494],
  ["swish", [1], 0.7310585786300049],
  [{ name: "swish", beta: 2 }, [-1], -0.11920292202211755],
  ["mish", [1], 0.8650983882673103],
  ["mish", [-2], -0.2525014826957089],
  ["maxout", [-1, 3], 3],
  [{ name: "maxout", pieces: 3 }, [0.5, -4, 0.25], 0.5],
  ["glu", [3, -1], 0.8068242641099853],
  ["reglu", [2, 3], 6],
  ["reglu", [2, -3], 0],
  ["geglu", [2, 1], 1.6826894921370859],
  ["swiglu", [2, 1], 1.4621171572600098]
]

/** [spec, pre-activations of one unit, expected input gradient] at the points where a convention decides. */
const conventions: ReadonlyArray<readonly [ActivationSpec, ReadonlyArray<number>, ReadonlyArray<number>]> = [
  ["rectifier", [0], [0]],
  ["rectified-tanh", [0], [0]],
  ["abs-tanh", [0], [0]],
  ["hard-tanh", [1], [1]],
  ["hard-tanh", [-1], [1]],
  [{ name: "leaky-rectifier", slope: 0.2 }, [0], [0.2]],
  ["prelu", [0], [0.25]],
  ["rrelu", [0], [(1 / 8 + 1 / 3) / 2]],
  [{ name: "elu", alpha: 0.5 }, [0], [0.5]],
  ["selu", [0], [SELU_SCALE * SELU_ALPHA]],
  ["reglu", [2, 0], [0, 0]],
  ["maxout", [1.5, 1.5], [1, 1]]
]

onCpu("known values and kink conventions", (it) => {
  it.effect("match values computed independently in float64", () =>
    Effect.sync(() => {
      for (const [spec, row, expected] of known) {
        const [value] = layerAt(spec, row).value
        assert.approximately(value!, expected, 1e-6 + 4e-6 * Math.abs(expected), `${JSON.stringify(spec)} at ${row}`)
      }
    }))

  it.effect("take the documented derivative at non-differentiable points", () =>
    Effect.sync(() => {
      for (const [spec, row, expected] of conventions) {
        const { gradient } = layerAt(spec, row)
        expected.forEach((g, i) => assert.approximately(gradient[i]!, g, 1e-6, `${JSON.stringify(spec)} at ${row}`))
      }
    }))

  it.effect("negate the odd units of the alternating rectifier", () =>
    Effect.sync(() => {
      assert.deepStrictEqual(layerAt("rectifier-alternating", [2, 3, -1, 4], 4).value, [2, -3, 0, -4])
    }))

  it.effect("leave no tensors behind", () =>
    Effect.sync(() => {
      const before = tf.memory().numTensors
      for (const [spec, row] of known) layerAt(spec, row)
      assert.strictEqual(tf.memory().numTensors, before)
    }))
})
