import { assert, describe, it } from "@effect/vitest"
import { addonBuilt } from "@rectifier/backend-native"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Layer } from "effect"
import { type BackendName, type Capabilities, type SgdSettings, TensorBackend } from "../src/index.ts"

const nativeBuilt = addonBuilt()

/** Runs `body` with the service of `backend` (selected through the layer) and returns plain values. */
const withCapabilities = <A>(backend: BackendName, body: (capabilities: Capabilities, info: TensorBackend["Service"]["info"]) => A) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(TensorBackend.layer({ backend, threads: 1 }))
    const service = yield* Effect.provideContext(TensorBackend.useSync((b) => b), context)
    tf.engine().startScope()
    try {
      return body(service.capabilities, service.info)
    } finally {
      tf.engine().endScope()
    }
  }))

const settings: ReadonlyArray<SgdSettings> = [
  { learningRate: 0.1, momentum: 0, weightDecay: 0 },
  { learningRate: 0.1, momentum: 0, weightDecay: 0.01 },
  { learningRate: 0.1, momentum: 0.9, weightDecay: 0.01 }
]

/**
 * Three updates per setting through the backend's own `sgd.update`: a weight
 * matrix from the product xᵀδ (the gradient a dense layer gets), a bias row
 * from a same-shaped gradient, and a matrix from a broadcast row (shapes that
 * differ, which no in-place update takes). Returns the final values and
 * whether the weight matrix kept its data from the second update on.
 */
const sgdSteps = (capabilities: Capabilities) =>
  settings.map((setting) => {
    const weights = tf.variable(tf.tensor2d([[0.5, -0.25, 1], [2, 0, -1]]), false)
    const bias = tf.variable(tf.tensor1d([0.1, 0.2, 0.3]), false)
    const broadcast = tf.variable(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), false)
    const velocity = setting.momentum > 0 ? tf.variable(tf.zerosLike(weights), false) : undefined
    let keptData = true
    for (let step = 0; step < 3; step++) {
      const before = weights.dataId
      tf.tidy(() => {
        const x = tf.tensor2d([[1, -1], [0.5, 2], [-0.5, 1]])
        const delta = tf.tensor2d([[0.2, -0.1, 0.4], [0.3, 0.3, -0.2], [-0.1, 0.5, 0.1]])
        capabilities.sgd.update(weights, tf.matMul(x, delta, true, false), setting, velocity)
        capabilities.sgd.update(bias, tf.tensor1d([1, -2, 0.5]), setting)
        capabilities.sgd.update(broadcast, tf.tensor1d([1, -1, 2]), setting)
      })
      if (step > 0 && weights.dataId !== before) keptData = false
    }
    const values = [weights, bias, broadcast].map((v) => Array.from(v.dataSync()))
    tf.dispose([weights, bias, broadcast, ...(velocity === undefined ? [] : [velocity])])
    return { values, keptData }
  })

const close = (actual: ReturnType<typeof sgdSteps>, expected: ReturnType<typeof sgdSteps>) =>
  actual.forEach((run, r) =>
    run.values.forEach((values, v) =>
      values.forEach((value, i) =>
        assert.approximately(value, expected[r]!.values[v]![i]!, 1e-6, `setting ${r}, variable ${v}, element ${i}`)
      )
    )
  )

describe("backend capabilities", () => {
  it.live("cpu and wasm offer their kernels only: no BLAS, the functional SGD update, transposed copies wanted", () =>
    Effect.gen(function*() {
      for (const backend of ["cpu", "wasm"] as const) {
        const capabilities = yield* withCapabilities(backend, (c) => c)
        assert.isUndefined(capabilities.blas, backend)
        assert.isFalse(capabilities.sgd.inPlace, backend)
        assert.isFalse(capabilities.transposedOperandsInPlace, backend)
      }
    }))

  it.live("the functional update gives the same steps on cpu and wasm, each a fresh tensor", () =>
    Effect.gen(function*() {
      const cpu = yield* withCapabilities("cpu", sgdSteps)
      const wasm = yield* withCapabilities("wasm", sgdSteps)
      close(wasm, cpu)
      for (const run of [...cpu, ...wasm]) assert.isFalse(run.keptData)
    }))

  it.live.skipIf(!nativeBuilt)("native offers OpenBLAS, the in-place SGD update and transposed operands read in place", () =>
    Effect.gen(function*() {
      const { capabilities, gemm, info, scaled } = yield* withCapabilities("native", (capabilities, info) => {
        const blas = capabilities.blas!
        // [[1, 2], [3, 4]]ᵀ [[1, 0], [0, 1]], then + 2 [1 1 1 1] and x0.5.
        const c = new Float32Array(4)
        blas.gemm(true, false, 2, 2, 2, Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 0, 0, 1), c)
        const gemm = Array.from(c)
        blas.axpy(2, Float32Array.of(1, 1, 1, 1), c)
        blas.scale(0.5, c)
        return { capabilities, info, gemm, scaled: Array.from(c) }
      })
      assert.isDefined(capabilities.blas)
      assert.include(capabilities.blas!.library, "OpenBLAS")
      assert.strictEqual(capabilities.blas!.library, info.details["blas"])
      assert.deepStrictEqual(gemm, [1, 3, 2, 4])
      assert.deepStrictEqual(scaled, [1.5, 2.5, 2, 3])
      assert.isTrue(capabilities.sgd.inPlace)
      assert.isTrue(capabilities.transposedOperandsInPlace)
    }))

  it.live.skipIf(!nativeBuilt)("native's update writes in place where it can, falls back where it cannot, and matches cpu", () =>
    Effect.gen(function*() {
      const cpu = yield* withCapabilities("cpu", sgdSteps)
      const native = yield* withCapabilities("native", sgdSteps)
      close(native, cpu)
      for (const run of native) assert.isTrue(run.keptData)
    }))
})
