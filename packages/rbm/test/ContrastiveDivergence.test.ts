import { assert, describe, it } from "@effect/vitest"
import { TensorBackend } from "@rectifier/backend"
import { RandomStream } from "@rectifier/core"
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import {
  cdEstimate,
  dataExpectations,
  hiddenProbabilities,
  exactFreeEnergy,
  exactLogLikelihood,
  freeEnergy,
  hiddenState,
  initialRbm,
  modelExpectations,
  type RbmParameters,
  type RbmTrainingOptions,
  type Rows,
  sampleHidden,
  toTensors,
  trainRbm,
  visibleInput
} from "../src/index.ts"

const onCpu = <A, E>(body: Effect.Effect<A, E, TensorBackend>) => Effect.scoped(Effect.provide(body, TensorBackend.layer({ backend: "cpu" })))

/** Bars and stripes on a 2 x 3 grid: every pattern whose rows, or whose columns, are uniform (10 patterns). */
const barsAndStripes = (): Rows => {
  const patterns = new Set<string>()
  for (let rows = 0; rows < 4; rows++) {
    patterns.add([0, 1].flatMap((r) => [0, 1, 2].map(() => (rows >> r) & 1)).join(""))
  }
  for (let columns = 0; columns < 8; columns++) {
    patterns.add([0, 1].flatMap(() => [0, 1, 2].map((c) => (columns >> c) & 1)).join(""))
  }
  const list = [...patterns]
  return { inputs: Float32Array.from(list.join(""), Number), count: list.length, features: 6 }
}

const repeat = (rows: Rows, times: number): Rows => {
  const inputs = new Float32Array(rows.inputs.length * times)
  for (let t = 0; t < times; t++) inputs.set(rows.inputs, t * rows.inputs.length)
  return { inputs, count: rows.count * times, features: rows.features }
}

/** A 6-4 binary RBM with weights large enough that the gradient is not trivial. */
const tinyRbm = (seed: number): RbmParameters => {
  const stream = RandomStream.derive(seed, "tiny")
  return {
    visibleUnits: "bernoulli",
    hiddenUnits: "bernoulli",
    visible: 6,
    hidden: 4,
    weights: stream.fillNormal(new Float32Array(24), 0, 0.7),
    visibleBias: stream.fillNormal(new Float32Array(6), 0, 0.3),
    hiddenBias: stream.fillNormal(new Float32Array(4), 0, 0.3)
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

/**
 * The expectation of the CD-1 update (probabilities for the reconstruction),
 * by enumerating the sampled hidden state h0 of every data row.
 */
const expectedCd1 = (rbm: RbmParameters, data: Rows): Float64Array => {
  const update = new Float64Array(rbm.visible * rbm.hidden)
  const hiddenProbabilities = (v: ArrayLike<number>) =>
    Array.from({ length: rbm.hidden }, (_, j) => {
      let x = rbm.hiddenBias[j]!
      for (let i = 0; i < rbm.visible; i++) x += v[i]! * rbm.weights[i * rbm.hidden + j]!
      return sigmoid(x)
    })
  for (let r = 0; r < data.count; r++) {
    const v0 = data.inputs.subarray(r * rbm.visible, (r + 1) * rbm.visible)
    const p0 = hiddenProbabilities(v0)
    for (let s = 0; s < 2 ** rbm.hidden; s++) {
      const h0 = hiddenState(rbm.hidden, s)
      let probability = 1
      for (let j = 0; j < rbm.hidden; j++) probability *= h0[j] === 1 ? p0[j]! : 1 - p0[j]!
      const v1 = Array.from({ length: rbm.visible }, (_, i) => {
        let x = rbm.visibleBias[i]!
        for (let j = 0; j < rbm.hidden; j++) x += rbm.weights[i * rbm.hidden + j]! * h0[j]!
        return sigmoid(x)
      })
      const p1 = hiddenProbabilities(v1)
      for (let i = 0; i < rbm.visible; i++) {
        for (let j = 0; j < rbm.hidden; j++) {
          update[i * rbm.hidden + j]! += (probability * (v0[i]! * p0[j]! - v1[i]! * p1[j]!)) / data.count
        }
      }
    }
  }
  return update
}

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

const guide = {
  learningRate: 0.1,
  batchSize: 10,
  method: "cd" as const,
  k: 1,
  reconstruction: "probabilities" as const,
  initialMomentum: 0.5,
  finalMomentum: 0.9,
  momentumSwitchEpoch: 5,
  weightCost: 2e-4,
  monitorSize: 1000,
  exactLikelihoodMaxHidden: 16
}

describe("contrastive divergence", () => {
  it.live("the mean of many CD-1 estimates equals the exact expected CD-1 update", () =>
    onCpu(Effect.sync(() => {
      const rbm = tinyRbm(1)
      const data = barsAndStripes()
      const replicas = 4000
      const estimate = tf.tidy(() => {
        const tensors = toTensors(rbm)
        const batch = repeat(data, replicas)
        const result = cdEstimate(tensors, tf.tensor2d(batch.inputs, [batch.count, 6]), { k: 1, reconstruction: "probabilities" }, RandomStream.derive(7, "cd"))
        return result.weights.dataSync()
      })
      const exact = expectedCd1(rbm, data)
      // Each entry averages 40,000 terms bounded by 1: the Monte Carlo standard error is below 0.003.
      assert.isBelow(maxDifference(estimate, exact), 0.012)
      // And CD-1 is a biased estimator: its expectation differs from the true gradient here.
      const model = modelExpectations(rbm)
      const positive = dataExpectations(rbm, data)
      const gradient = positive.visibleHidden.map((value, i) => value - model.visibleHidden[i]!)
      assert.isAbove(maxDifference(exact, gradient), 0.03)
    })))

  it.live("CD-k with sampled reconstructions and large k estimates the exact log-likelihood gradient", () =>
    onCpu(Effect.sync(() => {
      const rbm = tinyRbm(2)
      const data = barsAndStripes()
      const estimate = tf.tidy(() => {
        const tensors = toTensors(rbm)
        const batch = repeat(data, 4000)
        const result = cdEstimate(tensors, tf.tensor2d(batch.inputs, [batch.count, 6]), { k: 25, reconstruction: "samples" }, RandomStream.derive(8, "cd"))
        return {
          weights: result.weights.dataSync(),
          visibleBias: result.visibleBias.dataSync(),
          hiddenBias: result.hiddenBias.dataSync()
        }
      })
      const model = modelExpectations(rbm)
      const positive = dataExpectations(rbm, data)
      assert.isBelow(maxDifference(estimate.weights, positive.visibleHidden.map((p, i) => p - model.visibleHidden[i]!)), 0.015)
      assert.isBelow(maxDifference(estimate.visibleBias, positive.visible.map((p, i) => p - model.visible[i]!)), 0.015)
      assert.isBelow(maxDifference(estimate.hiddenBias, positive.hidden.map((p, i) => p - model.hidden[i]!)), 0.015)
    })))

  it.live("free energies on tensors match the double-precision reference", () =>
    onCpu(Effect.sync(() => {
      const data = barsAndStripes()
      for (const visibleUnits of ["bernoulli", "gaussian"] as const) {
        const rbm = { ...tinyRbm(3), visibleUnits }
        const values = tf.tidy(() => {
          const tensors = toTensors(rbm)
          return freeEnergy(tensors, tf.tensor2d(data.inputs, [data.count, 6])).dataSync()
        })
        for (let r = 0; r < data.count; r++) {
          const exact = exactFreeEnergy(rbm, data.inputs.subarray(r * 6, r * 6 + 6))
          assert.closeTo(values[r]!, exact, 1e-4 * (1 + Math.abs(exact)))
        }
      }
    })))

  it.live("binary samples are on exactly where the probability exceeds its uniform draw", () =>
    onCpu(Effect.sync(() => {
      // Inputs from certain off to certain on, and many near 0 (probabilities near the draws).
      const input = RandomStream.derive(10, "inputs").fillNormal(new Float32Array(4000), 0, 3)
      input.set([-Infinity, Infinity, -100, 100, 0])
      const stream = RandomStream.derive(10, "bernoulli")
      const draws = RandomStream.fromState(stream.state()).fillUniform(new Float32Array(input.length), 0, 1)
      const { probabilities, states } = tf.tidy(() => {
        const x = tf.tensor2d(input, [40, 100])
        return { probabilities: tf.sigmoid(x).dataSync(), states: sampleHidden("bernoulli", x, stream).dataSync() }
      })
      const expected = Float32Array.from(probabilities, (p, i) => (p > draws[i]! ? 1 : 0))
      assert.deepStrictEqual(states, expected)
      assert.deepStrictEqual(Array.from(states.subarray(0, 4)), [0, 1, 0, 1])
    })))

  it.live("noisy rectified units have the mean of max(0, x + N(0, sigmoid(x)))", () =>
    onCpu(Effect.sync(() => {
      const inputs = [-1.5, -0.3, 0, 0.8, 2.5]
      const rows = 20000
      const means = tf.tidy(() => {
        const x = tf.tile(tf.tensor2d([inputs]), [rows, 1]) as tf.Tensor2D
        return tf.mean(sampleHidden("nrelu", x, RandomStream.derive(9, "nrelu")), 0).dataSync()
      })
      // E[max(0, Y)] for Y ~ N(x, s^2) is x Phi(x / s) + s phi(x / s).
      const phi = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI)
      const Phi = (z: number) => {
        // Abramowitz & Stegun 7.1.26 for erf, error below 1.5e-7.
        const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2)
        const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t *
            Math.exp(-z * z / 2)
        return z >= 0 ? (1 + y) / 2 : (1 - y) / 2
      }
      inputs.forEach((x, j) => {
        const s = Math.sqrt(sigmoid(x))
        assert.closeTo(means[j]!, x * Phi(x / s) + s * phi(x / s), 0.02)
      })
    })))
})

describe("RBM training", () => {
  // Persistent chains cannot follow the fast weight changes of momentum 0.9 at this scale: PCD keeps 0.5.
  const schedules = {
    cd: { learningRate: 0.1, finalMomentum: 0.9, epochs: 40, gain: 0.8 },
    pcd: { learningRate: 0.05, finalMomentum: 0.5, epochs: 150, gain: 0.5 }
  }
  for (const method of ["cd", "pcd"] as const) {
    const schedule = schedules[method]
    it.live(`${method} raises the exact log-likelihood of bars and stripes`, () =>
      onCpu(Effect.gen(function*() {
        const data = repeat(barsAndStripes(), 10)
        const initial = initialRbm(
          { visibleUnits: "bernoulli", hiddenUnits: "bernoulli", hidden: 4, initialStd: 0.01 },
          data,
          RandomStream.derive(11, "init")
        )
        const before = exactLogLikelihood(initial, barsAndStripes())
        const { curve, rbm } = yield* trainRbm(
          initial,
          { ...guide, method, ...schedule },
          data,
          barsAndStripes(),
          { order: RandomStream.derive(11, "order"), sampling: RandomStream.derive(11, "sampling"), monitor: RandomStream.derive(11, "monitor") }
        )
        const after = exactLogLikelihood(rbm, barsAndStripes())
        const last = curve[schedule.epochs - 1]!
        assert.strictEqual(curve.length, schedule.epochs)
        assert.closeTo(last.logLikelihoodValidation!, after, 1e-4)
        // A model of independent pixels reaches -6 ln 2 = -4.16 nats at best; the 10 patterns are at -2.30.
        assert.isBelow(before, -4.1)
        assert.isAbove(after, before + schedule.gain)
        assert.isAbove(last.logLikelihoodTrain!, curve[0]!.logLikelihoodTrain!)
        assert.isBelow(last.reconstructionError, curve[0]!.reconstructionError)
      })))
  }

  /**
   * PCD-1 in double precision with the draws of `trainRbm`, in its order: each
   * epoch a permutation from the order stream; each batch, on the sampling
   * stream, the chains' first hidden states (first batch only, a sample of the
   * data's hidden probabilities), the visible sample of the negative phase
   * (sampled reconstructions only), then the chains' next hidden states (with
   * probability reconstructions after a visible sample of their own).
   */
  const referencePcd1 = (rbm: RbmParameters, data: Rows, options: RbmTrainingOptions, seed: number) => {
    const { hidden, visible } = rbm
    const weights = Float64Array.from(rbm.weights)
    const visibleBias = Float64Array.from(rbm.visibleBias)
    const hiddenBias = Float64Array.from(rbm.hiddenBias)
    const weightStep = new Float64Array(weights.length)
    const visibleStep = new Float64Array(visible)
    const hiddenStep = new Float64Array(hidden)
    const order = RandomStream.derive(seed, "order")
    const sampling = RandomStream.derive(seed, "sampling")
    const hiddenGiven = (v: ArrayLike<number>) =>
      Array.from({ length: hidden }, (_, j) => {
        let x = hiddenBias[j]!
        for (let i = 0; i < visible; i++) x += v[i]! * weights[i * hidden + j]!
        return sigmoid(x)
      })
    const visibleGiven = (h: ArrayLike<number>) =>
      Array.from({ length: visible }, (_, i) => {
        let x = visibleBias[i]!
        for (let j = 0; j < hidden; j++) x += weights[i * hidden + j]! * h[j]!
        return sigmoid(x)
      })
    /** One uniform per unit, row after row, as `bernoulli` draws them. */
    const sample = (probabilities: Array<Array<number>>) => {
      const u = sampling.fillUniform(new Float32Array(probabilities.length * probabilities[0]!.length), 0, 1)
      return probabilities.map((row, r) => row.map((p, c) => (p > u[r * row.length + c]! ? 1 : 0)))
    }
    let chain: Array<Array<number>> | undefined
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const momentum = epoch < options.momentumSwitchEpoch ? options.initialMomentum : options.finalMomentum
      const permutation = order.permutation(data.count)
      for (let start = 0; start < data.count; start += options.batchSize) {
        const rows = Array.from({ length: Math.min(options.batchSize, data.count - start) }, (_, r) => {
          const at = permutation[start + r]! * visible
          return Array.from(data.inputs.subarray(at, at + visible))
        })
        const positive = rows.map(hiddenGiven)
        chain ??= sample(positive)
        const means = chain.map(visibleGiven)
        const negativeVisible = options.reconstruction === "samples" ? sample(means) : means
        const negative = negativeVisible.map(hiddenGiven)
        chain = sample(options.reconstruction === "samples" ? negative : sample(means).map(hiddenGiven))
        const rate = options.learningRate
        for (let i = 0; i < visible; i++) {
          for (let j = 0; j < hidden; j++) {
            let gradient = 0
            rows.forEach((v, r) => (gradient += (v[i]! * positive[r]![j]!) / rows.length))
            negativeVisible.forEach((v, r) => (gradient -= (v[i]! * negative[r]![j]!) / negativeVisible.length))
            const at = i * hidden + j
            weightStep[at] = momentum * weightStep[at]! + rate * gradient - rate * options.weightCost * weights[at]!
          }
        }
        for (let i = 0; i < visible; i++) {
          let gradient = 0
          rows.forEach((v) => (gradient += v[i]! / rows.length))
          negativeVisible.forEach((v) => (gradient -= v[i]! / negativeVisible.length))
          visibleStep[i] = momentum * visibleStep[i]! + rate * gradient
        }
        for (let j = 0; j < hidden; j++) {
          let gradient = 0
          positive.forEach((h) => (gradient += h[j]! / positive.length))
          negative.forEach((h) => (gradient -= h[j]! / negative.length))
          hiddenStep[j] = momentum * hiddenStep[j]! + rate * gradient
        }
        weights.forEach((w, at) => (weights[at] = w + weightStep[at]!))
        visibleBias.forEach((b, i) => (visibleBias[i] = b + visibleStep[i]!))
        hiddenBias.forEach((c, j) => (hiddenBias[j] = c + hiddenStep[j]!))
      }
    }
    return { weights, visibleBias, hiddenBias }
  }

  for (const reconstruction of ["probabilities", "samples"] as const) {
    it.live(`pcd carries its chains' hidden states from batch to batch and epoch to epoch (${reconstruction})`, () =>
      onCpu(Effect.gen(function*() {
        // 25 rows in batches of 10: the last batch of each epoch is short, the chains keep their 10 rows.
        const data: Rows = { ...repeat(barsAndStripes(), 3), count: 25 }
        const options = { ...guide, method: "pcd" as const, reconstruction, epochs: 3, momentumSwitchEpoch: 1, learningRate: 0.5 }
        const seed = 21
        const { rbm } = yield* trainRbm(tinyRbm(4), options, data, undefined, {
          order: RandomStream.derive(seed, "order"),
          sampling: RandomStream.derive(seed, "sampling"),
          monitor: RandomStream.derive(seed, "monitor")
        })
        const reference = referencePcd1(tinyRbm(4), data, options, seed)
        // Float32 arithmetic against double; a sample flips only if a probability lies within ~1e-7 of its draw.
        assert.isBelow(maxDifference(rbm.weights, reference.weights), 1e-4)
        assert.isBelow(maxDifference(rbm.visibleBias, reference.visibleBias), 1e-4)
        assert.isBelow(maxDifference(rbm.hiddenBias, reference.hiddenBias), 1e-4)
        // And the parameters moved well beyond that tolerance.
        assert.isAbove(maxDifference(rbm.weights, tinyRbm(4).weights), 0.1)
      })))
  }

  it.live("pcd's monitoring draws from its own stream: the learnt parameters do not depend on it", () =>
    onCpu(Effect.gen(function*() {
      const data = repeat(barsAndStripes(), 4)
      const train = (monitorSize: number, validation: Rows | undefined, monitorSeed: number) =>
        trainRbm(
          tinyRbm(5),
          { ...guide, method: "pcd", epochs: 3, monitorSize },
          data,
          validation,
          { order: RandomStream.derive(14, "order"), sampling: RandomStream.derive(14, "sampling"), monitor: RandomStream.derive(monitorSeed, "monitor") }
        )
      const small = yield* train(1, undefined, 14)
      const large = yield* train(40, barsAndStripes(), 15)
      assert.deepStrictEqual(large.rbm, small.rbm)
      for (const epoch of large.curve) assert.isAbove(epoch.reconstructionError, 0)
      assert.notStrictEqual(large.curve[2]!.reconstructionError, small.curve[2]!.reconstructionError)
    })))

  it.live("a sparsity target pulls the mean hidden activity toward it", () =>
    onCpu(Effect.gen(function*() {
      const data = repeat(barsAndStripes(), 10)
      const meanActivity = (rbm: RbmParameters) => {
        const hidden = dataExpectations(rbm, data).hidden
        return hidden.reduce((sum, q) => sum + q, 0) / hidden.length
      }
      const train = (sparsity?: { target: number; cost: number; decay: number }) =>
        trainRbm(
          initialRbm({ visibleUnits: "bernoulli", hiddenUnits: "bernoulli", hidden: 4, initialStd: 0.01 }, data, RandomStream.derive(13, "init")),
          { ...guide, epochs: 30, sparsity },
          data,
          undefined,
          { order: RandomStream.derive(13, "order"), sampling: RandomStream.derive(13, "sampling"), monitor: RandomStream.derive(13, "monitor") }
        )
      const free = meanActivity((yield* train()).rbm)
      const sparse = meanActivity((yield* train({ target: 0.05, cost: 0.5, decay: 0.9 })).rbm)
      assert.isAbove(free, 0.25)
      assert.isBelow(sparse, 0.12)
    })))

  it.live("a Gaussian RBM recovers the mean and scale of real-valued data", () =>
    onCpu(Effect.gen(function*() {
      // Dimension 0 is bimodal (means -1.5 and +1.5, unit noise: std 1.80); the others are N(mu, 1).
      const count = 3000
      const mu = [0.5, -2, 1]
      const stream = RandomStream.derive(12, "data")
      const inputs = new Float32Array(count * 3)
      for (let r = 0; r < count; r++) {
        inputs[r * 3] = mu[0]! + (stream.uniform() < 0.5 ? -1.5 : 1.5) + stream.normal()
        inputs[r * 3 + 1] = mu[1]! + stream.normal()
        inputs[r * 3 + 2] = mu[2]! + stream.normal()
      }
      const data: Rows = { inputs, count, features: 3 }
      const initial = initialRbm(
        { visibleUnits: "gaussian", hiddenUnits: "bernoulli", hidden: 4, initialStd: 0.01 },
        data,
        RandomStream.derive(12, "init")
      )
      const { rbm } = yield* trainRbm(
        initial,
        // Noise-free reconstructions (the guide's CD-1 default) inflate the learnt scale by 15-30% here;
        // sampled ones recover it.
        { ...guide, learningRate: 0.01, batchSize: 50, epochs: 15, k: 5, reconstruction: "samples" },
        data,
        undefined,
        { order: RandomStream.derive(12, "order"), sampling: RandomStream.derive(12, "sampling"), monitor: RandomStream.derive(12, "monitor") }
      )
      // The model is a mixture of unit-variance Gaussians centred at b + W h: sum it exactly.
      const model = modelExpectations(rbm)
      const secondMoments = [0, 0, 0]
      const p = hiddenProbabilities(rbm)
      for (let s = 0; s < p.length; s++) {
        const mean = visibleInput(rbm, hiddenState(4, s))
        for (let i = 0; i < 3; i++) secondMoments[i]! += p[s]! * (1 + mean[i]! ** 2)
      }
      const dataMean = [0, 0, 0]
      const dataSquare = [0, 0, 0]
      for (let r = 0; r < count; r++) {
        for (let i = 0; i < 3; i++) {
          dataMean[i]! += inputs[r * 3 + i]! / count
          dataSquare[i]! += inputs[r * 3 + i]! ** 2 / count
        }
      }
      for (let i = 0; i < 3; i++) {
        const modelStd = Math.sqrt(secondMoments[i]! - model.visible[i]! ** 2)
        const dataStd = Math.sqrt(dataSquare[i]! - dataMean[i]! ** 2)
        // Within a tenth of the data's standard deviation (SGD at a fixed rate keeps the parameters moving).
        assert.closeTo(model.visible[i]!, dataMean[i]!, 0.1 * dataStd, `mean of dimension ${i}`)
        assert.closeTo(modelStd, dataStd, 0.1 * dataStd, `scale of dimension ${i}`)
      }
    })))
})
