import { assert, describe, it } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { RandomStream } from "@rectifier/core"
import { beforeAll } from "vitest"
import { autoSparseProducts, type DenseActivation, type DenseLayer, NativeBackend } from "../src/index.ts"
import { addonBuilt, mismatch, on, setUp, uniform } from "./support.ts"

/** A layer's operands from a seeded stream: x with a row of zeros (pre-activations exactly the bias, some 0) and dy. */
const operands = (seed: number, batch: number, fanIn: number, fanOut: number) => {
  const stream = RandomStream.derive(seed, "backend-native/dense")
  const x = uniform(stream, [batch, fanIn])
  if (batch > 1) x.fill(0, 0, fanIn)
  const bias = uniform(stream, [fanOut], -0.2, 0.2)
  bias[0] = 0
  return { x, w: uniform(stream, [fanIn, fanOut], -0.5, 0.5), bias, dy: uniform(stream, [batch, fanOut]) }
}

type Operands = ReturnType<typeof operands>
type Layer = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D

/** The paper's alternating signs, +1 on even units and -1 on odd (activations' `alternatingSigns`). */
const signs = (units: number) => tf.tensor1d(Float32Array.from({ length: units }, (_, i) => (i % 2 === 0 ? 1 : -1)))

/**
 * tfjs's ops as the trainer composed them before the fused layer: fused product plus bias, then
 * `tf.relu` (and, for the alternating form, `mul` by the signs).
 */
const composite = (activation: DenseActivation): Layer => (x, w, b) => {
  const pre = tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D
  if (activation === "linear") return pre
  const rectified = tf.relu(pre)
  return activation === "relu" ? rectified : tf.mul(rectified, signs(pre.shape[1])) as tf.Tensor2D
}

/** The layer's output and its gradients for x, W and b under the upstream gradient dy: [y, dx, dW, db]. */
const withGradients = (layer: Layer, o: Operands, batch: number, fanIn: number, fanOut: number) => (): Array<tf.Tensor> => {
  const x = tf.tensor2d(o.x, [batch, fanIn])
  const w = tf.tensor2d(o.w, [fanIn, fanOut])
  const b = tf.tensor1d(o.bias)
  const dy = tf.tensor2d(o.dy, [batch, fanOut])
  const gradients = tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
    layer(xs as tf.Tensor2D, ws as tf.Tensor2D, bs as tf.Tensor1D)
  )([x, w, b], dy)
  return [layer(x, w, b), ...gradients]
}

/** Element for element the same float, signed zeros and NaN included. */
const identical = (a: Float32Array, b: Float32Array): string | undefined => {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `element ${i}: ${a[i]} vs ${b[i]}`
  return undefined
}

const names = ["y", "dx", "dW", "db"]

let dense: DenseLayer

describe.skipIf(!addonBuilt)("the fused dense layer", () => {
  beforeAll(async () => {
    dense = (await setUp()).denseLayer
  })

  const fused = (activation: DenseActivation): Layer => (x, w, b) => dense(x, w, b, activation)

  for (const activation of ["relu", "relu-alternating", "linear"] as const) {
    for (const [batch, fanIn, fanOut] of [[1, 9, 6], [7, 12, 16], [33, 40, 3]] as const) {
      it(`${activation}, batch ${batch}, ${fanIn} -> ${fanOut}: bit-identical to the composite on native, within 1e-5 of cpu`, async () => {
        const o = operands(batch * 100 + fanIn, batch, fanIn, fanOut)
        const mine = await on("native", withGradients(fused(activation), o, batch, fanIn, fanOut))
        const theirs = await on("native", withGradients(composite(activation), o, batch, fanIn, fanOut))
        const cpu = await on("cpu", withGradients(composite(activation), o, batch, fanIn, fanOut))
        mine.forEach((result, i) => {
          assert.deepStrictEqual(result.shape, theirs[i]!.shape, names[i])
          assert.isUndefined(identical(result.values, theirs[i]!.values), names[i])
          assert.isUndefined(mismatch(result, cpu[i]!, 1e-5, 1e-5), names[i])
        })
        // The zero row's pre-activation is the bias, exactly 0 in its first column: the rectifier's kink.
        if (activation === "relu" && batch > 1) assert.strictEqual(mine[0]!.values[0], 0)
      })
    }
  }

  it("NaN in the input: the same NaN, zeros and values as the composite", async () => {
    const o = operands(5, 4, 6, 5)
    o.x[7] = Number.NaN
    const mine = await on("native", withGradients(fused("relu"), o, 4, 6, 5))
    const theirs = await on("native", withGradients(composite("relu"), o, 4, 6, 5))
    assert.isTrue(mine[0]!.values.some(Number.isNaN))
    mine.forEach((result, i) => assert.isUndefined(identical(result.values, theirs[i]!.values), names[i]))
  })

  it("weights held in a variable (not saved for the gradient) give the same gradients as plain tensors", async () => {
    const o = operands(11, 5, 8, 7)
    const viaVariable = await on("native", () => {
      const x = tf.tensor2d(o.x, [5, 8])
      const w = tf.variable(tf.tensor2d(o.w, [8, 7]))
      const b = tf.variable(tf.tensor1d(o.bias))
      const dy = tf.tensor2d(o.dy, [5, 7])
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(dense(x, w, b, "relu"), dy)), [w, b])
      const out = [grads[w.name]!, grads[b.name]!].map((g) => g.clone())
      w.dispose()
      b.dispose()
      return out
    })
    const plain = await on("native", withGradients(fused("relu"), o, 5, 8, 7))
    assert.isUndefined(identical(viaVariable[0]!.values, plain[2]!.values), "dW")
    assert.isUndefined(identical(viaVariable[1]!.values, plain[3]!.values), "db")
  })

  it("two stacked layers with sparse products on: the masked input gradient runs, bit-identical to the composite", async () => {
    const stream = RandomStream.derive(3, "backend-native/dense-stack")
    const [batch, inputs, hidden, outputs] = [20, 30, 64, 10]
    // Mostly negative biases: few pre-activations pass the rectifier, so the mask is sparse enough.
    const values = {
      x: uniform(stream, [batch, inputs], 0, 1),
      w1: uniform(stream, [inputs, hidden], -0.3, 0.3),
      b1: uniform(stream, [hidden], -3, -1.5),
      w2: uniform(stream, [hidden, outputs], -0.3, 0.3),
      b2: uniform(stream, [outputs], -0.1, 0.1),
      dy: uniform(stream, [batch, outputs])
    }
    const stack = (first: Layer, second: Layer) => () => {
      const x = tf.tensor2d(values.x, [batch, inputs])
      const params = [
        tf.tensor2d(values.w1, [inputs, hidden]),
        tf.tensor1d(values.b1),
        tf.tensor2d(values.w2, [hidden, outputs]),
        tf.tensor1d(values.b2)
      ]
      const f = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) =>
        second(first(x, w1 as tf.Tensor2D, b1 as tf.Tensor1D), w2 as tf.Tensor2D, b2 as tf.Tensor1D)
      return tf.grads(f)(params, tf.tensor2d(values.dy, [batch, outputs]))
    }
    const backend = tf.findBackend("native") as NativeBackend
    backend.sparse = autoSparseProducts
    try {
      const before = backend.productCounts.masked
      const mine = await on("native", stack(fused("relu"), fused("linear")))
      const masked = backend.productCounts.masked - before
      const theirs = await on("native", stack(composite("relu"), composite("linear")))
      assert.strictEqual(masked, 1, "the first layer's masked input gradient")
      assert.strictEqual(backend.productCounts.masked - before, 2, "the composite takes the same path")
      mine.forEach((result, i) => assert.isUndefined(identical(result.values, theirs[i]!.values), `gradient ${i}`))
    } finally {
      backend.sparse = undefined
    }
  })

  it("the sign-alternating rectifier with sparse products on: its masked input gradient runs, within rounding of the dense path", async () => {
    const stream = RandomStream.derive(4, "backend-native/dense-alternating")
    const [batch, inputs, hidden, outputs] = [20, 30, 64, 10]
    // Negative biases leave about a tenth of the units on: a mask sparse enough, not empty.
    const values = {
      x: uniform(stream, [batch, inputs], 0, 1),
      w1: uniform(stream, [inputs, hidden], -0.3, 0.3),
      b1: uniform(stream, [hidden], -1.5, -0.8),
      w2: uniform(stream, [hidden, outputs], -0.3, 0.3),
      b2: uniform(stream, [outputs], -0.1, 0.1),
      dy: uniform(stream, [batch, outputs])
    }
    const stack = (first: Layer, second: Layer) => () => {
      const x = tf.tensor2d(values.x, [batch, inputs])
      const params = [
        tf.tensor2d(values.w1, [inputs, hidden]),
        tf.tensor1d(values.b1),
        tf.tensor2d(values.w2, [hidden, outputs]),
        tf.tensor1d(values.b2)
      ]
      const f = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) =>
        second(first(x, w1 as tf.Tensor2D, b1 as tf.Tensor1D), w2 as tf.Tensor2D, b2 as tf.Tensor1D)
      return tf.grads(f)(params, tf.tensor2d(values.dy, [batch, outputs]))
    }
    const backend = tf.findBackend("native") as NativeBackend
    const theirs = await on("native", stack(composite("relu-alternating"), composite("linear")))
    backend.sparse = autoSparseProducts
    try {
      const before = backend.productCounts.masked
      const mine = await on("native", stack(fused("relu-alternating"), fused("linear")))
      assert.strictEqual(backend.productCounts.masked - before, 1, "the first layer's masked input gradient")
      // The masked product adds in its own order (Sparse.test.ts): agreement to rounding, k = 10 terms.
      mine.forEach((result, i) => assert.isUndefined(mismatch(result, theirs[i]!, 1e-6, 1e-5), `gradient ${i}`))
      // Some of the first layer's units are on, on both signs, so the mask and the signs were both exercised.
      const dw1 = mine[0]!.values
      assert.isTrue(dw1.some((v) => v > 0) && dw1.some((v) => v < 0), "dW1 has entries of both signs")
    } finally {
      backend.sparse = undefined
    }
  })

  it("leaves no tensors or data buffers behind, and refuses to run while another backend is active", async () => {
    const o = operands(2, 6, 5, 4)
    await on("native", withGradients(fused("relu"), o, 6, 5, 4))
    const backend = tf.findBackend("native") as NativeBackend
    const tensors = tf.memory().numTensors
    const buffers = backend.numDataIds()
    await on("native", withGradients(fused("relu"), o, 6, 5, 4))
    assert.strictEqual(tf.memory().numTensors, tensors)
    assert.strictEqual(backend.numDataIds(), buffers)
    const previous = tf.getBackend()
    await tf.setBackend("cpu")
    try {
      assert.throws(
        () => tf.tidy(() => dense(tf.zeros([1, 2]), tf.zeros([2, 2]), tf.zeros([2]), "relu")),
        /native backend's dense layer ran while "cpu" is the active backend/
      )
    } finally {
      await tf.setBackend(previous)
    }
  })
})
