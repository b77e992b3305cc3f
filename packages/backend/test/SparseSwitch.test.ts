import { assert, describe, it } from "@effect/vitest"
import { addonBuilt } from "@rectifier/backend-native"
import * as tf from "@tensorflow/tfjs-core"
import { ConfigProvider, Effect, Exit, Layer } from "effect"
import { TensorBackend } from "../src/index.ts"

/** The environment as a ConfigProvider layer: process.env is never touched. */
const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))

/** The backend's info and one product of a mostly-zero operand, computed on it, under `env`. */
const onNative = (env: Record<string, string>) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(TensorBackend.layer({ backend: "native" }))
    const info = yield* Effect.provideContext(TensorBackend.useSync((b) => b.info), context)
    const a = tf.tensor2d([[0, 0, 2, 0], [0, 0, 0, 0], [1, 0, 0, 0]])
    const b = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]])
    const product = Array.from(tf.matMul(a, b).dataSync())
    return { info, product }
  })).pipe(withEnv(env))

describe("RECTIFIER_SPARSE", () => {
  it.live.skipIf(!addonBuilt())("auto turns native's sparse products on and says so in the record; unset leaves them off", () =>
    Effect.gen(function*() {
      const on = yield* onNative({ RECTIFIER_SPARSE: "auto" })
      assert.include(String(on.info.details["sparseProducts"]), "skip zeros at density <= 0.2")
      assert.deepStrictEqual(on.product, [10, 12, 0, 0, 1, 2])
      const off = yield* onNative({})
      assert.notProperty(off.info.details, "sparseProducts")
      assert.deepStrictEqual(off.product, on.product)
      const named = yield* onNative({ RECTIFIER_SPARSE: "off" })
      assert.notProperty(named.info.details, "sparseProducts")
    }))

  it.live("any other value is a typed error naming the variable, the value and what it takes", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.scoped(Layer.build(TensorBackend.layer({ backend: "cpu" }))).pipe(withEnv({ RECTIFIER_SPARSE: "yes" }))
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause.toString() : ""
      assert.include(error, "BackendUnavailable")
      assert.include(error, `RECTIFIER_SPARSE is "yes"; expected "auto" or "off"`)
    }))
})
