/**
 * Flushing subnormal floats (`flushSubnormals`): with it on, the addon's kernels read subnormal
 * operands as 0 and write subnormal results as 0, and leave normal results exactly as they were;
 * with it off they keep IEEE's subnormals. Either way the CPU's float mode is restored when a kernel
 * returns, so JavaScript's own arithmetic on the same thread keeps its subnormals.
 */
import { assert, describe, it } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import { loadNativeBackend } from "../src/index.ts"
import { addonBuilt, on } from "./support.ts"

tf.env().set("PROD", true)

/** A subnormal float32 (below 2^-126, about 1.18e-38). */
const tiny = Math.fround(1e-39)
/** A normal float32 whose square (about 1e-40) is subnormal. */
const small = Math.fround(1e-20)

/** A product with a subnormal operand and a product (element-wise) with a subnormal result, on native. */
const compute = () =>
  Effect.promise(() =>
    on("native", () => [
      tf.matMul(tf.tensor2d([[tiny, 1], [small, 2]]), tf.tensor2d([[1, 0], [0, 1]])),
      tf.mul(tf.tensor1d([small, 3]), tf.tensor1d([small, 2]))
    ])
  ).pipe(Effect.map(([product, elementwise]) => ({ product: Array.from(product!.values), elementwise: Array.from(elementwise!.values) })))

/** 2^-1074, the smallest subnormal double, reached by halving at run time: a flushing mode would end at 0. */
const smallestDouble = () => {
  let d = 1
  for (let i = 0; i < 1074; i++) d /= 2
  return d
}

describe.skipIf(!addonBuilt)("flushing subnormals", () => {
  it.effect("off (the default): subnormal operands and results are IEEE's", () =>
    Effect.gen(function*() {
      const loaded = yield* Effect.promise(() => loadNativeBackend({ threads: 1 }))
      assert.notProperty(loaded.details, "subnormals")
      const { elementwise, product } = yield* compute()
      assert.deepStrictEqual(product, [tiny, 1, small, 2])
      assert.strictEqual(elementwise[0], Math.fround(small * small))
      assert.isAbove(elementwise[0]!, 0)
    }))

  it.effect("on: subnormals become exact zeros, normal results are unchanged, and JavaScript keeps its subnormals", () =>
    Effect.gen(function*() {
      const loaded = yield* Effect.promise(() => loadNativeBackend({ threads: 1, flushSubnormals: true }))
      assert.include(String(loaded.details["subnormals"]), "flushed to zero")
      const { elementwise, product } = yield* compute()
      assert.deepStrictEqual(product, [0, 1, small, 2])
      assert.deepStrictEqual(elementwise, [0, 6])
      // The kernels restored the float mode: V8's doubles and float32 conversions still reach subnormals.
      assert.strictEqual(smallestDouble(), 5e-324)
      assert.isAbove(Math.fround(1e-39), 0)
      // The next load sets the mode again: off, IEEE subnormals are back.
      yield* Effect.promise(() => loadNativeBackend({ threads: 1 }))
      assert.deepStrictEqual((yield* compute()).product, [tiny, 1, small, 2])
    }))

  it.effect("is refused at more than one thread, naming the thread count", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.tryPromise(() => loadNativeBackend({ threads: 2, flushSubnormals: true })))
      assert.include(String(error.cause), "flushing subnormals needs threads 1, got 2")
    }))
})
