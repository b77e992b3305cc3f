import { assert, describe, it } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Layer } from "effect"
import { addonBuilt } from "@rectifier/backend-native"
import { type BackendChoice, type BackendInfo, TensorBackend } from "../src/index.ts"

const nativeBuilt = addonBuilt()

/** Runs `body` on `backend` (selected through the layer) and returns plain values. */
const onBackend = <A>(backend: BackendChoice, threads: number, body: (info: BackendInfo) => A) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(TensorBackend.layer({ backend, threads }))
    const info = yield* Effect.provideContext(TensorBackend.useSync((b) => b.info), context)
    tf.engine().startScope()
    try {
      return body(info)
    } finally {
      tf.engine().endScope()
    }
  }))

/** Deterministic operands in [-1, 1). */
const operand = (rows: number, columns: number, salt: number) =>
  tf.tensor2d(Float32Array.from({ length: rows * columns }, (_, i) => ((i * 7919 + salt * 104729) % 2000) / 1000 - 1), [
    rows,
    columns
  ])

/** Every transpose combination of a [m, k] x [k, n] product, as flat arrays. */
const products = () => {
  const out: Array<Array<number>> = []
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      const a = transposeA ? operand(19, 13, 1) : operand(13, 19, 1)
      const b = transposeB ? operand(11, 19, 2) : operand(19, 11, 2)
      out.push(Array.from(tf.matMul(a, b, transposeA, transposeB).dataSync()))
      // Batched, with a broadcast batch on the second operand.
      const a3 = tf.stack([a, tf.neg(a)])
      const b3 = tf.expandDims(b, 0)
      out.push(Array.from(tf.matMul(a3, b3, transposeA, transposeB).dataSync()))
    }
  }
  return out
}

const close = (actual: ReadonlyArray<ReadonlyArray<number>>, expected: ReadonlyArray<ReadonlyArray<number>>) => {
  assert.strictEqual(actual.length, expected.length)
  actual.forEach((values, i) => {
    assert.strictEqual(values.length, expected[i]!.length)
    values.forEach((v, j) => assert.approximately(v, expected[i]![j]!, 1e-5, `product ${i} element ${j}`))
  })
}

describe("backend loaders", () => {
  it.live("wasm computes transposed matmuls (explicit transpose) like the cpu backend", () =>
    Effect.gen(function*() {
      const expected = yield* onBackend("cpu", 1, products)
      const actual = yield* onBackend("wasm", 1, (info) => {
        assert.strictEqual(info.details["transposedMatMul"], "explicit transpose")
        return products()
      })
      close(actual, expected)
    }))

  it.live.skipIf(!nativeBuilt)("native loads through the layer, records its threads and computes like cpu", () =>
    Effect.gen(function*() {
      const expected = yield* onBackend("cpu", 1, products)
      const actual = yield* onBackend("native", 2, (info) => {
        assert.strictEqual(info.name, "native")
        assert.strictEqual(info.threads, 2)
        assert.strictEqual(info.details["threads"], 2)
        assert.strictEqual(tf.getBackend(), "native")
        return products()
      })
      close(actual, expected)
    }))

  it.live.skipIf(!nativeBuilt)("auto prefers native when tfjs-node is absent", () =>
    Effect.gen(function*() {
      const name = yield* onBackend("auto", 1, (info) => info.name)
      assert.include(["tensorflow", "native"], name)
    }))
})
