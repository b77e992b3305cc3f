/**
 * Pre-training asks the tensor backend what it can do: on native the RBM's
 * weight step is OpenBLAS on the arrays with no transposed copy of the
 * weights, and the auto-encoder's update runs in place; on cpu the weight step
 * is a matMul and a JavaScript pass, the update the functional one. Either way
 * the same stack comes out, to float32 rounding.
 */
import { assert, describe, it } from "@effect/vitest"
import { type BackendName, type SparseChoice, TensorBackend } from "@rectifier/backend"
import { addonBuilt, type NativeBackend } from "@rectifier/backend-native"
import * as tf from "@tensorflow/tfjs-core"
import { Rng } from "@rectifier/core"
import { loadMnist } from "@rectifier/datasets"
import { Effect, Layer } from "effect"
import { Pretrainer, type PretrainConfigInput, sliceRows } from "../src/index.ts"

const configs: ReadonlyArray<PretrainConfigInput> = [
  { kind: "rbm", hiddenSizes: [24, 12], epochs: 2, batchSize: 20, monitorSize: 100, sparsity: { target: 0.1, cost: 0.01, decay: 0.9 } },
  { kind: "dae", hiddenSizes: [16, 8], epochs: 2, activation: "rectifier", tiedWeights: true },
  { kind: "dae", hiddenSizes: [16], epochs: 2, activation: "tanh", tiedWeights: false }
]

const pretrainOn = (backend: BackendName, config: PretrainConfigInput, sparse: SparseChoice = "off") =>
  Effect.gen(function*() {
    const mnist = yield* loadMnist({ trainSize: 200 })
    const { capabilities } = yield* TensorBackend
    const sparseSoFar = () => (tf.engine().findBackend("native") as NativeBackend | undefined)?.productCounts.sparse ?? 0
    const before = sparseSoFar()
    const result = yield* (yield* Pretrainer).pretrain(config, { train: mnist.train, validation: sliceRows(mnist.validation, 0, 100) })
    return { capabilities, result, sparseProducts: sparseSoFar() - before }
  }).pipe(
    Effect.provide(Pretrainer.layer.pipe(Layer.provideMerge(Layer.mergeAll(TensorBackend.layer({ backend, threads: 1, sparse }), Rng.layer(7))))),
    Effect.scoped
  )

describe.skipIf(!addonBuilt())("pre-training on the native backend", () => {
  for (const config of configs) {
    it.live(`${config.kind} (${JSON.stringify(config.hiddenSizes)}): the stack matches the cpu backend's`, () =>
      Effect.gen(function*() {
        const cpu = yield* pretrainOn("cpu", config)
        const native = yield* pretrainOn("native", config)
        assert.isUndefined(cpu.capabilities.blas)
        assert.isFalse(cpu.capabilities.transposedOperandsInPlace)
        assert.isDefined(native.capabilities.blas)
        assert.isTrue(native.capabilities.sgd.inPlace)
        let most = 0
        native.result.weights.layers.forEach((layer, l) => {
          const reference = cpu.result.weights.layers[l]!
          assert.deepStrictEqual([layer.fanIn, layer.fanOut], [reference.fanIn, reference.fanOut])
          for (const [values, expected] of [[layer.weights, reference.weights], [layer.bias, reference.bias]] as const) {
            for (let i = 0; i < values.length; i++) most = Math.max(most, Math.abs(values[i]! - expected[i]!))
          }
        })
        assert.isBelow(most, 1e-5)
      }), 60_000)
  }

  it.live("rbm with sparse products on: the pixels' and binary samples' zeros are skipped, the stack the same to rounding", () =>
    Effect.gen(function*() {
      const config: PretrainConfigInput = { kind: "rbm", hiddenSizes: [32], epochs: 2, batchSize: 20, method: "pcd", reconstruction: "samples" }
      const dense = yield* pretrainOn("native", config)
      const sparse = yield* pretrainOn("native", config, "auto")
      assert.strictEqual(dense.sparseProducts, 0)
      // 10 batches an epoch, each with three products of a sparse first operand: the data's hidden
      // probabilities (MNIST's 19% nonzeros), the chains' binary visible samples', and the weight
      // gradient ([data; samples] rows).
      assert.isAtLeast(sparse.sparseProducts, 3 * 20)
      let most = 0
      sparse.result.weights.layers.forEach((layer, l) => {
        const reference = dense.result.weights.layers[l]!
        for (let i = 0; i < layer.weights.length; i++) most = Math.max(most, Math.abs(layer.weights[i]! - reference.weights[i]!))
      })
      // The sparse products add in another order; the chains' samples may then flip where a probability
      // is within rounding of its draw, so allow a little more than the cpu comparison above.
      assert.isBelow(most, 1e-4)
    }), 60_000)
})
