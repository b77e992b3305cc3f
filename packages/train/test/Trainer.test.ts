import { assert, describe, it } from "@effect/vitest"
import { TensorBackend } from "@rectifier/backend"
import { Rng } from "@rectifier/core"
import { Dataset, loadMnist } from "@rectifier/datasets"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Layer } from "effect"
import { SparsityAnalysis, Trainer, type TrainingConfig } from "../src/index.ts"

const mnist = await Effect.runPromise(loadMnist({ trainSize: 2000 }))
// Small validation and test sets keep the test fast; the split logic is tested in datasets.
const subset = {
  ...mnist,
  validation: { ...mnist.validation, count: 500, inputs: mnist.validation.inputs.subarray(0, 500 * 784), labels: mnist.validation.labels.subarray(0, 500) },
  test: { ...mnist.test, count: 500, inputs: mnist.test.inputs.subarray(0, 500 * 784), labels: mnist.test.labels.subarray(0, 500) }
}

const config: TrainingConfig = {
  hiddenLayers: [64, 64],
  activation: "rectifier",
  initializer: "glorot-uniform",
  learningRate: 0.05,
  batchSize: 20,
  epochs: 3,
  l1Penalty: 0.001,
  evaluationBatchSize: 250
}

const stages = (seed: number) =>
  Layer.mergeAll(Trainer.layer, SparsityAnalysis.layer).pipe(
    Layer.provideMerge(Layer.mergeAll(Dataset.fromSplit(subset), Rng.layer(seed), TensorBackend.layer({ backend: "wasm" })))
  )

const trainOnce = (seed: number, overrides: Partial<TrainingConfig> = {}) =>
  Effect.scoped(Effect.gen(function*() {
    const trainer = yield* Trainer
    const tensorsAfterEpoch: Array<number> = []
    const result = yield* trainer.run({ ...config, ...overrides }, {
      onEpoch: () => Effect.sync(() => tensorsAfterEpoch.push(tf.memory().numTensors))
    })
    const sparsity = yield* (yield* SparsityAnalysis).measure(result.model, subset.test)
    return { ...result, sparsity, tensorsAfterEpoch, weights: result.model.snapshot(), model: undefined }
  })).pipe(Effect.provide(stages(seed)))

describe("Trainer", () => {
  it.live("learns: the cost falls and test error ends far below chance", () =>
    Effect.gen(function*() {
      const result = yield* trainOnce(7)
      const losses = result.epochs.map((e) => e.trainLoss)
      assert.isBelow(losses[2]!, losses[0]!)
      assert.isBelow(result.testError, 0.2) // chance is 0.9
      assert.strictEqual(result.epochs.length, 3)
      const best = result.epochs[result.bestEpoch - 1]!
      assert.strictEqual(result.validationError, Math.min(...result.epochs.map((e) => e.validationError)))
      assert.strictEqual(result.testError, best.testError)
      // No tensor leaks from one epoch to the next.
      assert.strictEqual(new Set(result.tensorsAfterEpoch).size, 1)
    }))

  it.live("measures exact sparsity of rectifier layers, and none for tanh", () =>
    Effect.gen(function*() {
      const relu = yield* trainOnce(7, { epochs: 1 })
      assert.strictEqual(relu.sparsity.perLayer.length, 2)
      for (const fraction of relu.sparsity.perLayer) {
        assert.isAbove(fraction, 0.05)
        assert.isBelow(fraction, 1)
      }
      const tanh = yield* trainOnce(7, { epochs: 1, activation: "tanh" })
      assert.deepStrictEqual(tanh.sparsity.perLayer, [0, 0])
    }))

  it.live("the same seed gives bit-identical weights and metrics; another seed does not", () =>
    Effect.gen(function*() {
      const a = yield* trainOnce(11, { epochs: 1 })
      const b = yield* trainOnce(11, { epochs: 1 })
      const c = yield* trainOnce(12, { epochs: 1 })
      assert.deepStrictEqual(a.weights, b.weights)
      assert.strictEqual(a.epochs[0]!.trainLoss, b.epochs[0]!.trainLoss)
      assert.notDeepEqual(a.weights.layers[0]!.weights, c.weights.layers[0]!.weights)
    }))

  it.live("learnable activation parameters are trained and kept with the weights; Maxout widens its layer", () =>
    Effect.gen(function*() {
      const prelu = yield* trainOnce(7, { epochs: 1, activation: { name: "prelu", initial: 0.25 } })
      const slopes = prelu.weights.layers[0]!.activationParameters["slope"]!
      assert.strictEqual(slopes.length, 64)
      assert.isTrue(slopes.some((slope) => Math.abs(slope - 0.25) > 1e-4), "PReLU slopes moved from 0.25")
      assert.isBelow(prelu.testError, 0.3)
      const maxout = yield* trainOnce(7, { epochs: 1, activation: { name: "maxout", pieces: 3 } })
      assert.strictEqual(maxout.weights.layers[0]!.fanOut, 64 * 3)
      assert.strictEqual(maxout.weights.layers[1]!.fanIn, 64)
    }))

  it.live("a learning rate far too large is reported as divergence with its epoch and step", () =>
    Effect.gen(function*() {
      const { diverged } = yield* trainOnce(3, { learningRate: 1e6, epochs: 1, activation: "rectifier" })
      assert.isDefined(diverged)
      assert.strictEqual(diverged!.epoch, 1)
      assert.isAtLeast(diverged!.step, 1)
    }))
})
