import { assert, describe, it } from "@effect/vitest"
import { TensorBackend } from "@rectifier/backend"
import { addonBuilt, type NativeBackend } from "@rectifier/backend-native"
import * as tf from "@tensorflow/tfjs-core"
import { RandomStream } from "@rectifier/core"
import { Effect } from "effect"
import { stepWeights } from "../src/WeightStep.ts"

const VISIBLE = 37
const HIDDEN = 23
const ROWS = 7

/** Seeded buffers and factors, and the step and weights the update must produce, in double precision. */
const fixture = (momentum: number, decay: number, zeroBelow = 0) => {
  const stream = RandomStream.derive(11, "weight-step")
  const weights = stream.fillUniform(new Float32Array(VISIBLE * HIDDEN), -1, 1)
  const step = stream.fillUniform(new Float32Array(VISIBLE * HIDDEN), -0.1, 0.1)
  // Visible values below `zeroBelow` are made exact zeros (pixels and binary samples are mostly zeros).
  const visibles = stream.fillUniform(new Float32Array(ROWS * VISIBLE), 0, 1).map((v) => (v < zeroBelow ? 0 : v))
  const hiddens = stream.fillUniform(new Float32Array(ROWS * HIDDEN), -0.2, 0.2)
  const expectedStep = new Float64Array(VISIBLE * HIDDEN)
  const expectedWeights = new Float64Array(VISIBLE * HIDDEN)
  for (let i = 0; i < VISIBLE; i++) {
    for (let j = 0; j < HIDDEN; j++) {
      let product = 0
      for (let r = 0; r < ROWS; r++) product += visibles[r * VISIBLE + i]! * hiddens[r * HIDDEN + j]!
      const at = i * HIDDEN + j
      expectedStep[at] = momentum * step[at]! + product - decay * weights[at]!
      expectedWeights[at] = weights[at]! + expectedStep[at]!
    }
  }
  return {
    buffers: { visible: VISIBLE, hidden: HIDDEN, weights, step, spare: stream.fillUniform(new Float32Array(VISIBLE * HIDDEN), -1, 1) },
    factors: { rows: ROWS, visibles, hiddens },
    expectedStep,
    expectedWeights
  }
}

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let most = 0
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i]! - b[i]!))
  return most
}

const checkOn = (backend: "cpu" | "native") =>
  Effect.scoped(Effect.provide(
    TensorBackend.useSync(({ capabilities }) => {
      // The native backend offers OpenBLAS for arrays (the BLAS path), cpu none (matMul and one JS pass).
      assert.strictEqual(capabilities.blas !== undefined, backend === "native")
      for (const [momentum, decay] of [[0.9, 2e-3], [0, 0], [0, 1e-2], [0.5, 0]] as const) {
        const { buffers, expectedStep, expectedWeights, factors } = fixture(momentum, decay)
        stepWeights(buffers, factors, momentum, decay, capabilities.blas)
        assert.isBelow(maxDifference(buffers.step, expectedStep), 1e-6, `step, momentum ${momentum}, decay ${decay}`)
        assert.isBelow(maxDifference(buffers.weights, expectedWeights), 1e-6, `weights, momentum ${momentum}, decay ${decay}`)
      }
    }),
    TensorBackend.layer({ backend, threads: 1 })
  ))

describe("the momentum step of the weights", () => {
  it.effect("matches the double-precision update on the cpu backend (matMul and one JS pass)", () => checkOn("cpu"))
  it.effect.skipIf(!addonBuilt())("matches it on the native backend (OpenBLAS in place)", () => checkOn("native"))
  it.effect.skipIf(!addonBuilt())("with the backend's sparse products on, skips the visibles' zeros and still matches", () =>
    Effect.scoped(Effect.provide(
      TensorBackend.useSync(({ capabilities }) => {
        const backend = tf.engine().findBackend("native") as NativeBackend
        for (const [zeroBelow, path] of [[0.8, "sparse"], [0, "dense"]] as const) {
          const { buffers, expectedStep, expectedWeights, factors } = fixture(0.9, 2e-3, zeroBelow)
          const before = { ...backend.productCounts }
          stepWeights(buffers, factors, 0.9, 2e-3, capabilities.blas)
          // 80% zeros is below the `auto` limit (35% nonzeros); dense visibles stay on sgemm.
          assert.strictEqual(backend.productCounts[path] - before[path], 1, `${path}: ${JSON.stringify(backend.productCounts)}`)
          // Summed in another order (fused multiply-adds over the nonzeros): float32 rounding of 7 terms.
          assert.isBelow(maxDifference(buffers.step, expectedStep), 1e-6, `step, ${path}`)
          assert.isBelow(maxDifference(buffers.weights, expectedWeights), 1e-6, `weights, ${path}`)
        }
      }),
      TensorBackend.layer({ backend: "native", threads: 1, sparse: "auto" })
    )))
})
