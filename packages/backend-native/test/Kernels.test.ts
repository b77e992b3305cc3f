import { assert, describe, it } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { RandomStream } from "@rectifier/core"
import { beforeAll } from "vitest"
import { addonBuilt, conforms, on, setUp, uniform } from "./support.ts"

const stream = RandomStream.derive(7, "backend-native/kernels")
const dim = () => stream.integer(1, 17)
const t = (shape: ReadonlyArray<number>, low = -1, high = 1) => tf.tensor(uniform(stream, shape, low, high), [...shape])

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
