import { assert, describe, it } from "@effect/vitest"
import { addonBuilt } from "@rectifier/backend-native"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Layer } from "effect"
import { type SparseChoice, TensorBackend } from "../src/index.ts"

/** The backend's info and one product of a mostly-zero operand, computed on native with `sparse`. */
const onNative = (sparse: SparseChoice | undefined) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(TensorBackend.layer({ backend: "native", ...(sparse === undefined ? {} : { sparse }) }))
    const info = yield* Effect.provideContext(TensorBackend.useSync((b) => b.info), context)
    const a = tf.tensor2d([[0, 0, 2, 0], [0, 0, 0, 0], [1, 0, 0, 0]])
    const b = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]])
    const product = Array.from(tf.matMul(a, b).dataSync())
    return { info, product }
  }))

describe("the sparse option", () => {
  it.live.skipIf(!addonBuilt())("auto turns native's sparse products on and says so in the record; absent or off leaves them off", () =>
    Effect.gen(function*() {
      const on = yield* onNative("auto")
      assert.include(String(on.info.details["sparseProducts"]), "skip zeros at density <= 0.35")
      assert.deepStrictEqual(on.product, [10, 12, 0, 0, 1, 2])
      const absent = yield* onNative(undefined)
      assert.notProperty(absent.info.details, "sparseProducts")
      assert.deepStrictEqual(absent.product, on.product)
      const off = yield* onNative("off")
      assert.notProperty(off.info.details, "sparseProducts")
    }))
})
