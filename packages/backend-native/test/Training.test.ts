import { assert, describe, it } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { RandomStream } from "@rectifier/core"
import { beforeAll } from "vitest"
import { type InPlaceSgd, NativeBackend, type SgdSettings } from "../src/index.ts"
import { addonBuilt, conforms, mismatch, on, setUp, uniform } from "./support.ts"

const sizes = [12, 16, 16, 5]
const batch = 7

/** A small MLP's parameters, input and one-hot labels, from a seeded stream. */
const problem = (seed: number) => {
  const stream = RandomStream.derive(seed, "backend-native/training")
  const weights = sizes.slice(0, -1).map((n, i) => uniform(stream, [n, sizes[i + 1]!], -0.5, 0.5))
  const biases = sizes.slice(1).map((n) => uniform(stream, [n], -0.1, 0.1))
  const x = uniform(stream, [batch, sizes[0]!], 0, 1)
  const labels = Array.from({ length: batch }, () => stream.integer(0, sizes[sizes.length - 1]! - 1))
  return { weights, biases, x, labels }
}

type Problem = ReturnType<typeof problem>

const loss = (p: ReadonlyArray<tf.Tensor>, x: tf.Tensor, y: tf.Tensor, activation: (z: tf.Tensor) => tf.Tensor) => {
  let h = x
  const layers = p.length / 2
  for (let i = 0; i < layers; i++) {
    const z = tf.add(tf.matMul(h, p[i]!), p[layers + i]!)
    h = i < layers - 1 ? activation(z) : z
  }
  return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar
}

const plain: SgdSettings = { learningRate: 0.05, momentum: 0, weightDecay: 0 }

type Update = (variable: tf.Variable, gradient: tf.Tensor, settings: SgdSettings, velocity?: tf.Variable) => void

/**
 * The reference on cpu: the functional update, op for op as @rectifier/backend
 * runs it (this package cannot import that one without a workspace cycle).
 */
const functional: Update = (variable, gradient, settings, velocity) => {
  tf.tidy(() => {
    const rate = tf.scalar(settings.learningRate)
    let g = gradient
    if (settings.weightDecay > 0) g = tf.add(g, tf.mul(tf.scalar(settings.weightDecay), variable))
    if (velocity === undefined) {
      variable.assign(tf.sub(variable, tf.mul(rate, g)))
    } else {
      velocity.assign(tf.sub(tf.mul(tf.scalar(settings.momentum), velocity), tf.mul(rate, g)))
      variable.assign(tf.add(variable, velocity))
    }
  })
}

/** The native update; every update these tests make is one it does in place. */
const inPlace = (sgd: InPlaceSgd): Update => (variable, gradient, settings, velocity) =>
  assert.isTrue(sgd(variable, gradient, settings, velocity), "the in-place update declined")

let nativeSgd: InPlaceSgd

/**
 * Trains `steps` SGD steps with tf.variableGrads and `update` (weight decay
 * on the weight matrices only, as the trainer applies it); returns the final
 * parameters' bytes and the engine's tensor and data-buffer counts after each
 * step. With `readGradients`, every gradient is read out before the update.
 */
const train = (update: Update, pr: Problem, steps: number, settings = plain, readGradients = false) => {
  const weights = pr.weights.map((w, i) => tf.variable(tf.tensor2d(w, [sizes[i]!, sizes[i + 1]!])))
  const vars = [...weights, ...pr.biases.map((b) => tf.variable(tf.tensor1d(b)))]
  const velocities = settings.momentum > 0 ? vars.map((v) => tf.variable(tf.zerosLike(v), false)) : undefined
  const x = tf.tensor2d(pr.x, [batch, sizes[0]!])
  const y = tf.oneHot(tf.tensor1d(pr.labels, "int32"), sizes[sizes.length - 1]!).toFloat()
  const counts: Array<string> = []
  for (let s = 0; s < steps; s++) {
    const { grads, value } = tf.variableGrads(() => loss(vars, x, y, tf.relu), vars)
    if (readGradients) for (const g of Object.values(grads)) g.dataSync()
    vars.forEach((v, i) => {
      const decay = i < weights.length ? settings.weightDecay : 0
      update(v, grads[v.name]!, { ...settings, weightDecay: decay }, velocities?.[i])
    })
    tf.dispose([value, ...Object.values(grads)])
    counts.push(`${tf.memory().numTensors}/${tf.memory().numDataBuffers}`)
  }
  const bytes = vars.map((v) => Float32Array.from(v.dataSync()))
  tf.dispose([...vars, ...(velocities ?? []), x, y])
  return { bytes, counts }
}

describe.skipIf(!addonBuilt)("training through the native backend", () => {
  beforeAll(async () => {
    nativeSgd = (await setUp(1)).inPlaceSgd
  })

  it("gradients of an MLP loss match the cpu backend's for each activation", async () => {
    const pr = problem(1)
    const activations: Record<string, (z: tf.Tensor) => tf.Tensor> = {
      relu: tf.relu,
      sigmoid: tf.sigmoid,
      tanh: tf.tanh,
      softplus: tf.softplus
    }
    for (const [name, activation] of Object.entries(activations)) {
      const compute = () => {
        const params = [...pr.weights.map((w, i) => tf.tensor2d(w, [sizes[i]!, sizes[i + 1]!])),
          ...pr.biases.map((b) => tf.tensor1d(b))]
        const x = tf.tensor2d(pr.x, [batch, sizes[0]!])
        const y = tf.oneHot(tf.tensor1d(pr.labels, "int32"), sizes[sizes.length - 1]!).toFloat()
        const { grads, value } = tf.valueAndGrads((...p: Array<tf.Tensor>) => loss(p, x, y, activation))(params)
        return [value, ...grads]
      }
      assert.isUndefined(await conforms(compute, 1e-6, 1e-4), name)
    }
  })

  it("training steps match the cpu backend, are bit-identical across runs, and leak no tensors", async () => {
    const pr = problem(2)
    const settingsList: ReadonlyArray<SgdSettings> = [
      plain,
      { learningRate: 0.05, momentum: 0, weightDecay: 0.01 },
      { learningRate: 0.05, momentum: 0.9, weightDecay: 0 },
      { learningRate: 0.05, momentum: 0.5, weightDecay: 0.01 }
    ]
    for (const settings of settingsList) {
      const label = JSON.stringify(settings)
      const cpu = await on("cpu", () => train(functional, pr, 20, settings).bytes.map((b) => tf.tensor(b)))
      const first = await on("native", () => {
        const run = train(inPlace(nativeSgd), pr, 20, settings)
        // Tensor and data-buffer counts are flat from step to step (warm-up step excluded).
        assert.strictEqual(new Set(run.counts.slice(1)).size, 1, `${label}: ${run.counts}`)
        return run.bytes.map((b) => tf.tensor(b))
      })
      // Reading the gradients first (which computes the deferred products) changes nothing.
      const second = await on("native", () => train(inPlace(nativeSgd), pr, 20, settings, true).bytes.map((b) => tf.tensor(b)))
      for (let i = 0; i < cpu.length; i++) {
        assert.isUndefined(mismatch(first[i]!, cpu[i]!, 1e-5, 1e-4), `${label}: parameter ${i} vs cpu`)
        assert.deepStrictEqual(Buffer.from(first[i]!.values.buffer), Buffer.from(second[i]!.values.buffer), `${label}: parameter ${i}`)
      }
    }
  })

  it("defers aᵀb until it is read, keeps its operands alive until then, and frees them with it", async () => {
    await tf.setBackend("native")
    try {
      const backend = tf.backend() as NativeBackend
      const stream = RandomStream.derive(4, "backend-native/deferred")
      const aValues = uniform(stream, [6, 4])
      const bValues = uniform(stream, [6, 5])
      const before = { tensors: tf.memory().numTensors, buffers: tf.memory().numDataBuffers, ids: backend.numDataIds() }
      // Disposed without being read: nothing is computed and nothing is left behind.
      tf.tidy(() => {
        const product = tf.matMul(tf.tensor2d(aValues, [6, 4]), tf.tensor2d(bValues, [6, 5]), true, false)
        assert.isDefined(backend.deferredProduct(product.dataId))
      })
      assert.deepStrictEqual(
        { tensors: tf.memory().numTensors, buffers: tf.memory().numDataBuffers, ids: backend.numDataIds() },
        before
      )
      // Read after its operands were disposed: still the right values.
      const a = tf.tensor2d(aValues, [6, 4])
      const b = tf.tensor2d(bValues, [6, 5])
      const product = tf.matMul(a, b, true, false)
      tf.dispose([a, b])
      const expected = await on("cpu", () => tf.matMul(tf.tensor2d(aValues, [6, 4]), tf.tensor2d(bValues, [6, 5]), true, false))
      await tf.setBackend("native")
      assert.isUndefined(mismatch({ shape: [...product.shape], values: Float32Array.from(product.dataSync()) }, expected[0]!, 1e-6, 1e-6))
      product.dispose()
      assert.deepStrictEqual(
        { tensors: tf.memory().numTensors, buffers: tf.memory().numDataBuffers, ids: backend.numDataIds() },
        before
      )
    } finally {
      await tf.setBackend("cpu")
    }
  })

  it("is bit-identical across runs with two OpenBLAS threads on larger products", async () => {
    await setUp(2)
    try {
      const stream = RandomStream.derive(3, "backend-native/threads")
      const a = uniform(stream, [300, 400])
      const b = uniform(stream, [400, 500])
      const product = () => tf.matMul(tf.tensor2d(a, [300, 400]), tf.tensor2d(b, [400, 500]), false, false)
      const [first] = await on("native", product)
      const [second] = await on("native", product)
      assert.deepStrictEqual(Buffer.from(first!.values.buffer), Buffer.from(second!.values.buffer))
    } finally {
      await setUp(1)
    }
  })

  it("the in-place update never changes a buffer that another tensor or a read-out array still sees", async () => {
    await tf.setBackend("native")
    try {
      const backend = tf.backend() as NativeBackend
      const sgdUpdate = inPlace(nativeSgd)
      const initial = tf.tensor1d([1, 2, 3])
      const v = tf.variable(initial)
      const g = tf.tensor1d([1, 1, 1])
      const rate = (learningRate: number): SgdSettings => ({ learningRate, momentum: 0, weightDecay: 0 })
      // Shares its buffer with `initial`: the update must leave `initial` alone.
      sgdUpdate(v, g, rate(0.5))
      assert.deepStrictEqual(Array.from(initial.dataSync()), [1, 2, 3])
      assert.isTrue(backend.writableInPlace(v.dataId))
      sgdUpdate(v, g, rate(0.5))
      assert.deepStrictEqual(Array.from(v.dataSync()), [0, 1, 2])
      // Read out: the next update must leave the read-out values untouched.
      const seen = v.dataSync()
      assert.isFalse(backend.writableInPlace(v.dataId))
      sgdUpdate(v, g, rate(1))
      assert.deepStrictEqual(Array.from(seen), [0, 1, 2])
      assert.deepStrictEqual(Array.from(v.dataSync()), [-1, 0, 1])
      tf.dispose([initial, v, g])
    } finally {
      await tf.setBackend("cpu")
    }
  })

  it("never recycles a buffer that a dataSync result or a slice view still sees", async () => {
    await tf.setBackend("native")
    try {
      const x = tf.tensor2d(Float32Array.from({ length: 4096 }, (_, i) => i - 2048), [64, 64])
      const y = tf.relu(x)
      const values = y.dataSync()
      const copy = Float32Array.from(values)
      const z = tf.neg(x)
      const view = tf.slice(z, [0, 0], [32, 64])
      const viewCopy = Float32Array.from(view.dataSync())
      tf.dispose([y, z])
      // Same-sized outputs that would reuse a recycled buffer.
      const later = Array.from({ length: 4 }, () => tf.mul(x, 3))
      assert.deepStrictEqual(values, copy)
      assert.deepStrictEqual(view.dataSync(), viewCopy)
      tf.dispose([x, view, ...later])
    } finally {
      await tf.setBackend("cpu")
    }
  })
})
