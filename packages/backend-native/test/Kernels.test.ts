import { assert, describe, it } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { RandomStream } from "@rectifier/core"
import { beforeAll } from "vitest"
import type { NativeBackend } from "../src/index.ts"
import { addonBuilt, conforms, on, setUp, uniform } from "./support.ts"

const stream = RandomStream.derive(7, "backend-native/kernels")
const dim = () => stream.integer(1, 17)
const t = (shape: ReadonlyArray<number>, low = -1, high = 1) => tf.tensor(uniform(stream, shape, low, high), [...shape])

/** Special values (signed zeros, infinities, NaN) and repeated small values, so that comparisons tie often. */
const specials = [0, -0, 1, -1, 0.5, -0.5, Infinity, -Infinity, NaN, 1e-38, -3]
const pick = (shape: ReadonlyArray<number>) => {
  let size = 1
  for (const d of shape) size *= d
  return tf.tensor(Float32Array.from({ length: size }, () => specials[stream.integer(0, specials.length - 1)]!), [...shape])
}
const bools = (shape: ReadonlyArray<number>) => tf.cast(tf.greater(t(shape), 0), "bool")

/** Shape pairs that broadcast: equal, row, column, scalar, inner and outer axes, 1-element and empty. */
const broadcastPairs: ReadonlyArray<[ReadonlyArray<number>, ReadonlyArray<number>]> = [
  [[5, 7], [5, 7]],
  [[5, 7], [7]],
  [[7], [5, 7]],
  [[5, 1], [1, 7]],
  [[], [3, 4]],
  [[3, 4], []],
  [[2, 1, 3], [4, 1]],
  [[2, 3, 4, 5], [3, 1, 5]],
  [[1], [1]],
  [[0, 3], [3]],
  [[4, 0], [1]]
]

/** Runs `compute` on native and returns the dtypes of its outputs. */
const nativeDtypes = async (compute: () => tf.Tensor | Array<tf.Tensor>): Promise<Array<string>> => {
  const previous = tf.getBackend()
  await tf.setBackend("native")
  try {
    return tf.tidy(() => {
      const out = compute()
      return (Array.isArray(out) ? out : [out]).map((x) => x.dtype)
    })
  } finally {
    await tf.setBackend(previous)
  }
}

describe.skipIf(!addonBuilt)("native kernels match the cpu backend", () => {
  beforeAll(() => setUp(1))

  it("BatchMatMul with every transpose combination, batches and broadcast batches", async () => {
    for (let trial = 0; trial < 6; trial++) {
      const [m, k, n, b] = [dim(), dim(), dim(), stream.integer(2, 4)]
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const a = t(transposeA ? [m, k].reverse() : [m, k])
          const c = t(transposeB ? [k, n].reverse() : [k, n])
          assert.isUndefined(await conforms(() => tf.matMul(a, c, transposeA, transposeB), 1e-5, 1e-5))
          const a3 = t(transposeA ? [b, k, m] : [b, m, k])
          const c3 = t(transposeB ? [b, n, k] : [b, k, n])
          const c1 = t(transposeB ? [1, n, k] : [1, k, n])
          assert.isUndefined(await conforms(() => tf.matMul(a3, c3, transposeA, transposeB)))
          assert.isUndefined(await conforms(() => tf.matMul(a3, c1, transposeA, transposeB)))
        }
      }
    }
  })

  it("BatchMatMul on 1-element and empty operands (zero rows, zero inner size)", async () => {
    const cases: ReadonlyArray<[tf.Tensor2D, tf.Tensor2D, boolean]> = [
      [t([1, 1]) as tf.Tensor2D, t([1, 1]) as tf.Tensor2D, false],
      [t([0, 3]) as tf.Tensor2D, t([3, 4]) as tf.Tensor2D, false],
      [t([2, 0]) as tf.Tensor2D, t([0, 4]) as tf.Tensor2D, false],
      [t([0, 2]) as tf.Tensor2D, t([0, 4]) as tf.Tensor2D, true]
    ]
    for (const [a, b, transposeA] of cases) {
      assert.isUndefined(await conforms(() => tf.matMul(a, b, transposeA, false)), `${a.shape} x ${b.shape}`)
    }
  })

  it("_FusedMatMul with bias broadcasting and each fused activation", async () => {
    const activations = ["linear", "relu", "relu6", "sigmoid", "elu", "leakyrelu"] as const
    for (const activation of activations) {
      const [m, k, n] = [dim(), dim(), dim()]
      for (const biasShape of [[n], [1, n], [m, n], [m, 1]]) {
        const a = t([k, m])
        const b = t([n, k])
        const bias = t(biasShape)
        const fused = () =>
          tf.fused.matMul({ a, b, transposeA: true, transposeB: true, bias, activation, leakyreluAlpha: 0.3 })
        assert.isUndefined(await conforms(fused), `${activation} bias ${biasShape}`)
      }
      // A batch of products sharing one bias row (written into the output before the gemm adds onto it).
      const a3 = t([2, m, k])
      const b3 = t([2, k, n])
      const row = t([n])
      assert.isUndefined(await conforms(() => tf.fused.matMul({ a: a3, b: b3, bias: row, activation })), `${activation} batched`)
    }
  })

  it("binary ops with broadcasting, scalars, 1-element and empty tensors", async () => {
    const ops: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
      add: tf.add,
      sub: tf.sub,
      mul: tf.mul,
      div: tf.div,
      maximum: tf.maximum,
      minimum: tf.minimum,
      squaredDifference: tf.squaredDifference
    }
    const pairs: ReadonlyArray<[ReadonlyArray<number>, ReadonlyArray<number>]> = [
      [[5, 7], [5, 7]],
      [[5, 7], [7]],
      [[7], [5, 7]],
      [[5, 1], [1, 7]],
      [[], [3, 4]],
      [[3, 4], []],
      [[2, 1, 3], [4, 1]],
      [[2, 3, 4, 5], [3, 1, 5]],
      [[1], [1]],
      [[0, 3], [3]],
      [[4, 0], [1]]
    ]
    for (const [name, op] of Object.entries(ops)) {
      for (const [sa, sb] of pairs) {
        const a = t(sa)
        // Divisors kept away from zero; signs mixed.
        const b = name === "div" ? tf.mul(t(sb, 0.5, 1.5), tf.sign(t(sb))) : t(sb)
        assert.isUndefined(await conforms(() => op(a, b), 1e-6, 1e-6), `${name} ${sa} ${sb}`)
      }
    }
  })

  it("comparisons with broadcasting on signed zeros, infinities and NaN give the cpu backend's bools exactly", async () => {
    const ops: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
      greater: tf.greater,
      greaterEqual: tf.greaterEqual,
      less: tf.less,
      lessEqual: tf.lessEqual,
      equal: tf.equal,
      notEqual: tf.notEqual
    }
    for (const [name, op] of Object.entries(ops)) {
      for (const [sa, sb] of broadcastPairs) {
        const [a, b] = [pick(sa), pick(sb)]
        assert.isUndefined(await conforms(() => op(a, b), 0, 0), `${name} ${sa} ${sb}`)
        assert.deepStrictEqual(await nativeDtypes(() => op(a, b)), ["bool"], name)
      }
      // Random floats too, compared with themselves and with a shifted copy.
      const [x, shift] = [t([6, 9]), t([9], -0.2, 0.2)]
      assert.isUndefined(await conforms(() => op(x, x), 0, 0), `${name} x x`)
      assert.isUndefined(await conforms(() => op(x, tf.add(x, shift)), 0, 0), `${name} x x+row`)
    }
  })

  it("LogicalAnd and LogicalOr with broadcasting", async () => {
    for (const [sa, sb] of broadcastPairs) {
      const [a, b] = [bools(sa), bools(sb)]
      assert.isUndefined(await conforms(() => tf.logicalAnd(a, b), 0, 0), `and ${sa} ${sb}`)
      assert.isUndefined(await conforms(() => tf.logicalOr(a, b), 0, 0), `or ${sa} ${sb}`)
      assert.deepStrictEqual(await nativeDtypes(() => [tf.logicalAnd(a, b), tf.logicalOr(a, b)]), ["bool", "bool"])
    }
  })

  it("Select (tf.where) with same-shape and broadcast conditions, NaN in either branch", async () => {
    const shapes: ReadonlyArray<ReadonlyArray<number>> = [[5, 7], [2, 3, 4], [1], [0, 3], []]
    for (const shape of shapes) {
      const [condition, a, b] = [bools(shape), pick(shape), t(shape)]
      assert.isUndefined(await conforms(() => tf.where(condition, a, b), 0, 0), `${shape}`)
    }
    // A rank-1 condition over the last axis and a scalar one, broadcast by tf.where before the kernel runs.
    const [a, b, row] = [t([4, 6]), pick([4, 6]), bools([6])]
    assert.isUndefined(await conforms(() => tf.where(row, a, b), 0, 0), "row condition")
    assert.isUndefined(await conforms(() => tf.where(tf.scalar(true), a, b), 0, 0), "scalar condition")
    // Conditions that come from comparisons computed here.
    assert.isUndefined(await conforms(() => tf.where(tf.greater(a, 0), a, tf.mul(a, 0.2)), 0, 0), "leaky")
  })

  it("Prelu with a broadcast slope, and its gradient", async () => {
    const x = tf.concat([t([5, 7], -3, 3), pick([2, 7])])
    for (const alphaShape of [[7], [1], [7, 7], [], [1, 7]]) {
      const alpha = t(alphaShape, 0, 0.5)
      assert.isUndefined(await conforms(() => tf.prelu(x, alpha), 0, 0), `alpha ${alphaShape}`)
    }
    const [x2, alpha, dy] = [t([6, 8], -2, 2), t([8], 0, 0.5), t([6, 8])]
    assert.isUndefined(await conforms(() => tf.grads((a: tf.Tensor, s: tf.Tensor) => tf.prelu(a, s))([x2, alpha], dy)), "gradient")
    assert.isUndefined(await conforms(() => tf.prelu(t([0, 8]), alpha)), "empty")
  })

  it("ClipByValue with bounds that float32 rounds, infinite bounds, NaN and signed zeros", async () => {
    const x = tf.concat([t([60], -2, 2), pick([40]), tf.tensor1d([0.1, 0.7, 0.099999994, 0.70000005])])
    const bounds: ReadonlyArray<[number, number]> = [[-1, 1], [0.1, 0.7], [-Infinity, 0], [0, Infinity], [0.5, 0.5], [-0, 0]]
    for (const [low, high] of bounds) {
      assert.isUndefined(await conforms(() => tf.clipByValue(x, low, high), 0, 0), `[${low}, ${high}]`)
    }
    const dy = t([104])
    assert.isUndefined(await conforms(() => tf.grad((v: tf.Tensor) => tf.clipByValue(v, -1, 1))(x, dy), 0, 0), "gradient")
    assert.isUndefined(await conforms(() => tf.clipByValue(t([0, 2]), -1, 1)), "empty")
  })

  // Expm1 and Erf compute in double with a polynomial e^x (addon/native.cc) where the cpu kernels call
  // V8's Math.exp/expm1; rounded to float32 they agreed on every one of 2 million random inputs when
  // measured, and on this sweep they are required to agree bit for bit.
  it("Sign, Expm1 and Erf exactly as the cpu kernels, on a dense sweep, tiny and huge inputs, NaN and infinities", async () => {
    const sweep = tf.concat([
      tf.tensor1d(Float32Array.from({ length: 4001 }, (_, i) => -8 + i * 0.004)),
      t([500], -1e-3, 1e-3),
      t([200], -100, 100),
      tf.tensor1d([0, -0, NaN, Infinity, -Infinity, 1e-38, -1e-38, 1e-45, 88, 89, -104, 3.4e38])
    ])
    assert.isUndefined(await conforms(() => tf.sign(sweep), 0, 0), "sign")
    assert.isUndefined(await conforms(() => tf.expm1(sweep), 0, 0), "expm1")
    assert.isUndefined(await conforms(() => tf.erf(sweep), 0, 0), "erf")
    const [one, empty] = [t([1]), t([0, 3])]
    for (const op of [tf.sign, tf.expm1, tf.erf]) {
      assert.isUndefined(await conforms(() => op(one), 0, 0), "1 element")
      assert.isUndefined(await conforms(() => op(empty)), "empty")
    }
  })

  it("Concat along every axis, with 1-element and empty parts", async () => {
    const shapes: ReadonlyArray<ReadonlyArray<number>> = [[7], [3, 5], [2, 3, 4], [2, 3, 2, 3]]
    for (const shape of shapes) {
      for (let axis = -1; axis < shape.length; axis++) {
        const along = axis < 0 ? shape.length - 1 : axis
        const parts = [1, stream.integer(2, 5), 0, stream.integer(1, 3)].map((size) =>
          t(shape.map((d, i) => (i === along ? size : d)))
        )
        assert.isUndefined(await conforms(() => tf.concat(parts, axis), 0, 0), `${shape} axis ${axis}`)
        assert.isUndefined(await conforms(() => tf.concat([parts[1]!], axis), 0, 0), `${shape} one part`)
      }
    }
    assert.isUndefined(await conforms(() => tf.concat([t([0, 3]), t([0, 3])], 1)), "all empty")
    const [one, other] = [t([1]), t([1])]
    assert.isUndefined(await conforms(() => tf.concat([one, other])), "1-element parts")
  })

  it("SplitV along every axis, with sizes, a -1 size, empty parts and an even split", async () => {
    const shapes: ReadonlyArray<ReadonlyArray<number>> = [[9], [4, 6], [2, 6, 3], [2, 3, 4, 6]]
    for (const shape of shapes) {
      for (let axis = 0; axis < shape.length; axis++) {
        const x = t(shape)
        const n = shape[axis]!
        const sizes = [1, 0, -1, 2].map((size) => (size === 2 ? Math.min(2, n - 1) : size))
        assert.isUndefined(await conforms(() => tf.split(x, sizes, axis), 0, 0), `${shape} axis ${axis} sizes`)
        const even = n % 3 === 0 ? 3 : n % 2 === 0 ? 2 : 1
        assert.isUndefined(await conforms(() => tf.split(x, even, axis - shape.length), 0, 0), `${shape} axis ${axis} even`)
      }
    }
    assert.isUndefined(await conforms(() => tf.split(t([0, 4]), 2, 1), 0, 0), "empty")
    const one = t([1, 1])
    assert.isUndefined(await conforms(() => tf.split(one, [1], 1), 0, 0), "1 element")
    // Split and concatenate back, through the gradient: the glu family's path.
    const [z, dy] = [t([4, 10]), t([4, 5])]
    const glu = (v: tf.Tensor) => {
      const [value, gate] = tf.split(v, 2, 1)
      return tf.mul(value!, tf.sigmoid(gate!))
    }
    assert.isUndefined(await conforms(() => tf.grad(glu)(z, dy), 1e-6, 2e-6), "glu gradient")
  })

  it("ZerosLike and the cast of bools to float32 make fresh float32 buffers; bool outputs never enter the pool", async () => {
    const x = t([30, 40])
    assert.isUndefined(await conforms(() => tf.zerosLike(x), 0, 0))
    assert.isUndefined(await conforms(() => tf.cast(tf.greater(x, 0), "float32"), 0, 0))
    assert.isUndefined(await conforms(() => tf.mul(x, tf.cast(tf.equal(x, tf.max(x, 1, true)), "float32")), 0, 0))
    await tf.setBackend("native")
    try {
      const backend = tf.backend() as NativeBackend
      const held = backend.pool.heldBytes
      const mask = tf.greater(t([500, 400]), 0)
      assert.instanceOf(backend.bools(mask), Uint8Array)
      mask.dispose()
      assert.strictEqual(backend.pool.heldBytes, held)
    } finally {
      await tf.setBackend("cpu")
    }
  })

  it("unary ops and activations, including extreme inputs", async () => {
    const x = tf.concat([t([200], -6, 6), tf.tensor1d([0, -0, 30, -30, 100, -100, 1e-8, -1e-8])])
    const positive = t([100], 1e-3, 20)
    const wide = t([50], -20, 20)
    const ops: Record<string, () => tf.Tensor> = {
      relu: () => tf.relu(x),
      relu6: () => tf.relu6(tf.mul(x, 2)),
      sigmoid: () => tf.sigmoid(x),
      tanh: () => tf.tanh(x),
      softplus: () => tf.softplus(x),
      exp: () => tf.exp(wide),
      log: () => tf.log(positive),
      neg: () => tf.neg(x),
      square: () => tf.square(x),
      step: () => tf.step(x, 0.25),
      elu: () => tf.elu(x),
      leakyRelu: () => tf.leakyRelu(x, 0.1),
      abs: () => tf.abs(x),
      sqrt: () => tf.sqrt(positive),
      log1p: () => tf.log1p(positive),
      reciprocal: () => tf.reciprocal(positive)
    }
    for (const [name, op] of Object.entries(ops)) {
      assert.isUndefined(await conforms(op, 1e-6, 2e-6), name)
    }
    const one = t([1])
    const empty = t([0, 4])
    assert.isUndefined(await conforms(() => tf.relu(one)), "1 element")
    assert.isUndefined(await conforms(() => tf.sigmoid(empty)), "empty")
  })

  it("sigmoid, tanh and softplus (polynomial exp and log1p) hold 1e-6 absolute / 2e-6 relative on a dense sweep, NaN and infinities", async () => {
    const sweep = tf.tensor1d(
      Float32Array.from([...Array.from({ length: 20001 }, (_, i) => -20 + i * 0.002), NaN, Infinity, -Infinity, 1e-30])
    )
    assert.isUndefined(await conforms(() => tf.sigmoid(sweep), 1e-6, 2e-6), "sigmoid")
    assert.isUndefined(await conforms(() => tf.tanh(sweep), 1e-6, 2e-6), "tanh")
    assert.isUndefined(await conforms(() => tf.softplus(sweep), 1e-6, 2e-6), "softplus")
  })

  it("activation gradients as tfjs composes them (Step, Mul, Sub, Square, EluGrad)", async () => {
    const x = t([6, 9], -4, 4)
    const dy = t([6, 9])
    const fns: Record<string, (x: tf.Tensor) => tf.Tensor> = {
      relu: tf.relu,
      sigmoid: tf.sigmoid,
      tanh: tf.tanh,
      softplus: tf.softplus,
      elu: tf.elu,
      leakyRelu: (v) => tf.leakyRelu(v, 0.2),
      relu6: tf.relu6
    }
    for (const [name, f] of Object.entries(fns)) {
      assert.isUndefined(await conforms(() => tf.grad(f)(x, dy), 1e-6, 2e-6), name)
    }
  })

  it("dy * step(x) in one pass equals Step then Multiply, bit for bit, on signed zeros, infinities and NaN", async () => {
    const special = [0, -0, 1e-38, -1e-38, Infinity, -Infinity, NaN, 3, -3]
    const x = tf.tensor2d(Float32Array.from({ length: 36 }, (_, i) => special[i % 9]!), [4, 9])
    const dy = tf.tensor2d(Float32Array.from({ length: 36 }, (_, i) => special[Math.floor(i / 9) * 2 % 9]! + i - 18), [4, 9])
    const bits = (values: Float32Array) => Array.from(new Uint32Array(values.buffer))
    const cases: Record<string, () => tf.Tensor> = {
      "dy * step(x)": () => tf.mul(dy, tf.step(x)),
      "step(x) * dy": () => tf.mul(tf.step(x), dy),
      "step(x) read out": () => tf.step(x),
      "step(x) * step(x)": () => tf.mul(tf.step(x), tf.step(x)),
      "dy * step(x, 0.5)": () => tf.mul(dy, tf.step(x, 0.5)),
      "broadcast row": () => tf.mul(tf.step(x), tf.ones([9]))
    }
    for (const [name, compute] of Object.entries(cases)) {
      const [expected] = await on("cpu", compute)
      const [actual] = await on("native", compute)
      assert.deepStrictEqual(bits(actual!.values), bits(expected!.values), name)
    }
  })

  it("Sum and Max over axes, with keepDims, non-contiguous axes and empty tensors", async () => {
    const x = t([3, 4, 5, 6])
    const axes: ReadonlyArray<number | Array<number> | undefined> = [0, 1, 2, 3, -1, [1, 2], [0, 1, 2], [0, 2], undefined]
    for (const axis of axes) {
      for (const keepDims of [false, true]) {
        assert.isUndefined(await conforms(() => tf.sum(x, axis, keepDims)), `sum ${axis} ${keepDims}`)
        assert.isUndefined(await conforms(() => tf.max(x, axis, keepDims)), `max ${axis} ${keepDims}`)
      }
    }
    const [rowsEmpty, columnsEmpty, one, long] = [t([0, 4]), t([4, 0]), t([1]), t([20000, 3])]
    assert.isUndefined(await conforms(() => tf.sum(rowsEmpty, 0)))
    assert.isUndefined(await conforms(() => tf.sum(columnsEmpty, 1)))
    assert.isUndefined(await conforms(() => tf.sum(one)))
    // A long sum: the native kernel accumulates in double like the cpu kernel.
    assert.isUndefined(await conforms(() => tf.sum(long, 0), 1e-5, 1e-5))
  })

  it("the softmax cross-entropy loss and its gradient", async () => {
    const logits = t([8, 10], -5, 5)
    const labels = tf.oneHot(tf.tensor1d([0, 3, 9, 1, 1, 5, 7, 2], "int32"), 10).toFloat()
    assert.isUndefined(await conforms(() => tf.losses.softmaxCrossEntropy(labels, logits), 1e-6, 1e-5))
    assert.isUndefined(
      await conforms(() => tf.grad((z: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, z))(logits), 1e-6, 1e-5)
    )
    assert.isUndefined(await conforms(() => tf.logSoftmax(logits)))
  })
})

describe.skipIf(addonBuilt)("without the addon", () => {
  it("loadNativeBackend rejects with the reason and how to install OpenBLAS", async () => {
    const error = await setUp(1).then(() => undefined, (e: unknown) => e)
    assert.instanceOf(error, Error)
    assert.include((error as Error).message, "not built")
    assert.include((error as Error).message, "libopenblas-dev")
  })
})
