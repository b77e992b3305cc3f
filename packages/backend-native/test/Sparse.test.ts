import { assert, describe, it } from "@effect/vitest"
import * as tf from "@tensorflow/tfjs-core"
import { RandomStream } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import { Effect } from "effect"
import { beforeAll } from "vitest"
import { loadAddon } from "../src/Addon.ts"
import { loadNativeBackend, type NativeBackend, type SparseProducts } from "../src/index.ts"
import { addonBuilt, mismatch, on, setUp } from "./support.ts"

// Conformance of the sparsity-aware products with the dense path (OpenBLAS sgemm) on the same
// operands. They add in another order than sgemm, so they agree to rounding: every element within
// atol + rtol |dense|, with atol = k 2^-22 (k products of operands in [-1, 1], each sum off by at
// most about k ulps of 1 on either side) and rtol 1e-5.

// tfjs prints its "install our node backend" banner unless PROD is set.
tf.env().set("PROD", true)

const stream = RandomStream.derive(11, "backend-native/sparse")
const tolerance = (k: number) => ({ atol: Math.max(k, 1) * 2 ** -22, rtol: 1e-5 })

/** size values in [-1, 1], each zero with probability 1 - density. */
const sparseValues = (size: number, density: number): Float32Array =>
  Float32Array.from({ length: size }, () => stream.uniform() < density ? stream.uniform() * 2 - 1 : 0)

/** A rectifier's outputs: max(0, z) for z normal around `shift` (shift -1.2 leaves about 88% zeros). */
const rectified = (size: number, shift: number): Float32Array =>
  Float32Array.from({ length: size }, () => Math.max(0, stream.normal() * 0.5 + shift * 0.5))

const sentinel = (size: number) => new Float32Array(size).fill(7)

/** MNIST's first training images as rows of 784 pixels in [0, 1] (about 81% exact zeros). */
let mnist: Float32Array
const mnistRows = (from: number, rows: number) => mnist.slice(from * 784, (from + rows) * 784)

const addon = () => loadAddon()

/** The dense product with the same alpha and beta, from the same C. */
const dense = (ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array) => {
  const out = c.slice()
  if (m * n > 0) addon().gemm(ta, tb, 1, m, n, k, alpha, a, 0, b, 0, beta, out)
  return out
}

const sparse = (ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array) => {
  const out = c.slice()
  const density = addon().sparseGemm(ta, tb, m, n, k, alpha, a, b, beta, out, 1)
  return { out, density }
}

const compare = (actual: Float32Array, expected: Float32Array, k: number, what: string) => {
  const { atol, rtol } = tolerance(k)
  const problem = mismatch({ shape: [actual.length], values: actual }, { shape: [expected.length], values: expected }, atol, rtol)
  assert.isUndefined(problem, what)
}

/** Checks op(A) op(B) for every transpose combination, with A given as the rows of op(A) (m x k). */
const checkProduct = (opA: Float32Array, m: number, k: number, n: number, label: string) => {
  // A stored transposed when op(A) = Aᵀ.
  const transposed = new Float32Array(m * k)
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) transposed[j * m + i] = opA[i * k + j]!
  const b = sparseValues(k * n, 1)
  const bt = new Float32Array(k * n)
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) bt[j * k + i] = b[i * n + j]!
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      for (const [alpha, beta] of [[1, 0], [-0.05, 1], [0.5, 0.9]] as const) {
        const a = ta ? transposed : opA
        const bb = tb ? bt : b
        const c = sparseValues(m * n, 1)
        const got = sparse(ta, tb, m, n, k, alpha, a, bb, beta, c)
        compare(got.out, dense(ta, tb, m, n, k, alpha, a, bb, beta, c), k, `${label} ta=${ta} tb=${tb} alpha=${alpha} beta=${beta}`)
      }
    }
  }
}

describe.skipIf(!addonBuilt)("sparsity-aware products match sgemm", () => {
  beforeAll(async () => {
    await setUp(1)
    const data = await Effect.runPromise(loadMnist({ trainSize: 1000, evaluationSize: 1000 }))
    mnist = data.train.inputs
  })

  it("random sparsity at several densities, shapes across the column blocks, every transpose", () => {
    for (const density of [0.02, 0.1, 0.3, 1]) {
      for (const [m, k, n] of [[7, 33, 5], [13, 50, 128], [9, 64, 130], [20, 40, 257]] as const) {
        checkProduct(sparseValues(m * k, density), m, k, n, `density ${density} ${m}x${k}x${n}`)
      }
    }
  })

  it("real patterns: MNIST pixels and rectified activations at 80-90% zeros", () => {
    const pixels = mnistRows(0, 24)
    const zeros = pixels.filter((v) => v === 0).length / pixels.length
    assert.isAbove(zeros, 0.7, "MNIST pixels are mostly exact zeros")
    checkProduct(pixels, 24, 784, 140, "MNIST pixels")
    for (const shift of [-1.2, -1.8]) {
      const h = rectified(30 * 200, shift)
      const share = h.filter((v) => v === 0).length / h.length
      assert.isTrue(share > 0.75 && share < 0.99, `rectified activations with ${share} zeros`)
      checkProduct(h, 30, 200, 129, `rectified, ${share.toFixed(2)} zeros`)
    }
  })

  it("empty and single-row operands", () => {
    checkProduct(sparseValues(1 * 40, 0.2), 1, 40, 130, "one row")
    checkProduct(sparseValues(1, 1), 1, 1, 1, "1x1")
    checkProduct(new Float32Array(6 * 20), 6, 20, 9, "all zeros")
    // Zero rows or zero columns: nothing to write; zero inner size: C = beta C, as sgemm with k = 0 leaves it.
    for (const [m, k, n] of [[0, 5, 4], [3, 5, 0], [3, 0, 4]] as const) {
      const c = sparseValues(m * n, 1)
      const got = sparse(false, false, m, n, k, 1, new Float32Array(m * k), sparseValues(k * n, 1), 1, c)
      assert.strictEqual(got.density, 0)
      assert.deepStrictEqual(Array.from(got.out), Array.from(c))
    }
    const empty = sparse(false, false, 3, 4, 0, 1, new Float32Array(0), new Float32Array(0), 0, sentinel(12))
    assert.deepStrictEqual(Array.from(empty.out), new Array(12).fill(0))
  })

  it("declines above the density limit, leaving C alone, and reports the density", () => {
    const a = Float32Array.from([1, 0, 2, 0, 0, 0, 3, 0])
    const c = sentinel(2 * 3)
    const density = addon().sparseGemm(false, false, 2, 3, 4, 1, a, sparseValues(4 * 3, 1), 0, c, 0.25)
    assert.strictEqual(density, 3 / 8)
    assert.deepStrictEqual(Array.from(c), new Array(6).fill(7))
    assert.strictEqual(addon().density(a), 3 / 8)
  })

  it("adds nothing to rows with no nonzeros when beta is 1 (the fused SGD update leaves them bit for bit)", () => {
    // op(A) = Aᵀ: the weight gradient xᵀδ; input features that are zero across the batch keep their weights.
    const batch = 6
    const features = 10
    const x = sparseValues(batch * features, 0.3)
    for (let r = 0; r < batch; r++) x[r * features + 2] = 0
    const delta = sparseValues(batch * 8, 1)
    const w = sparseValues(features * 8, 1)
    const got = sparse(true, false, features, 8, batch, -0.1, x, delta, 1, w)
    assert.deepStrictEqual(Array.from(got.out.slice(16, 24)), Array.from(w.slice(16, 24)))
    compare(got.out, dense(true, false, features, 8, batch, -0.1, x, delta, 1, w), batch, "the rest")
  })

  it("gives the same bits on two threads as on one, for products large enough to be split", () => {
    const [m, k, n] = [200, 1000, 300]
    const a = rectified(m * k, -0.5)
    const b = sparseValues(k * n, 1)
    const dy = sparseValues(m * n, 0.3)
    const z = Float32Array.from({ length: m * k }, () => stream.uniform() - 0.7)
    const run = () => {
      const forward = sparse(false, false, m, n, k, 1, a, b, 0, new Float32Array(m * n)).out
      const gradient = sparse(true, false, k, n, m, -0.01, a, dy, 1, sparseValues(k * n, 1).fill(0.5)).out
      const masked = new Float32Array(m * k)
      addon().maskedGemmNT(m, k, n, dy, b, z, masked, 1)
      return [forward, gradient, masked]
    }
    const one = run()
    addon().setThreads(2)
    try {
      const two = run()
      for (let i = 0; i < 3; i++) assert.deepStrictEqual(two[i], one[i], `product ${i}`)
    } finally {
      addon().setThreads(1)
    }
  })

  it("is deterministic: the same operands give the same bits", () => {
    const a = rectified(50 * 300, -1.2)
    const b = sparseValues(300 * 200, 1)
    const first = sparse(false, false, 50, 200, 300, 1, a, b, 0, new Float32Array(50 * 200)).out
    for (let run = 0; run < 3; run++) {
      assert.deepStrictEqual(sparse(false, false, 50, 200, 300, 1, a, b, 0, new Float32Array(50 * 200)).out, first)
    }
  })

  it("counts a NaN of op(A) as a nonzero that propagates, and skips -0 as a zero, packed or not", () => {
    // 40 columns: the compression's vector loop (16 at a time) and its scalar tail both see them.
    // At density 1 B is packed (240 nonzeros, 6 per row of B), at 0.05 it is read in place.
    for (const density of [1, 0.05]) {
      const [m, k, n] = [6, 40, 130]
      const a = sparseValues(m * k, density)
      a[1 * k + 3] = NaN
      a[2 * k + 37] = NaN
      a[3 * k + 5] = -0
      a[3 * k + 38] = -0
      const b = sparseValues(k * n, 1)
      const got = sparse(false, false, m, n, k, 1, a, b, 0, new Float32Array(m * n))
      const nonzero = a.filter((v) => v !== 0).length
      assert.closeTo(got.density, nonzero / (m * k), 1e-12, `density ${density}`)
      const want = dense(false, false, m, n, k, 1, a, b, 0, new Float32Array(m * n))
      for (const row of [1, 2]) {
        assert.isTrue(got.out.slice(row * n, (row + 1) * n).every(Number.isNaN), `row ${row} is NaN`)
      }
      for (const row of [0, 3, 4, 5]) {
        compare(got.out.slice(row * n, (row + 1) * n), want.slice(row * n, (row + 1) * n), k, `row ${row}, density ${density}`)
      }
    }
  })
})

describe.skipIf(!addonBuilt)("the masked input gradient matches (dy Wᵀ) * step(x)", () => {
  /** The dense path: sgemm, then the rectifier's gradient in one pass. */
  const reference = (m: number, n: number, k: number, dy: Float32Array, w: Float32Array, x: Float32Array) => {
    const out = new Float32Array(m * n)
    if (out.length > 0) {
      addon().gemm(false, true, 1, m, n, k, 1, dy, 0, w, 0, 0, out)
      addon().stepProduct(out, x, out)
    }
    return out
  }

  const check = (m: number, n: number, k: number, dy: Float32Array, x: Float32Array, label: string) => {
    const w = sparseValues(n * k, 1)
    const out = sentinel(m * n)
    const kept = addon().maskedGemmNT(m, n, k, dy, w, x, out, 1)
    const expected = reference(m, n, k, dy, w, x)
    compare(out, expected, k, label)
    assert.strictEqual(kept, m * n === 0 ? 0 : x.filter((v) => v > 0).length / (m * n), `${label}: kept share`)
    // Where the mask is off the entry is exactly 0 (NaN where x is NaN), never the product.
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i]!)) assert.isNaN(out[i]!, `${label} element ${i}`)
      else if (!(x[i]! > 0)) assert.strictEqual(Math.abs(out[i]!), 0, `${label} element ${i}`)
    }
  }

  it("masks from rectified pre-activations, with sparse (gathered) and dense rows of dy", () => {
    for (const [m, n, k] of [[8, 40, 100], [5, 70, 33], [12, 33, 64]] as const) {
      const x = Float32Array.from({ length: m * n }, () => stream.uniform() < 0.15 ? stream.uniform() : -stream.uniform())
      x[0] = NaN
      check(m, n, k, sparseValues(m * k, 0.1), x, `sparse dy ${m}x${n}x${k}`)
      check(m, n, k, sparseValues(m * k, 0.9), x, `dense dy ${m}x${n}x${k}`)
      check(m, n, k, rectified(m * k, -1.2), x, `rectified dy ${m}x${n}x${k}`)
    }
  })

  /**
   * The kernel's rounding as native.cc states it, one float32 rounding per operation: a row of dy
   * with at most a quarter of its k entries nonzero is read compressed (its nonzeros in index
   * order, p-th into lane p mod 16), a denser one in full (k-th entry into lane k mod 16); each
   * lane adds its products (multiply, then add) in order, the lanes are added in lane order, and
   * the entries past the last whole 16 are added after them, in order.
   */
  const exactMasked = (m: number, n: number, k: number, dy: Float32Array, w: Float32Array, x: Float32Array) => {
    const f = Math.fround
    const out = new Float32Array(m * n)
    for (let i = 0; i < m; i++) {
      const row = dy.subarray(i * k, (i + 1) * k)
      const nonzero = Array.from(row.keys()).filter((c) => row[c] !== 0)
      const positions = nonzero.length <= 0.25 * k ? nonzero : Array.from(row.keys())
      const whole = positions.length - positions.length % 16
      for (let j = 0; j < n; j++) {
        const v = x[i * n + j]!
        if (!(v > 0)) {
          out[i * n + j] = Number.isNaN(v) ? v : 0
          continue
        }
        const lanes = new Array<number>(16).fill(0)
        for (let p = 0; p < whole; p++) lanes[p % 16] = f(lanes[p % 16]! + f(row[positions[p]!]! * w[j * k + positions[p]!]!))
        let s = 0
        for (const lane of lanes) s = f(s + lane)
        for (let p = whole; p < positions.length; p++) s = f(s + f(row[positions[p]!]! * w[j * k + positions[p]!]!))
        out[i * n + j] = s
      }
    }
    return out
  }

  it("rounds as native.cc says, bit for bit, in the gathered and the dense rows alike", () => {
    // n = 75 crosses the 32-row blocks of the weights; masks keep from none to all of a block's
    // entries, so every count of kept entries in a block occurs; k = 70 leaves a tail past 16s.
    for (const [m, n, k] of [[6, 75, 70], [3, 40, 200], [4, 9, 16]] as const) {
      const dy = new Float32Array(m * k)
      for (let i = 0; i < m; i++) dy.set(sparseValues(k, [0.05, 0.2, 0.6, 1][i % 4]!), i * k)
      const w = sparseValues(n * k, 1)
      const keep = (i: number) => [0.02, 0.3, 0.7, 1][i % 4]!
      const x = Float32Array.from({ length: m * n }, (_, at) => stream.uniform() < keep(Math.floor(at / n)) ? stream.uniform() + 0.01 : -stream.uniform())
      x[1] = NaN
      const out = sentinel(m * n)
      addon().maskedGemmNT(m, n, k, dy, w, x, out, 1)
      assert.deepStrictEqual(out, exactMasked(m, n, k, dy, w, x), `${m}x${n}x${k}`)
    }
  })

  it("empty and single-row inputs", () => {
    check(1, 20, 17, sparseValues(17, 0.5), Float32Array.from({ length: 20 }, (_, j) => j % 3 - 1), "one row")
    check(0, 20, 17, new Float32Array(0), new Float32Array(0), "no rows")
    check(3, 4, 0, new Float32Array(0), Float32Array.from({ length: 12 }, (_, j) => j % 2), "zero inner size")
  })

  it("declines above the limit, leaving the output alone", () => {
    const x = Float32Array.from([1, 1, -1, 1])
    const out = sentinel(4)
    assert.strictEqual(addon().maskedGemmNT(2, 2, 3, sparseValues(6, 1), sparseValues(6, 1), x, out, 0.5), 0.75)
    assert.deepStrictEqual(Array.from(out), [7, 7, 7, 7])
  })
})

describe.skipIf(!addonBuilt)("training through tfjs with sparse products on", () => {
  const everySparse: SparseProducts = { maxDensity: 1, maxMaskDensity: 1 }
  const sizes = [784, 64, 48, 10]
  const batch = 16

  /** Four SGD steps of a rectifier MLP on MNIST pixels; the losses and the final weights. */
  const train = async (sparseProducts: SparseProducts | undefined) => {
    const loaded = await loadNativeBackend({ threads: 1, sparse: sparseProducts })
    const backend = tf.engine().findBackend("native") as NativeBackend
    const before = { ...backend.productCounts }
    const init = RandomStream.derive(3, "backend-native/sparse-training")
    const start = sizes.slice(0, -1).map((n, i) => init.fillUniform(new Float32Array(n * sizes[i + 1]!), -0.1, 0.1))
    const labels = Array.from({ length: 4 * batch }, () => init.integer(0, 9))
    const losses: Array<number> = []
    const [weights] = await on("native", () => {
      const w = start.map((values, i) => tf.variable(tf.tensor2d(values, [sizes[i]!, sizes[i + 1]!])))
      const b = sizes.slice(1).map((n) => tf.variable(tf.zeros([n])))
      for (let step = 0; step < 4; step++) {
        const x = tf.tensor2d(mnistRows(step * batch, batch), [batch, 784])
        const y = tf.cast(tf.oneHot(labels.slice(step * batch, (step + 1) * batch), 10), "float32")
        const { grads, value } = tf.variableGrads(() => {
          let h: tf.Tensor2D = x
          for (let l = 0; l < w.length; l++) {
            const z = tf.fused.matMul({ a: h, b: w[l]!, bias: b[l]! }) as tf.Tensor2D
            h = l < w.length - 1 ? tf.relu(z) : z
          }
          return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar
        }, [...w, ...b])
        losses.push(value.dataSync()[0]!)
        for (const variable of [...w, ...b]) {
          const settings = { learningRate: 0.1, momentum: 0, weightDecay: 0 }
          assert.isTrue(loaded.inPlaceSgd(variable, grads[variable.name]!, settings), "in-place update")
        }
        tf.dispose(Object.values(grads))
      }
      const out = tf.concat(w.map((v) => tf.reshape(v, [-1])))
      tf.dispose([...w, ...b])
      return out
    })
    const after = backend.productCounts
    const counts = { dense: after.dense - before.dense, sparse: after.sparse - before.sparse, masked: after.masked - before.masked }
    return { losses, weights: weights!, counts }
  }

  it("gives the dense path's losses and weights to rounding, through the sparse and masked products", async () => {
    const reference = await train(undefined)
    const sparseRun = await train(everySparse)
    await loadNativeBackend({ threads: 1 })
    assert.strictEqual(reference.counts.sparse + reference.counts.masked, 0, "off: every product on sgemm")
    // Forward 3 products and weight gradients 3 per step; 2 masked input gradients per step.
    assert.isAtLeast(sparseRun.counts.sparse, 4 * 6, JSON.stringify(sparseRun.counts))
    assert.isAtLeast(sparseRun.counts.masked, 4 * 2, JSON.stringify(sparseRun.counts))
    for (let s = 0; s < 4; s++) assert.approximately(sparseRun.losses[s]!, reference.losses[s]!, 1e-5, `loss at step ${s}`)
    assert.isUndefined(mismatch(sparseRun.weights, reference.weights, 1e-5, 1e-4))
  })
})
