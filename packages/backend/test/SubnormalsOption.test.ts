import { assert, describe, it } from "@effect/vitest"
import { addonBuilt } from "@rectifier/backend-native"
import { Effect, Layer } from "effect"
import { type BackendChoice, TensorBackend } from "../src/index.ts"

/** The backend's info under `subnormals: "flush"`, or the failure. */
const flushing = (backend: BackendChoice) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(TensorBackend.layer({ backend, subnormals: "flush" }))
    return yield* Effect.provideContext(TensorBackend.useSync((b) => b.info), context)
  }))

describe("the subnormals option", () => {
  it.live("flush is refused on a backend that cannot set the CPU's float mode, saying so", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(flushing("wasm"))
      assert.strictEqual(error.backend, "wasm")
      assert.include(error.message, "subnormals: flush needs the native backend")
    }))

  it.live.skipIf(!addonBuilt())("auto takes native and the record says subnormals are flushed", () =>
    Effect.gen(function*() {
      const info = yield* flushing("auto")
      assert.strictEqual(info.name, "native")
      assert.include(String(info.details["subnormals"]), "flushed to zero")
      const kept = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(TensorBackend.layer({ backend: "native" }))
        return yield* Effect.provideContext(TensorBackend.useSync((b) => b.info), context)
      }))
      assert.notProperty(kept.details, "subnormals")
    }))
})
