import { assert, describe, it } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Exit, Layer } from "effect"
import { TensorBackend } from "../src/index.ts"

const withBackend = <A, E>(backend: "cpu" | "wasm" | "auto", body: Effect.Effect<A, E, TensorBackend>) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(TensorBackend.layer({ backend }))
    return yield* Effect.provideContext(body, context)
  }))

describe("TensorBackend", () => {
  it.live("activates the named backend and reports it", () =>
    Effect.gen(function*() {
      const info = yield* withBackend("cpu", TensorBackend.useSync((b) => b.info))
      assert.strictEqual(info.name, "cpu")
      assert.strictEqual(info.requested, "cpu")
      assert.strictEqual(info.tfjsCore, tf.version_core)
    }))

  it.live("auto picks a backend that computes correctly", () =>
    Effect.gen(function*() {
      const result = yield* withBackend("auto", Effect.gen(function*() {
        const info = yield* TensorBackend.useSync((b) => b.info)
        const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]))
        return { info, values: Array.from(product.dataSync()), active: tf.getBackend() }
      }))
      assert.deepStrictEqual(result.values, [17, 39])
      assert.include(["tensorflow", "native", "wasm", "cpu"], result.info.name)
      // tfjs-node cannot be installed here, so auto must have skipped it with a reason.
      if (result.info.name !== "tensorflow") {
        assert.strictEqual(result.info.skipped[0]?.name, "tensorflow")
      }
    }))

  it.live("disposes tensors and variables the pipeline leaked, and restores the previous backend", () =>
    Effect.gen(function*() {
      yield* Effect.promise(() => tf.setBackend("cpu"))
      const before = tf.memory().numTensors
      const inside = yield* withBackend("wasm", Effect.sync(() => {
        tf.ones([3, 3])
        tf.variable(tf.zeros([2]))
        return { tensors: tf.memory().numTensors, active: tf.getBackend() }
      }))
      assert.strictEqual(inside.active, "wasm")
      assert.isAbove(inside.tensors, before)
      assert.strictEqual(tf.memory().numTensors, before)
      assert.strictEqual(tf.getBackend(), "cpu")
    }))

  it.live("a named backend that cannot load fails with a typed error naming it", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(withBackend("tensorflow" as "cpu", Effect.void))
      assert.isTrue(Exit.isFailure(exit))
      const text = String(Exit.isFailure(exit) ? exit.cause : "")
      assert.include(text, "BackendUnavailable")
      assert.include(text, "tensorflow")
    }))
})
